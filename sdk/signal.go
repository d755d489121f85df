package sdk

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// signalFlushTimeout bounds how long a signal handler waits for the final
// logs of the interrupted runs.
const signalFlushTimeout = 10 * time.Second

// SignalError is the cause of the context NotifyContext returns when a
// signal arrived.
type SignalError struct {
	Signal os.Signal
}

func (e *SignalError) Error() string { return "interrupted by signal " + e.Signal.String() }

// ExitCode is the exit status a shell reports for a process killed by the
// signal: 128 + its number (130 for SIGINT, 143 for SIGTERM).
func (e *SignalError) ExitCode() int {
	if s, ok := e.Signal.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 1
}

// NotifyContext is HandleSignals for applications that have a graceful
// shutdown of their own: on the first SIGINT or SIGTERM (or one of sigs), it
// ends every open run with status "interrupted", writes their final logs
// (waiting up to ten seconds), and then cancels the returned context, whose
// context.Cause is a *SignalError. The process goes on; the application
// decides what to do next (typically: start nothing new, clean up, and exit
// with the error's ExitCode). Runs started after the signal are not
// interrupted.
//
// A second signal ends the process at once with 128+signal: a user who
// presses Ctrl-C twice is never ignored. stop releases the signals and
// cancels the context; call it when done, as with signal.NotifyContext.
//
// It works whatever disposition the process inherited: a job that a
// non-interactive shell started with `&` has SIGINT ignored, and is still
// interrupted.
func (b *Benchtrace) NotifyContext(ctx context.Context, sigs ...os.Signal) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	stop := b.onSignal(sigs, func(sig os.Signal) {
		cancel(&SignalError{Signal: sig})
	})
	return ctx, func() {
		stop()
		cancel(context.Canceled)
	}
}

// HandleSignals makes SIGINT and SIGTERM (or sigs, when given) end every open
// run with status "interrupted", write their final logs, shut b down
// (waiting up to ten seconds), and then end the process with the signal's
// exit status, 128+signal, as if the signal had not been caught. The returned
// stop function undoes it. A second signal while the logs are being written
// ends the process at once.
//
// It ends the process: an application with a graceful shutdown of its own
// (signal.NotifyContext, deferred cleanup) uses NotifyContext instead. It is
// opt-in because it changes how the process reacts to signals.
func (b *Benchtrace) HandleSignals(sigs ...os.Signal) (stop func()) {
	return b.onSignal(sigs, func(sig os.Signal) {
		ctx, cancel := context.WithTimeout(context.Background(), signalFlushTimeout)
		_ = b.Shutdown(ctx) // errors already went to the error handler
		cancel()
		exitOnSignal(sig)
	})
}

// onSignal calls then(sig) on the first of sigs to arrive, after
// interrupting the open runs and flushing their logs; a second signal exits
// the process at once. stop undoes it and waits for a handler that is
// running.
func (b *Benchtrace) onSignal(sigs []os.Signal, then func(os.Signal)) (stop func()) {
	if len(sigs) == 0 {
		sigs = []os.Signal{os.Interrupt, syscall.SIGTERM}
	}
	ch := make(chan os.Signal, 2)
	done := make(chan struct{})
	finished := make(chan struct{})
	signal.Notify(ch, sigs...)
	go func() {
		defer close(finished)
		var sig os.Signal
		select {
		case <-done:
			signal.Stop(ch)
			return
		case sig = <-ch:
		}
		// Keep the channel registered: a second signal is never swallowed.
		second := make(chan struct{})
		go func() {
			select {
			case s := <-ch:
				exitOnSignal(s)
			case <-second:
			}
		}()
		b.Interrupt("interrupted by signal " + sig.String())
		ctx, cancel := context.WithTimeout(context.Background(), signalFlushTimeout)
		_ = b.ForceFlush(ctx)
		cancel()
		then(sig)
		<-done
		close(second)
		signal.Stop(ch)
	}()
	var once sync.Once
	return func() {
		once.Do(func() { close(done) })
		<-finished
	}
}

// exitOnSignal ends the process as sig would by default: it restores the
// default action and raises sig again, and exits with 128+sig should the
// signal not end the process (it was ignored when the process started, as
// for a background job of a non-interactive shell).
func exitOnSignal(sig os.Signal) {
	signal.Reset(sig)
	if s, ok := sig.(syscall.Signal); ok {
		// Reset restores the inherited disposition, which may be "ignore";
		// then the exit below stands in for the signal's default action.
		raise(s)
	}
	code := (&SignalError{Signal: sig}).ExitCode()
	fmt.Fprintf(os.Stderr, "benchtrace: %v\n", &SignalError{Signal: sig})
	os.Exit(code)
}
