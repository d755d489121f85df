package sdk

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// HandleSignals makes SIGINT and SIGTERM (or sigs, when given) end every open
// run with status "interrupted", flush and shut b down (waiting up to ten
// seconds), and then let the signal take its default action: the process
// exits as if the signal had not been caught. The returned stop function
// undoes it.
//
// It is opt-in because it changes how the process reacts to signals;
// `benchtrace run` uses it.
func (b *Benchtrace) HandleSignals(sigs ...os.Signal) (stop func()) {
	if len(sigs) == 0 {
		sigs = []os.Signal{os.Interrupt, syscall.SIGTERM}
	}
	ch := make(chan os.Signal, 1)
	done := make(chan struct{})
	finished := make(chan struct{})
	signal.Notify(ch, sigs...)
	go func() {
		defer close(finished)
		select {
		case <-done:
			return
		case sig := <-ch:
			b.Interrupt("interrupted by signal " + sig.String())
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			_ = b.Shutdown(ctx) // errors already went to the error handler
			cancel()
			signal.Reset(sig)
			if p, err := os.FindProcess(os.Getpid()); err == nil {
				_ = p.Signal(sig)
			}
		}
	}()
	return func() {
		signal.Stop(ch)
		select {
		case <-done:
		default:
			close(done)
		}
		<-finished
	}
}
