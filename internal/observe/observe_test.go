package observe

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
)

func TestMetricsExposition(t *testing.T) {
	var m Metrics
	m.Observe("/a.v1.S/Get", 0, 30*time.Microsecond)
	m.Observe("/a.v1.S/Get", connect.CodeNotFound, 2*time.Millisecond)
	m.Observe("/a.v1.S/Get", 0, 10*time.Second)
	m.Observe("/a.v1.S/Get", connect.Code(99), time.Millisecond) // an invalid code counts in the histogram only
	m.SetCatalog(`ed "1"`, "abc")
	m.CatalogLoaded(true, "e2", "def")
	m.CatalogLoaded(false, "", "")
	var b strings.Builder
	if err := m.WritePrometheus(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		`statusd_requests_total{procedure="/a.v1.S/Get",code="ok"} 2`,
		`statusd_requests_total{procedure="/a.v1.S/Get",code="not_found"} 1`,
		`statusd_request_duration_seconds_bucket{procedure="/a.v1.S/Get",le="5e-05"} 1`,
		`statusd_request_duration_seconds_bucket{procedure="/a.v1.S/Get",le="0.0025"} 3`,
		`statusd_request_duration_seconds_bucket{procedure="/a.v1.S/Get",le="5"} 3`,
		`statusd_request_duration_seconds_bucket{procedure="/a.v1.S/Get",le="+Inf"} 4`,
		`statusd_request_duration_seconds_count{procedure="/a.v1.S/Get"} 4`,
		`statusd_catalog_reloads_total{result="ok"} 1`,
		`statusd_catalog_reloads_total{result="error"} 1`,
		`statusd_catalog_info{edition="e2",hash="def"} 1`,
		"# TYPE statusd_request_duration_seconds histogram",
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	m.SetCatalog("a\"b\\c\nd", "h")
	b.Reset()
	_ = m.WritePrometheus(&b)
	if !strings.Contains(b.String(), `edition="a\"b\\c\nd"`) {
		t.Errorf("label not escaped:\n%s", b.String())
	}
}

func TestMetricsConcurrent(t *testing.T) {
	var m Metrics
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1000 {
				m.Observe("/p"+string(rune('a'+g%2)), connect.Code(i%3), time.Duration(i)*time.Microsecond)
			}
		}()
	}
	wg.Wait()
	var b strings.Builder
	_ = m.WritePrometheus(&b)
	if !strings.Contains(b.String(), `statusd_request_duration_seconds_count{procedure="/pa"} 4000`) {
		t.Errorf("lost observations:\n%s", b.String())
	}
}

func TestInterceptorLogsAndCounts(t *testing.T) {
	var m Metrics
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	opts := connect.WithInterceptors(Interceptor(&m, logger))
	mux := http.NewServeMux()
	mux.Handle("/t.v1.T/Unary", connect.NewUnaryHandler("/t.v1.T/Unary",
		func(ctx context.Context, r *connect.Request[statusdv1.Header]) (*connect.Response[statusdv1.Header], error) {
			if r.Msg.GetName() == "fail" {
				return nil, connect.NewError(connect.CodeNotFound, errors.New("no"))
			}
			return connect.NewResponse(&statusdv1.Header{}), nil
		}, opts))
	mux.Handle("/t.v1.T/Stream", connect.NewServerStreamHandler("/t.v1.T/Stream",
		func(ctx context.Context, r *connect.Request[statusdv1.Header], s *connect.ServerStream[statusdv1.Header]) error {
			return connect.NewError(connect.CodeAborted, errors.New("x"))
		}, opts))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	unary := connect.NewClient[statusdv1.Header, statusdv1.Header](srv.Client(), srv.URL+"/t.v1.T/Unary", connect.WithInterceptors(Interceptor(&m, logger)))
	_, _ = unary.CallUnary(context.Background(), connect.NewRequest(&statusdv1.Header{Name: "ok"}))
	_, _ = unary.CallUnary(context.Background(), connect.NewRequest(&statusdv1.Header{Name: "fail"}))
	stream, err := connect.NewClient[statusdv1.Header, statusdv1.Header](srv.Client(), srv.URL+"/t.v1.T/Stream", connect.WithGRPCWeb()).
		CallServerStream(context.Background(), connect.NewRequest(&statusdv1.Header{}))
	if err == nil {
		for stream.Receive() {
		}
		stream.Close()
	}

	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		lines = append(lines, rec)
	}
	if len(lines) != 3 {
		t.Fatalf("%d log lines (the client side must not log):\n%s", len(lines), logs.String())
	}
	want := []struct{ procedure, protocol, code string }{
		{"/t.v1.T/Unary", "connect", "ok"}, {"/t.v1.T/Unary", "connect", "not_found"}, {"/t.v1.T/Stream", "grpcweb", "aborted"},
	}
	for i, w := range want {
		l := lines[i]
		if l["msg"] != "rpc" || l["procedure"] != w.procedure || l["protocol"] != w.protocol || l["code"] != w.code || l["peer"] == "" || l["duration"] == nil {
			t.Errorf("line %d: %v, want %v", i, l, w)
		}
	}
	var b strings.Builder
	_ = m.WritePrometheus(&b)
	for _, s := range []string{`procedure="/t.v1.T/Unary",code="ok"} 1`, `procedure="/t.v1.T/Unary",code="not_found"} 1`, `procedure="/t.v1.T/Stream",code="aborted"} 1`} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("metrics lack %s:\n%s", s, b.String())
		}
	}
}
