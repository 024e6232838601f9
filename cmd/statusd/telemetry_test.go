package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
)

// TestOTLPExport runs statusd with -otel against a loopback OTLP/HTTP
// collector named by OTEL_EXPORTER_OTLP_ENDPOINT: the spans of calls on
// both ports, and metrics, arrive by the time statusd has stopped. Without
// -otel nothing is sent.
func TestOTLPExport(t *testing.T) {
	var mu sync.Mutex
	got := map[string][]byte{}
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		mu.Lock()
		got[r.URL.Path] = append(got[r.URL.Path], body...)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer collector.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)
	t.Setenv("OTEL_SERVICE_NAME", "statusd-test")

	quiet := startDaemon(t)
	_ = meaning412(t, quiet.base)
	if err := quiet.stop(t); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if len(got) != 0 {
		t.Errorf("sent telemetry without -otel: %v", len(got))
	}
	mu.Unlock()

	d, conns := bothPorts(t, "-otel")
	_ = meaning412(t, d.base)
	if _, err := statusdv1.NewStatusServiceClient(conns["grpc-go port"]).ListProfiles(context.Background(), &statusdv1.ListProfilesRequest{}); err != nil {
		t.Fatal(err)
	}
	if err := d.stop(t); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	traces := got["/v1/traces"]
	for _, want := range []string{"statusd.v1.StatusService/Lookup", "statusd.v1.StatusService/ListProfiles", "statusd-test"} {
		if !bytes.Contains(traces, []byte(want)) {
			t.Errorf("no %q in the exported spans (%d bytes)", want, len(traces))
		}
	}
	if !strings.Contains(string(got["/v1/metrics"]), "rpc.server") {
		t.Errorf("no RPC metrics exported (%d bytes)", len(got["/v1/metrics"]))
	}
}
