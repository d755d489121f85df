package usage

import (
	"runtime/metrics"
	"syscall"
	"testing"
	"time"
)

// The calls a phase is made of, one by one (docs/performance.md).

func BenchmarkCallGetrusageSelf(b *testing.B) {
	for b.Loop() {
		getrusage(syscall.RUSAGE_SELF)
	}
}

func BenchmarkCallGetrusageChildren(b *testing.B) {
	for b.Loop() {
		getrusage(syscall.RUSAGE_CHILDREN)
	}
}

func BenchmarkCallResetHWM(b *testing.B) {
	h, err := openHWM()
	if err != nil {
		b.Skip(err)
	}
	for b.Loop() {
		_ = h.reset()
	}
}

func BenchmarkCallStatm(b *testing.B) {
	for b.Loop() {
		currentRSS()
	}
}

func BenchmarkCallVmHWM(b *testing.B) {
	h, err := openHWM()
	if err != nil {
		b.Skip(err)
	}
	for b.Loop() {
		h.vmHWM()
	}
}

func BenchmarkCallRuntimeMetrics(b *testing.B) {
	s := []metrics.Sample{{Name: metricHeapAllocs}, {Name: metricGCCycles}}
	for b.Loop() {
		metrics.Read(s)
	}
}

func BenchmarkCallTimeNow(b *testing.B) {
	for b.Loop() {
		_ = time.Now()
	}
}

// BenchmarkInterval is a whole Begin/End pair of the default tracker.
func BenchmarkInterval(b *testing.B) {
	t := Default()
	for b.Loop() {
		t.Begin().End()
	}
}
