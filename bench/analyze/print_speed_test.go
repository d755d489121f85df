package analyze

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones of TestAppendStampZones, wherever the tests run

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/bench/internal/human"
	"github.com/benchtrace/benchtrace/exporters/benchlog"
)

// The summary's blocks are written with hand-written formatters
// (appendStamp, appendSize, appendUpper) where the standard library's,
// or human's, cost the most. These tests check them against what they
// stand for.

// checkStamp checks appendStamp on sec.nsec at offset against
// AppendFormat in a zone of that offset, in both layouts, and returns
// whether appendStamp did it (rather than leave it to AppendFormat).
func checkStamp(t *testing.T, sec int64, nsec uint32, offset int) bool {
	t.Helper()
	tm := time.Unix(sec, int64(nsec)).In(time.FixedZone("", offset))
	var ok [2]bool
	for i, layout := range []string{benchlog.TimeLayout, pythonLayout} {
		prefix := []byte("x")
		got, done := appendStamp(prefix, sec, nsec, offset, layout == benchlog.TimeLayout)
		ok[i] = done
		if !done {
			require.Equal(t, "x", string(got), "appendStamp appended, then gave up")
			continue
		}
		require.Equal(t, "x"+tm.Format(layout), string(got), "%d.%09d at %+d, layout %s", sec, nsec, offset, layout)
	}
	require.Equal(t, ok[0], ok[1], "the two layouts take the same cases")
	return ok[0]
}

func TestAppendStamp(t *testing.T) {
	day := int64(24 * 60 * 60)
	date := func(y int, m time.Month, d, h, min, s int) int64 {
		return time.Date(y, m, d, h, min, s, 0, time.UTC).Unix()
	}
	tests := []struct {
		name   string
		sec    int64
		nsec   uint32
		offset int
		fast   bool // appendStamp formats it, rather than give up
	}{
		{"epoch", 0, 0, 0, true},
		{"before the epoch", -1, 999_999_999, 0, true},
		{"a generated log", date(2026, 1, 5, 8, 3, 12), 123_456_789, 0, true},
		{"microseconds truncated", date(2026, 1, 5, 8, 3, 12), 999_999, 0, true},
		{"no fraction", date(2026, 11, 22, 13, 45, 1), 0, 0, true},
		{"east", date(2026, 11, 22, 13, 45, 1), 123_456_000, 5*3600 + 30*60, true},
		{"west", date(2026, 7, 5, 23, 59, 59), 999_999_000, -8 * 3600, true},
		{"west, minutes", date(2026, 1, 5, 0, 0, 0), 1000, -(3*3600 + 30*60), true},
		{"over midnight east", date(2026, 12, 31, 23, 0, 0), 0, 14 * 3600, true},
		{"over midnight west", date(2026, 1, 1, 1, 0, 0), 0, -12 * 3600, true},
		{"leap day", date(2024, 2, 29, 12, 34, 56), 654_321_000, 9*3600 + 45*60, true},
		{"2000 leap day", date(2000, 2, 29, 0, 0, 0), 0, 0, true},
		{"1900 not leap", date(1900, 3, 1, 0, 0, 0) - 1, 0, 0, true},
		{"2100 not leap", date(2100, 3, 1, 0, 0, 0), 0, 0, true},
		{"1600", date(1600, 2, 29, 12, 0, 0), 0, 0, true},
		{"year 1", date(1, 1, 1, 0, 0, 0), 0, 0, true},
		{"year 1 by its offset", date(1, 1, 1, 0, 0, 0) - 3600, 0, 3600, true},
		{"year 9999", date(9999, 12, 31, 23, 59, 59), 999_999_999, 0, true},
		{"year 9999 by its offset", date(9999, 12, 31, 23, 59, 59) + 12*3600, 0, -12 * 3600, true},
		{"year 0", date(1, 1, 1, 0, 0, 0) - day, 0, 0, false},
		{"year 10000", date(10000, 1, 1, 0, 0, 0), 0, 0, false},
		{"year 10000 by its offset", date(9999, 12, 31, 23, 0, 0), 0, 3600, false},
		{"offset 23:59", date(2026, 1, 5, 8, 0, 0), 0, 23*3600 + 59*60, true},
		{"offset 99:59", date(2026, 1, 5, 8, 0, 0), 0, 99*3600 + 59*60, true},
		{"offset 100 hours", date(2026, 1, 5, 8, 0, 0), 0, 100 * 3600, false},
		{"offset -100 hours", date(2026, 1, 5, 8, 0, 0), 0, -100 * 3600, false},
		{"offset with seconds", date(2026, 1, 5, 8, 0, 0), 0, 3600 + 30, false},
		{"offset of seconds, west", date(2026, 1, 5, 8, 0, 0), 0, -30, false},
		{"nanoseconds out of range", 0, 1e9, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.fast, checkStamp(t, tt.sec, tt.nsec, tt.offset))
		})
	}
	t.Run("random", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 4))
		lo, hi := date(1, 1, 1, 0, 0, 0)-2*day, date(10000, 1, 1, 0, 0, 0)+2*day
		for range 200_000 {
			sec := lo + rng.Int64N(hi-lo)
			if rng.IntN(2) == 0 { // most logs are from these years
				sec = date(1970, 1, 1, 0, 0, 0) + rng.Int64N(100*366*day)
			}
			offset := (rng.IntN(2*24*60+1) - 24*60) * 60
			if rng.IntN(10) == 0 {
				offset = rng.IntN(2*100*3600+1) - 100*3600
			}
			checkStamp(t, sec, uint32(rng.IntN(1e9)), offset)
		}
	})
}

