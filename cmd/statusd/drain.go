package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"connectrpc.com/grpchealth"
	"github.com/statusd/statusd/gen/statusd/v1/statusdv1connect"
	"google.golang.org/grpc"
)

// errForced is the shutdown that had to cut calls: statusd exits 2.
var errForced = errors.New("calls still running at the end of -shutdown-timeout were cut")

// drain stops statusd as one: both ports report NOT_SERVING, wait
// -drain-delay for load balancers to notice, stop accepting at once, let
// the calls in flight finish, end ValidateStreams that are still open with
// unavailable a little before -shutdown-timeout (streamGrace), and return nil if all that
// fits in -shutdown-timeout (statusd exits 0), or errForced (exit 2).
func (a *app) drain() error {
	a.logger.Info("statusd shutting down", "drain_delay", a.cfg.drainDelay, "timeout", a.cfg.shutdownTimeout)
	a.checker.SetStatus(statusdv1connect.StatusServiceName, grpchealth.StatusNotServing)
	a.checker.SetStatus("", grpchealth.StatusNotServing)
	if a.grpc != nil {
		a.grpc.Drain()
	}
	time.Sleep(a.cfg.drainDelay)

	ctx, cancel := context.WithTimeout(context.Background(), a.cfg.shutdownTimeout)
	defer cancel()
	endStreams := time.AfterFunc(a.cfg.shutdownTimeout-streamGrace(a.cfg.shutdownTimeout), a.svc.EndStreams)
	defer endStreams.Stop()

	// Both ports stop accepting at the same moment and wait for their
	// calls together, on one deadline.
	var wg sync.WaitGroup
	var httpErr, grpcErr error
	wg.Add(1)
	go func() { defer wg.Done(); httpErr = shutdownHTTP(ctx, a.http) }()
	if a.grpc != nil {
		wg.Add(1)
		go func() { defer wg.Done(); grpcErr = shutdownGRPC(ctx, a.grpc.Server) }()
	}
	wg.Wait()
	for ; a.running > 0; a.running-- {
		if err := <-a.served; err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, grpc.ErrServerStopped) {
			return err
		}
	}
	var telErr error
	if a.tel != nil { // flush the last spans, within the same deadline
		if telErr = a.tel.Shutdown(ctx); telErr != nil {
			a.logger.Warn("OpenTelemetry flush failed", "error", telErr.Error())
		}
	}
	if err := errors.Join(httpErr, grpcErr); err != nil {
		a.logger.Error("statusd stopped, cutting calls", "error", err.Error())
		return err
	}
	a.logger.Info("statusd stopped")
	return nil
}

// streamGrace is how long before the shutdown deadline open streams are
// ended: time for their end to reach the client and for the connection to
// be seen idle, which http.Server.Shutdown checks only every 500 ms once it
// has waited a while. A quarter of the timeout, from 1 s to 3 s, and at
// most half of it.
func streamGrace(timeout time.Duration) time.Duration {
	return min(max(timeout/4, time.Second), 3*time.Second, timeout/2)
}

// shutdownHTTP closes the listener, then waits for the calls in flight
// until ctx ends, then cuts the connections left.
func shutdownHTTP(ctx context.Context, srv *http.Server) error {
	if err := srv.Shutdown(ctx); err != nil {
		_ = srv.Close()
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("main port: %w", errForced)
		}
		return fmt.Errorf("main port: %w", err)
	}
	return nil
}

// shutdownGRPC is shutdownHTTP for the grpc-go port: GracefulStop sends
// GOAWAY and waits; Stop cuts.
func shutdownGRPC(ctx context.Context, srv *grpc.Server) error {
	stopped := make(chan struct{})
	go func() { srv.GracefulStop(); close(stopped) }()
	select {
	case <-stopped:
		return nil
	case <-ctx.Done():
		srv.Stop()
		<-stopped
		return fmt.Errorf("gRPC port: %w", errForced)
	}
}
