package main

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// refusedAt polls addr until connections are refused and returns when.
func refusedAt(addr string, deadline time.Time) time.Time {
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err != nil {
			return time.Now()
		}
		c.Close()
		time.Sleep(5 * time.Millisecond)
	}
	return time.Time{}
}

// TestDrainBothPortsTogether reproduces the shutdown of issue 14 with a long
// ValidateStream open on each port: health turns NOT_SERVING on both, both
// stop accepting at the same moment (after -drain-delay), the streams end
// with unavailable and a message before -shutdown-timeout, and run returns
// nil (exit 0) within it.
func TestDrainBothPortsTogether(t *testing.T) {
	const drainDelay, timeout = 500 * time.Millisecond, 2 * time.Second
	d, conns := bothPorts(t, "-drain-delay", drainDelay.String(), "-shutdown-timeout", timeout.String())
	addrs := map[string]string{"main port": d.addr, "grpc-go port": conns["grpc-go port"].Target()}

	ended := map[string]chan error{}
	for port, conn := range conns {
		stream, err := statusdv1.NewStatusServiceClient(conn).ValidateStream(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if err := stream.Send(&statusdv1.ValidateStreamRequest{Request: &statusdv1.ValidateRequest{Exchange: &statusdv1.Exchange{Method: "GET", Status: 200}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := stream.Recv(); err != nil {
			t.Fatalf("%s: %v", port, err)
		}
		ended[port] = make(chan error, 1)
		go func() { _, err := stream.Recv(); ended[port] <- err }()
	}

	start := time.Now()
	stopped := make(chan error, 1)
	go func() { stopped <- d.stop(t) }()
	for port, conn := range conns {
		health := healthpb.NewHealthClient(conn)
		waitFor(t, "NOT_SERVING on the "+port, func() bool {
			res, err := health.Check(context.Background(), &healthpb.HealthCheckRequest{Service: "statusd.v1.StatusService"})
			return err == nil && res.GetStatus() == healthpb.HealthCheckResponse_NOT_SERVING
		})
	}
	var mu sync.Mutex
	refused := map[string]time.Time{}
	var wg sync.WaitGroup
	for port, addr := range addrs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			at := refusedAt(addr, start.Add(drainDelay+timeout))
			mu.Lock()
			refused[port] = at
			mu.Unlock()
		}()
	}
	wg.Wait()
	m, g := refused["main port"], refused["grpc-go port"]
	if m.IsZero() || g.IsZero() {
		t.Fatalf("still accepting: %v", refused)
	}
	if gap := m.Sub(g).Abs(); gap > 200*time.Millisecond {
		t.Errorf("the ports stopped accepting %v apart, want together", gap)
	}
	if first := min(m.Sub(start), g.Sub(start)); first < drainDelay-50*time.Millisecond {
		t.Errorf("stopped accepting %v after SIGTERM, before the drain delay", first)
	}
	for port, c := range ended {
		select {
		case err := <-c:
			if st := status.Convert(err); st.Code() != codes.Unavailable || !strings.Contains(st.Message(), "shutting down") {
				t.Errorf("%s: the stream ended with %v, want unavailable", port, st)
			}
		case <-time.After(drainDelay + timeout + 2*time.Second):
			t.Errorf("%s: the stream did not end", port)
		}
	}
	select {
	case err := <-stopped:
		if err != nil {
			t.Errorf("run returned %v, want nil (exit 0)", err)
		}
		if took := time.Since(start); took > drainDelay+timeout {
			t.Errorf("shutdown took %v, more than -drain-delay + -shutdown-timeout", took)
		}
	case <-time.After(drainDelay + timeout + 5*time.Second):
		t.Fatal("run did not return")
	}
	if !strings.Contains(d.logs.String(), "statusd stopped") {
		t.Errorf("no clean stop in the log:\n%s", d.logs.String())
	}
}

// TestDrainForced: a call still running at -shutdown-timeout (here, a
// request whose body never comes) is cut, and run says so: statusd exits 2.
func TestDrainForced(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-shutdown-timeout", "500ms", "-access-log=false"}, &syncBuffer{}, ready)
	}()
	addr := (<-ready).String()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("POST /statusd.v1.StatusService/Validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the request reaches the handler
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, errForced) {
			t.Errorf("run returned %v, want errForced", err)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("forced shutdown took %v", took)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return")
	}
}

func TestStreamGrace(t *testing.T) {
	for _, tc := range []struct{ timeout, want time.Duration }{
		{500 * time.Millisecond, 250 * time.Millisecond}, // at most half
		{2 * time.Second, time.Second},                   // at least 1 s
		{10 * time.Second, 2500 * time.Millisecond},      // a quarter
		{time.Minute, 3 * time.Second},                   // at most 3 s
	} {
		if got := streamGrace(tc.timeout); got != tc.want {
			t.Errorf("streamGrace(%v) = %v, want %v", tc.timeout, got, tc.want)
		}
	}
}
