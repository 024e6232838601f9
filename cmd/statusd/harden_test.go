package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/gen/statusd/v1/statusdv1connect"
)

// TestCatalogOverlayEdgeCases reproduces the overlay faults of issue 14
// against a running statusd: an empty (truncated) file, duplicates in one
// overlay and a FIFO at the path are each rejected, logged with the
// overlay's own index, and the last good catalog keeps serving; the FIFO
// does not block the loop that handles signals.
func TestCatalogOverlayEdgeCases(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "acme.txtpb")
	writeFile(t, file, overlay412("acme 1"))
	d := startDaemon(t, "-catalog", file, "-log-format", "json")
	reload := func(what string, failures int) {
		t.Helper()
		if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		waitFor(t, what, func() bool { return reloadCount(t, d.base, "error") >= failures })
		if got := meaning412(t, d.base); got != "acme 1" {
			t.Fatalf("after %s: serving %q, want the last good catalog", what, got)
		}
	}

	writeFile(t, file, "")
	reload("an empty file", 1)
	if !strings.Contains(d.logs.String(), "the overlay is empty") {
		t.Errorf("empty file not named in the log:\n%s", d.logs.String())
	}

	writeFile(t, file, overlay412("a")+"statuses { code: 412 reason: \"Precondition Failed\" status_class: STATUS_CLASS_CLIENT_ERROR meaning: \"b\" }\n")
	reload("duplicate statuses", 2)
	if !strings.Contains(d.logs.String(), "statuses[1] (code 412): duplicate status (also statuses[0])") {
		t.Errorf("duplicate not named by its overlay index:\n%s", d.logs.String())
	}

	writeFile(t, file, "statuses { code: 418 reason: \"x\" status_class: STATUS_CLASS_CLIENT_ERROR profiles: \"nope\" }\n")
	reload("an unknown profile", 3)
	if !strings.Contains(d.logs.String(), "overlay statuses[0] (code 418)") {
		t.Errorf("error not named by the overlay's index:\n%s", d.logs.String())
	}

	// A FIFO with no writer: opening it for reading would block for ever.
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(file, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	start := time.Now()
	reload("a FIFO", 4)
	if !strings.Contains(d.logs.String(), "not a regular file") {
		t.Errorf("FIFO not reported:\n%s", d.logs.String())
	}
	// The signal loop is free: another reload is handled.
	os.Remove(file)
	writeFile(t, file, overlay412("acme 2"))
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a reload after the FIFO", func() bool { return meaning412(t, d.base) == "acme 2" })
	t.Logf("FIFO rejected and next reload served in %v", time.Since(start).Round(time.Millisecond))
}

