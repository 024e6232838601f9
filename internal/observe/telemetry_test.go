package observe

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthgrpc "google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// TestTelemetryInMemory checks both instrumentations record a span and the
// RPC duration metric per call, through in-memory exporters.
func TestTelemetryInMemory(t *testing.T) {
	spans := tracetest.NewInMemoryExporter()
	reader := sdkmetric.NewManualReader()
	tel := NewTelemetry(sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans)), sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)))
	defer tel.Shutdown(context.Background())

	// Connect: a unary handler behind the interceptor.
	interceptor, err := tel.ConnectInterceptor()
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/t.v1.T/Unary", connect.NewUnaryHandler("/t.v1.T/Unary",
		func(ctx context.Context, r *connect.Request[statusdv1.Header]) (*connect.Response[statusdv1.Header], error) {
			return connect.NewResponse(&statusdv1.Header{}), nil
		}, connect.WithInterceptors(interceptor)))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	client := connect.NewClient[statusdv1.Header, statusdv1.Header](srv.Client(), srv.URL+"/t.v1.T/Unary")
	if _, err := client.CallUnary(context.Background(), connect.NewRequest(&statusdv1.Header{})); err != nil {
		t.Fatal(err)
	}

	// grpc-go: health behind the stats handler.
	gs := grpc.NewServer(tel.GRPCServerOption())
	healthpb.RegisterHealthServer(gs, healthgrpc.NewServer())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = gs.Serve(ln) }()
	defer gs.Stop()
	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := healthpb.NewHealthClient(conn).Check(context.Background(), &healthpb.HealthCheckRequest{}); err != nil {
		t.Fatal(err)
	}

	// The server side ends its span and records its duration after the
	// client has its answer: poll.
	var names, metrics []string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		names, metrics = collected(t, spans, reader)
		if slices.Contains(names, "t.v1.T/Unary") && slices.Contains(names, "grpc.health.v1.Health/Check") &&
			slices.Contains(metrics, "connectrpc.com/otelconnect rpc.server.call.duration") &&
			slices.ContainsFunc(metrics, func(m string) bool {
				return strings.HasPrefix(m, "go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc ")
			}) {
			return
		}
	}
	t.Errorf("spans %q, metrics %q: want a span and a duration metric from each instrumentation", names, metrics)
}

func collected(t *testing.T, spans *tracetest.InMemoryExporter, reader *sdkmetric.ManualReader) (names, metrics []string) {
	t.Helper()
	for _, s := range spans.GetSpans() {
		names = append(names, s.Name)
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			metrics = append(metrics, sm.Scope.Name+" "+m.Name)
		}
	}
	return names, metrics
}
