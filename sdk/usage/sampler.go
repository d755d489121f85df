package usage

import (
	"sync"
	"time"
)

// sampler measures peaks by reading RSS every interval from a goroutine
// started with it, while any interval is open.
type sampler struct {
	interval time.Duration

	mu   sync.Mutex
	open openSet
	wake chan struct{} // signalled when the first interval opens
	stop chan struct{}
	done chan struct{}
}

func newSampler(interval time.Duration) *sampler {
	s := &sampler{
		interval: interval,
		wake:     make(chan struct{}, 1),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	go s.loop()
	return s
}

func (s *sampler) source() string { return PeakSampled }

func (s *sampler) loop() {
	defer close(s.done)
	tick := time.NewTicker(s.interval)
	defer tick.Stop()
	for {
		s.mu.Lock()
		idle := len(s.open) == 0
		s.mu.Unlock()
		if idle {
			select {
			case <-s.wake:
			case <-s.stop:
				return
			}
		}
		select {
		case <-tick.C:
			rss := currentRSS()
			s.mu.Lock()
			s.open.credit(rss)
			s.mu.Unlock()
		case <-s.stop:
			return
		}
	}
}

func (s *sampler) begin(iv *Interval) (uint64, cpuTimes) {
	rss := currentRSS()
	cpu := selfCPU()
	iv.peak = rss
	s.mu.Lock()
	s.open.add(iv)
	first := len(s.open) == 1
	s.mu.Unlock()
	if first {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
	return rss, cpu
}

func (s *sampler) end(iv *Interval) (peak, rss uint64, cpu cpuTimes) {
	cpu = selfCPU()
	rss = currentRSS()
	s.mu.Lock()
	s.open.remove(iv)
	peak = max(iv.peak, rss)
	s.mu.Unlock()
	return peak, rss, cpu
}

func (s *sampler) shutdown() {
	close(s.stop)
	<-s.done
}
