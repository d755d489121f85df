package usage

import (
	"context"
	"crypto/sha256"
	"runtime"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const spike = 192 << 20

// allocate touches n bytes, keeps them until release is called, and returns
// release.
func allocate(n int) (release func()) {
	b := make([]byte, n)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	return func() {
		runtime.KeepAlive(b)
		b = nil
		runtime.GC()
		debug.FreeOSMemory()
	}
}

// freeAll returns freed memory to the OS so that RSS drops.
func freeAll() {
	runtime.GC()
	debug.FreeOSMemory()
}

func burn(n int) [32]byte {
	var sum [32]byte
	for range n {
		sum = sha256.Sum256(sum[:])
	}
	return sum
}

// trackers returns the trackers to test: the default one, one that reads
// VmHWM at every boundary (as below the pre-exec floor), and a sampling one.
func trackers(t *testing.T) map[string]*Tracker {
	t.Helper()
	out := map[string]*Tracker{}
	def, err := NewTracker()
	if err == nil {
		out["hwm"] = def
		h, err := openHWM()
		require.NoError(t, err)
		h.floorKB = 1 << 50 // every reading is taken for the floor
		out["vmhwm"] = &Tracker{peaks: h}
	} else {
		t.Logf("no high-water mark here: %v", err)
	}
	s, err := NewTracker(WithSampling(time.Millisecond))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	out["sampled"] = s
	return out
}

func TestTransientSpikeInNestedIntervals(t *testing.T) {
	for name, tr := range trackers(t) {
		t.Run(name, func(t *testing.T) {
			freeAll()
			outer := tr.Begin()
			inner := tr.Begin()
			release := allocate(spike)
			if name == "sampled" {
				time.Sleep(20 * time.Millisecond) // let the sampler see it
			}
			release()
			in := inner.End()
			after := tr.Begin()
			burn(100)
			af := after.End()
			out := outer.End()

			assert.GreaterOrEqual(t, in.PeakRSS-in.RSSStart, uint64(spike*3/4), "inner sees the spike")
			assert.GreaterOrEqual(t, out.PeakRSS, in.PeakRSS, "the enclosing interval is credited")
			assert.Less(t, af.PeakRSS, in.PeakRSS-spike/2, "an interval opened after the spike does not inherit it")
			assert.GreaterOrEqual(t, in.HeapAlloc, uint64(spike))
			assert.Equal(t, tr.PeakSource(), in.PeakSource)
			for _, d := range []Delta{in, af, out} {
				assert.GreaterOrEqual(t, d.PeakRSS, d.RSSStart)
				assert.GreaterOrEqual(t, d.PeakRSS, d.RSSEnd)
				assert.Equal(t, int64(d.RSSEnd)-int64(d.RSSStart), d.MemoryChange)
				assert.Equal(t, d.End.Sub(d.Start), d.Wall)
			}
		})
	}
}

func TestOverlappingIntervalsOnGoroutines(t *testing.T) {
	tr := Default()
	freeAll()
	a := tr.Begin()
	var b *Interval
	var wg sync.WaitGroup
	started, spiked := make(chan struct{}), make(chan struct{})
	wg.Go(func() {
		b = tr.Begin()
		close(started)
		<-spiked
	})
	<-started
	allocate(spike)()
	close(spiked)
	wg.Wait()
	da := a.End()
	c := tr.Begin() // opens after the spike, while b is still open
	dc := c.End()
	db := b.End()
	assert.GreaterOrEqual(t, da.PeakRSS-da.RSSStart, uint64(spike*3/4))
	assert.GreaterOrEqual(t, db.PeakRSS-db.RSSStart, uint64(spike*3/4), "b was open during the spike on another goroutine")
	assert.Less(t, dc.PeakRSS, db.PeakRSS-spike/2)
}

func TestCPUAndRuntimeCounters(t *testing.T) {
	iv := Default().Begin()
	burn(300_000)
	runtime.GC()
	d := iv.End()
	assert.Greater(t, d.CPUUser, 10*time.Millisecond)
	assert.GreaterOrEqual(t, d.GCCycles, uint64(1))
	assert.Zero(t, d.ChildUser+d.ChildSystem)
	assert.Equal(t, d, iv.End(), "End is idempotent")
}

func TestStatusKB(t *testing.T) {
	status := []byte("Name:\tx\nVmPeak:\t  100 kB\nVmHWM:\t    3764 kB\nVmRSS:\t 12 kB\n")
	tests := []struct {
		key  string
		want uint64
		ok   bool
	}{
		{"VmHWM:", 3764, true},
		{"VmRSS:", 12, true},
		{"VmSwap:", 0, false},
		{"Name:", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			got, ok := statusKB(status, []byte(tt.key))
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestShutdownIsIdempotent(t *testing.T) {
	s, err := NewTracker(WithSampling(0))
	require.NoError(t, err)
	iv := s.Begin()
	require.NoError(t, s.Shutdown(context.Background()))
	require.NoError(t, s.Shutdown(context.Background()))
	d := iv.End()
	assert.Equal(t, PeakSampled, d.PeakSource)
	assert.Positive(t, d.PeakRSS)
}

func TestStatmResident(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"315312 945 721 321 0 18420 0\n", 945, true},
		{"1 2", 2, true},
		{"1", 0, false},
		{"1 x2 3", 0, false},
		{"1  3", 0, false},
	}
	for _, tt := range tests {
		got, ok := statmResident([]byte(tt.in))
		assert.Equal(t, tt.ok, ok, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
}