// TestAppendStampZones checks appendStamp with the offsets of zones with
// daylight saving time and half hours, as a log of the Python logger,
// written in local time, gives them.
func TestAppendStampZones(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, name := range []string{"America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Europe/Dublin", "Pacific/Kiritimati"} {
		t.Run(name, func(t *testing.T) {
			loc, err := time.LoadLocation(name)
			require.NoError(t, err)
			start := time.Date(1890, 1, 1, 0, 0, 0, 0, time.UTC).Unix() // before some zones' whole-minute offsets
			for range 20_000 {
				sec := start + rng.Int64N(200*366*24*3600)
				tm := time.Unix(sec, int64(rng.IntN(1e9))).In(loc)
				_, offset := tm.Zone()
				got, ok := appendStamp(nil, tm.Unix(), uint32(tm.Nanosecond()), offset, false)
				if ok {
					require.Equal(t, tm.Format(pythonLayout), string(got))
				}
			}
		})
	}
}

// TestAppendSize checks appendSize against human.Bytes, which it does
// without fmt.
func TestAppendSize(t *testing.T) {
	values := []float64{0, math.Copysign(0, -1), 1, 0.4, 0.5, 1.5, 2.5, 1023, 1023.4, 1023.5, 1023.9, 1024, 1025,
		1024*10.05 - 1, 1024 * 1024, 1024*1024 - 1, 1024 * 1024 * 1024 * 999.95, 1 << 50, 1 << 60, 9e18,
		math.MaxInt64, 1e300, math.MaxFloat64, -1, -1023.5, -1024, -2048, -1e300,
		math.NaN(), math.Inf(1), math.Inf(-1)}
	rng := rand.New(rand.NewPCG(9, 10))
	for range 20_000 {
		values = append(values, math.Abs(rng.NormFloat64())*math.Pow(2, float64(rng.IntN(70))), float64(rng.Int64()))
	}
	for _, v := range values {
		require.Equal(t, "x"+human.Bytes(v), string(appendSize([]byte("x"), v)), "%v", v)
	}
}

// TestAppendUpper checks appendUpper against strings.ToUpper.
func TestAppendUpper(t *testing.T) {
	for _, s := range []string{"", "resnet20_relu_cifar10", "GEMM", "mlp-2x64.v3", "azAZ@[`{~\x7f", "straße", "ǆ ı ﬀ", "a\xffb"} {
		assert.Equal(t, "x"+strings.ToUpper(s), string(appendUpper([]byte("x"), s)), "%q", s)
	}
}

// TestAppendFixed checks appendFixed against strconv's 'f' format: ties
// of every kind (exact halves, decimals just below and above one), signs,
// zeros, the edges of the fast path, and random values at every
// precision it takes.
func TestAppendFixed(t *testing.T) {
	values := []float64{0, math.Copysign(0, -1), 0.5, 1.5, 2.5, -0.5, -2.5, 0.125, 0.375, -0.125, 2.675, 1.005, 1.015,
		0.045, 4.35, 0.001, -0.001, -0.004999, 0.0049999999, 0.005, 1e-7, 5e-7, 4.5e-7, 999999999.995, 999999999.9999999,
		1e9, -1e9, 1e9 - 1e-6, 123456.5, 59.9, 45.599998, 1<<52 + 0.5, math.Inf(1), math.Inf(-1), math.NaN(),
		math.SmallestNonzeroFloat64, math.MaxFloat64}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200000 {
		var f float64
		switch rng.IntN(4) {
		case 0:
			f = rng.Float64() * math.Pow(10, float64(rng.IntN(12)-3))
		case 1: // on or next to a half-way point
			f = (float64(rng.IntN(2_000_000)) + 0.5) / math.Pow(10, float64(rng.IntN(7)))
			f = math.Nextafter(f, f+float64(rng.IntN(3)-1))
		case 2:
			f = math.Float64frombits(rng.Uint64())
		default:
			f = float64(rng.IntN(100000)) / 1000
		}
		if rng.IntN(2) == 0 {
			f = -f
		}
		values = append(values, f)
	}
	for _, f := range values {
		for prec := range 8 {
			want := strconv.FormatFloat(f, 'f', prec, 64) + "s"
			got := string(appendFixed(nil, f, prec, "s"))
			if got != want {
				t.Fatalf("appendFixed(%v (%#x), %d) = %q, want %q", f, math.Float64bits(f), prec, got, want)
			}
		}
	}
}
