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

// exposition returns what /metrics would serve.
func exposition(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}

func TestMetricsExposition(t *testing.T) {
	m := NewMetrics()
	m.Observe("/a.v1.S/Get", 0, 30*time.Microsecond)
	m.Observe("/a.v1.S/Get", connect.CodeNotFound, 2*time.Millisecond)
	m.Observe("/a.v1.S/Get", 0, 20*time.Second)
	m.SetCatalog(`ed "1"`, "abc")
	m.CatalogLoaded(true, "e2", "def")
	m.CatalogLoaded(false, "", "")
	out := exposition(t, m)
	for _, want := range []string{
		`statusd_requests_total{code="ok",procedure="/a.v1.S/Get"} 2`,
		`statusd_requests_total{code="not_found",procedure="/a.v1.S/Get"} 1`,
		`statusd_request_duration_seconds_bucket{procedure="/a.v1.S/Get",le="5e-05"} 1`,
		`statusd_request_duration_seconds_bucket{procedure="/a.v1.S/Get",le="0.0025"} 2`,
		`statusd_request_duration_seconds_bucket{procedure="/a.v1.S/Get",le="10"} 2`,
		`statusd_request_duration_seconds_bucket{procedure="/a.v1.S/Get",le="+Inf"} 3`,
		`statusd_request_duration_seconds_count{procedure="/a.v1.S/Get"} 3`,
		`statusd_catalog_reloads_total{result="ok"} 1`,
		`statusd_catalog_reloads_total{result="error"} 1`,
		`statusd_catalog_info{edition="e2",hash="def"} 1`,
		"# TYPE statusd_request_duration_seconds histogram",
		"# TYPE go_goroutines gauge",
		"# TYPE process_open_fds gauge",
		"# TYPE go_build_info gauge",
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, `edition="ed`) {
		t.Error("the catalog replaced by a reload is still reported")
	}
	m.SetCatalog("a\"b\\c\nd", "h")
	if out := exposition(t, m); !strings.Contains(out, `edition="a\"b\\c\nd"`) {
		t.Errorf("label not escaped:\n%s", out)
	}
}

// TestCodeNamesFollowConnect checks every Connect code gets its own name,
// from connect's enum rather than a copy of it.
func TestCodeNamesFollowConnect(t *testing.T) {
	seen := map[string]bool{}
	for c := connect.Code(0); ; c++ {
		name := CodeName(c)
		if strings.HasPrefix(name, "code_") { // connect's name for a code it does not know
			if c < 17 {
				t.Errorf("code %d has no name", c)
			}
			break
		}
		if seen[name] {
			t.Errorf("code %d: name %q used twice", c, name)
		}
		seen[name] = true
	}
	if !seen["ok"] || !seen["canceled"] || !seen["unauthenticated"] {
		t.Errorf("names: %v", seen)
	}
}

func TestMetricsConcurrent(t *testing.T) {
	m := NewMetrics()
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
	if out := exposition(t, m); !strings.Contains(out, `statusd_request_duration_seconds_count{procedure="/pa"} 4000`) {
		t.Errorf("lost observations:\n%s", out)
	}
}

func TestSampling(t *testing.T) {
	var logs bytes.Buffer
	rec := &Recorder{Log: slog.New(slog.NewTextHandler(&logs, nil)), SampleEvery: 10}
	for range 100 {
		rec.Record(context.Background(), Call{Procedure: "/p", Code: 0})
	}
	for range 3 {
		rec.Record(context.Background(), Call{Procedure: "/p", Code: connect.CodeInternal})
	}
	if ok, bad := strings.Count(logs.String(), "code=ok"), strings.Count(logs.String(), "code=internal"); ok != 10 || bad != 3 {
		t.Errorf("sampled 1 in 10: %d ok lines, %d error lines", ok, bad)
	}
	var nilRec *Recorder
	nilRec.Record(context.Background(), Call{}) // records nothing, does not panic
}

func TestCodeOfCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if c := codeOf(ctx, errors.New("read: connection reset")); c != connect.CodeCanceled {
		t.Errorf("a client gone away: %v", c)
	}
	if c := codeOf(ctx, connect.NewError(connect.CodeNotFound, errors.New("x"))); c != connect.CodeNotFound {
		t.Errorf("a real code is kept: %v", c)
	}
	if c := codeOf(context.Background(), errors.New("boom")); c != connect.CodeUnknown {
		t.Errorf("plain error: %v", c)
	}
}

func TestInterceptorLogsAndCounts(t *testing.T) {
	m := NewMetrics()
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	rec := &Recorder{Metrics: m, Log: logger}
	opts := connect.WithInterceptors(Interceptor(rec))
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
	unary := connect.NewClient[statusdv1.Header, statusdv1.Header](srv.Client(), srv.URL+"/t.v1.T/Unary", connect.WithInterceptors(Interceptor(rec)))
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
	out := exposition(t, m)
	for _, s := range []string{`code="ok",procedure="/t.v1.T/Unary"} 1`, `code="not_found",procedure="/t.v1.T/Unary"} 1`, `code="aborted",procedure="/t.v1.T/Stream"} 1`} {
		if !strings.Contains(out, s) {
			t.Errorf("metrics lack %s:\n%s", s, out)
		}
	}
}
