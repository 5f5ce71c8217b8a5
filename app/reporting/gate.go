package reporting

import (
	"context"
	"runtime"
	"time"

	"selfcheck/app/fault"
)

// Gate bounds how many reports and exports are rendered at once. A render
// of a large assessment holds its whole document while it is laid out, so
// renders without a bound let one firm user take the server's memory by
// asking for the same report many times at once (issue 19). Renders beyond
// the bound wait in a short queue; beyond that, or after waiting too long,
// they are refused with a *fault.BusyError, which both front ends answer
// with 503 and Retry-After.
type Gate struct {
	slots chan struct{} // held while rendering
	queue chan struct{} // held while rendering or waiting for a slot
	wait  time.Duration
}

// GateLimits sizes a Gate.
type GateLimits struct {
	Renders int           // at once
	Queue   int           // waiting behind them, beyond which a render is refused at once
	Wait    time.Duration // the longest a render waits for a slot
}

// DefaultGateLimits sizes the gate from the CPUs: half of them (at least
// one) render, which leaves the rest to pages, saves and health checks
// (with one render per CPU, /healthz slowed past half a second on two
// cores); more renders at once would make none of them faster and only
// hold more documents in memory. A request waiting in the queue holds no
// document yet (the gate comes before the data is read), so the queue can
// take an ordinary burst (four reports at once, a few ms each): four per
// CPU.
func DefaultGateLimits() GateLimits {
	procs := runtime.GOMAXPROCS(0)
	return GateLimits{Renders: max(procs/2, 1), Queue: max(4*procs, 4), Wait: 10 * time.Second}
}

// NewGate returns a gate with the limits: all zero means
// DefaultGateLimits; otherwise Renders and Wait when zero take the
// default, and Queue zero means no queue (refused at once when full).
func NewGate(l GateLimits) *Gate {
	d := DefaultGateLimits()
	if l == (GateLimits{}) {
		l = d
	}
	if l.Renders <= 0 {
		l.Renders = d.Renders
	}
	l.Queue = max(l.Queue, 0)
	if l.Wait <= 0 {
		l.Wait = d.Wait
	}
	return &Gate{slots: make(chan struct{}, l.Renders), queue: make(chan struct{}, l.Renders+l.Queue), wait: l.Wait}
}

// Enter waits for a render slot and returns the function that frees it.
// It refuses at once when the queue is full, and after the gate's wait when
// no slot came free; the Retry-After it suggests is that wait, about how
// long the renders ahead take to make room.
func (g *Gate) Enter(ctx context.Context) (leave func(), err error) {
	busy := &fault.BusyError{RetryAfter: g.wait}
	select {
	case g.queue <- struct{}{}:
	default:
		return nil, busy
	}
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return func() { <-g.slots; <-g.queue }, nil
	case <-t.C:
		<-g.queue
		return nil, busy
	case <-ctx.Done():
		<-g.queue
		return nil, ctx.Err()
	}
}

// enter passes the service's gate, or none when the service has no gate
// (tests that build a Service by hand).
func (s *Service) enter(ctx context.Context) (func(), error) {
	if s.Gate == nil {
		return func() {}, nil
	}
	return s.Gate.Enter(ctx)
}
