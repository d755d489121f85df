package parallel

import (
	"errors"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestForCoversEveryIndexOnce(t *testing.T) {
	for _, procs := range []int{1, 2, 3, 8} {
		old := runtime.GOMAXPROCS(procs)
		for _, n := range []int{0, 1, 2, 7, 100} {
			hits := make([]int32, n)
			err := For(n, func(lo, hi int) error {
				for i := lo; i < hi; i++ {
					atomic.AddInt32(&hits[i], 1)
				}
				return nil
			})
			assert.NoError(t, err)
			for i, h := range hits {
				assert.Equal(t, int32(1), h, "procs %d, n %d, index %d", procs, n, i)
			}
		}
		runtime.GOMAXPROCS(old)
	}
}

func TestForReturnsFirstChunkError(t *testing.T) {
	old := runtime.GOMAXPROCS(4)
	defer runtime.GOMAXPROCS(old)
	errLow, errHigh := errors.New("low"), errors.New("high")
	err := For(100, func(lo, hi int) error {
		switch {
		case lo == 0:
			return errLow
		case hi == 100:
			return errHigh
		}
		return nil
	})
	assert.ErrorIs(t, err, errLow)
}

func TestEach(t *testing.T) {
	out := make([]int, 50)
	Each(50, func(i int) { out[i] = i * i })
	for i, v := range out {
		assert.Equal(t, i*i, v)
	}
}