// metricsText returns /metrics.
func metricsText(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestRejectedRequestsRecorded: requests connect-go rejects before any
// interceptor (malformed, oversized, unsupported codec) are counted and
// logged; a client that cancels a stream is counted canceled, not unknown.
func TestRejectedRequestsRecorded(t *testing.T) {
	d := startDaemon(t, "-log-format", "json", "-read-max-bytes", "1024")
	post := func(path, ct, body string) int {
		resp, err := http.Post(d.base+path, ct, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post("/statusd.v1.StatusService/Lookup", "application/json", `{"httpStatus":`); got != 400 {
		t.Errorf("malformed: %d", got)
	}
	if got := post("/statusd.v1.StatusService/Validate", "application/json", `{"exchange":{"method":"`+strings.Repeat("G", 4096)+`"}}`); got != 429 {
		t.Errorf("oversized: %d", got)
	}
	if got := post("/statusd.v1.StatusService/Lookup", "application/xml", `<x/>`); got != 415 {
		t.Errorf("unsupported codec: %d", got)
	}
	post("/not/a/procedure", "application/json", `{}`) // 404, and not a metric label
	if got := post("/statusd.v1.StatusService/ValidateStream", "application/connect+proto", ""); got != 505 {
		t.Errorf("a bidirectional stream over HTTP/1.1: %d", got)
	}

	// A client that goes away in the middle of a stream.
	ctx, cancel := context.WithCancel(context.Background())
	stream, err := statusdv1.NewStatusServiceClient(grpcClient(t, d.addr)).ValidateStream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&statusdv1.ValidateStreamRequest{Request: &statusdv1.ValidateRequest{Exchange: &statusdv1.Exchange{Method: "GET", Status: 200}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	cancel() // grpc-go resets the stream (RST_STREAM CANCEL)
	waitFor(t, "the canceled stream in the metrics", func() bool {
		return strings.Contains(metricsText(t, d.base), `statusd_requests_total{code="canceled",procedure="/statusd.v1.StatusService/ValidateStream"} 1`)
	})

	m := metricsText(t, d.base)
	for _, want := range []string{
		`statusd_requests_total{code="invalid_argument",procedure="/statusd.v1.StatusService/Lookup"} 1`,
		`statusd_requests_total{code="resource_exhausted",procedure="/statusd.v1.StatusService/Validate"} 1`,
		`statusd_requests_total{code="unimplemented",procedure="/statusd.v1.StatusService/Lookup"} 1`,
		`statusd_requests_total{code="unimplemented",procedure="/statusd.v1.StatusService/ValidateStream"} 1`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(m, "/not/a/procedure") {
		t.Error("an unknown path became a metric label")
	}
	if n := strings.Count(d.logs.String(), `"msg":"rpc"`); n != 5 {
		t.Errorf("%d access-log lines, want 5 (4 rejected, 1 canceled):\n%s", n, d.logs.String())
	}
}

// TestDebugAddrWarning: statusd warns when pprof is reachable from the
// network, and not when it is on loopback.
func TestDebugAddrWarning(t *testing.T) {
	d := startDaemon(t, "-debug-addr", "127.0.0.1:0")
	if strings.Contains(d.logs.String(), "not a loopback address") {
		t.Errorf("warned for loopback:\n%s", d.logs.String())
	}
	wide := startDaemon(t, "-debug-addr", ":0")
	if !strings.Contains(wide.logs.String(), "-debug-addr is not a loopback address") {
		t.Errorf("no warning for :0:\n%s", wide.logs.String())
	}
}

// TestConnectionBudget: -max-connections must fit in the descriptor limit,
// with the rest split between the ports by default.
func TestConnectionBudget(t *testing.T) {
	for _, tc := range []struct {
		asked, ports int
		limit        uint64
		want         int
		err          string
	}{
		{0, 2, 1024, (1024 - spareDescriptors) / 2, ""},
		{0, 1, 1 << 20, autoMaxConnections, ""},
		{100, 2, 1024, 100, ""},
		{1000, 2, 1024, 0, "lower -max-connections to 480"},
		{0, 2, 32, 0, "needs more than"},
	} {
		got, err := connectionBudget(tc.asked, tc.ports, tc.limit)
		if got != tc.want || (tc.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%+v: %d, %v", tc, got, err)
		}
	}
}

// TestRapidResetCountedCanceled: calls the client resets a few tens of
// microseconds after sending them (an HTTP/2 rapid reset) are counted
// canceled, never unknown (before: some were unknown), over every protocol
// and both ports.
func TestRapidResetCountedCanceled(t *testing.T) {
	d, conns := bothPorts(t, "-access-log=false")
	big := &statusdv1.ValidateRequest{Exchange: &statusdv1.Exchange{Method: "GET", Status: 200}}
	for range 64 {
		big.Exchange.ResponseHeaders = append(big.Exchange.ResponseHeaders, &statusdv1.Header{Name: "x", Value: strings.Repeat("v", 1000)})
	}
	calls := []func(context.Context){}
	for _, opts := range [][]connect.ClientOption{nil, {connect.WithGRPC()}, {connect.WithGRPCWeb()}} {
		client := statusdv1connect.NewStatusServiceClient(h2cClient(), d.base, opts...)
		calls = append(calls, func(ctx context.Context) { _, _ = client.Validate(ctx, big) })
	}
	for _, conn := range conns {
		client := statusdv1.NewStatusServiceClient(conn)
		calls = append(calls, func(ctx context.Context) { _, _ = client.Validate(ctx, big) })
	}
	for _, call := range calls {
		// One finished call first, so that the connection is open and the
		// resets below reach the server instead of ending in the client
		// while it dials (on a fast machine every burst call did).
		call(context.Background())
		var wg sync.WaitGroup
		for i := range 500 {
			ctx, cancel := context.WithCancel(context.Background())
			wg.Add(1)
			go func() { defer wg.Done(); call(ctx) }()
			// Resets spread over 0-4 ms, so that some land while the server
			// reads or answers, whatever the machine's speed.
			time.AfterFunc(time.Duration(i%100)*40*time.Microsecond, cancel)
		}
		wg.Wait()
	}
	m := metricsText(t, d.base)
	if strings.Contains(m, `code="unknown"`) || strings.Contains(m, `code="internal"`) {
		t.Errorf("reset calls counted unknown or internal:\n%s", grepLines(m, "statusd_requests_total"))
	}
	if !strings.Contains(m, `statusd_requests_total{code="canceled",procedure="/statusd.v1.StatusService/Validate"}`) {
		t.Errorf("no canceled calls counted:\n%s", grepLines(m, "statusd_requests_total"))
	}
}

func grepLines(text, prefix string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
