package parallel

import (
	"runtime"
	"sync"
)

// For calls fn on consecutive chunks [lo, hi) covering [0, n), on up to
// GOMAXPROCS goroutines at once, and returns the error of the first chunk
// (in index order) that failed. fn must only write state that belongs to
// its indices.
func For(n int, fn func(lo, hi int) error) error {
	if n <= 0 {
		return nil
	}
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers == 1 {
		return fn(0, n)
	}
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*n/workers, (w+1)*n/workers
		wg.Go(func() { errs[w] = fn(lo, hi) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Each calls fn(i) for every i in [0, n), split as For splits it.
func Each(n int, fn func(i int)) {
	_ = For(n, func(lo, hi int) error {
		for i := lo; i < hi; i++ {
			fn(i)
		}
		return nil
	})
}
