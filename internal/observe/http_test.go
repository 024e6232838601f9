package observe

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
)

// TestRecordHTTPExtendsRecord keeps the cache's line the RPC line plus two
// fields, so the two cannot drift apart, and counts it in the metrics.
func TestRecordHTTPExtendsRecord(t *testing.T) {
	var a, b bytes.Buffer
	strip := func(s string) string { // drop the time, which differs
		_, rest, _ := strings.Cut(s, " ")
		return strings.TrimSuffix(rest, "\n")
	}
	var m Metrics
	Record(context.Background(), nil, slog.New(slog.NewTextHandler(&a, nil)), "/s/M", "connect", "1.2.3.4:5", connect.CodeNotFound, time.Millisecond)
	RecordHTTP(context.Background(), &m, slog.New(slog.NewTextHandler(&b, nil)), "/s/M", "connect", "1.2.3.4:5", connect.CodeNotFound, time.Millisecond, 304, "hit")
	if want := strip(a.String()) + " http_status=304 cache=hit"; strip(b.String()) != want {
		t.Errorf("cache line\n%s\nis not the RPC line plus http_status and cache:\n%s", strip(b.String()), want)
	}
	var out strings.Builder
	_ = m.WritePrometheus(&out)
	if !strings.Contains(out.String(), `statusd_requests_total{procedure="/s/M",code="not_found"} 1`) {
		t.Errorf("not counted:\n%s", out.String())
	}
}
