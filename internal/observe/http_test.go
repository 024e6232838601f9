package observe

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	dto "github.com/prometheus/client_model/go"
)

type dtoMetric = dto.Metric

// TestRecordHTTPExtendsRecord keeps the cache's line the RPC line plus two
// fields, so the two cannot drift apart, and counts it in the metrics.
func TestRecordHTTPExtendsRecord(t *testing.T) {
	var a, b bytes.Buffer
	strip := func(s string) string { // drop the time, which differs
		_, rest, _ := strings.Cut(s, " ")
		return strings.TrimSuffix(rest, "\n")
	}
	call := Call{Procedure: "/s/M", Protocol: "connect", Peer: "1.2.3.4:5", Code: connect.CodeNotFound, Duration: time.Millisecond}
	(&Recorder{Log: slog.New(slog.NewTextHandler(&a, nil))}).Record(context.Background(), call)
	m := NewMetrics()
	(&Recorder{Metrics: m, Log: slog.New(slog.NewTextHandler(&b, nil))}).RecordHTTP(context.Background(), call, 304, "hit")
	if want := strip(a.String()) + " http_status=304 cache=hit"; strip(b.String()) != want {
		t.Errorf("cache line\n%s\nis not the RPC line plus http_status and cache:\n%s", strip(b.String()), want)
	}
	var pb dtoMetric
	if err := m.requests.WithLabelValues("/s/M", "not_found").Write(&pb); err != nil || pb.GetCounter().GetValue() != 1 {
		t.Errorf("counted %v times (%v)", pb.GetCounter().GetValue(), err)
	}
	var nilRec *Recorder
	nilRec.RecordHTTP(context.Background(), call, 200, "hit") // records nothing, no panic
}
