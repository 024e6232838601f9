package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	validatepb "buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"connectrpc.com/connect"
	"connectrpc.com/grpcreflect"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/gen/statusd/v1/statusdv1connect"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestGRPCAddr checks the grpc-go port: the same answers and errors as the
// Connect port, streams, health, reflection, metrics and access log.
func TestGRPCAddr(t *testing.T) {
	grpcAddr := freeLoopbackAddr(t)
	d := startDaemon(t, "-grpc-addr", grpcAddr, "-log-format", "json", "-drain-delay", "1s")
	conn, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx := context.Background()

	got := &statusdv1.LookupResponse{}
	if err := conn.Invoke(ctx, statusdv1connect.StatusServiceLookupProcedure, lookup412, got); err != nil {
		t.Fatal(err)
	}
	want, err := statusdv1connect.NewStatusServiceClient(http.DefaultClient, d.base).Lookup(ctx, lookup412)
	if err != nil || !proto.Equal(got, want) {
		t.Errorf("grpc-go port and Connect port answer differently: %v", err)
	}
	for _, m := range []struct {
		method   string
		req, res proto.Message
	}{
		{statusdv1connect.StatusServiceListStatusesProcedure, &statusdv1.ListStatusesRequest{Level3Only: true}, &statusdv1.ListStatusesResponse{}},
		{statusdv1connect.StatusServiceListProfilesProcedure, &statusdv1.ListProfilesRequest{}, &statusdv1.ListProfilesResponse{}},
		{statusdv1connect.StatusServiceValidateProcedure, &statusdv1.ValidateRequest{Exchange: &statusdv1.Exchange{Method: "GET", Status: 404}}, &statusdv1.ValidateResponse{}},
	} {
		if err := conn.Invoke(ctx, m.method, m.req, m.res); err != nil {
			t.Errorf("%s: %v", m.method, err)
		}
	}

	// Errors: protovalidate's, with the Violations detail, and the service's own.
	err = conn.Invoke(ctx, statusdv1connect.StatusServiceLookupProcedure,
		&statusdv1.LookupRequest{Key: &statusdv1.LookupRequest_HttpStatus{HttpStatus: 600}}, &statusdv1.LookupResponse{})
	st := status.Convert(err)
	if st.Code() != codes.InvalidArgument || !strings.Contains(st.Message(), "http_status: must be greater than or equal to 100") ||
		len(st.Details()) != 1 {
		t.Errorf("status 600: %v %v", st, st.Details())
	} else if _, ok := st.Details()[0].(*validatepb.Violations); !ok {
		t.Errorf("detail %T", st.Details()[0])
	}
	err = conn.Invoke(ctx, statusdv1connect.StatusServiceLookupProcedure,
		&statusdv1.LookupRequest{Key: &statusdv1.LookupRequest_HttpStatus{HttpStatus: 404}, Profiles: []string{"foo"}}, &statusdv1.LookupResponse{})
	if st := status.Convert(err); st.Code() != codes.InvalidArgument || !strings.Contains(st.Message(), `profiles[0]: unknown profile "foo"`) {
		t.Errorf("unknown profile: %v", st)
	}

	// ValidateStream: in order, and an invalid exchange ends it.
	stream, err := conn.NewStream(ctx, &grpc.StreamDesc{ClientStreams: true, ServerStreams: true}, statusdv1connect.StatusServiceValidateStreamProcedure)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []int32{200, 404, 700} {
		req := &statusdv1.ValidateStreamRequest{Request: &statusdv1.ValidateRequest{Exchange: &statusdv1.Exchange{Method: "GET", Status: s}}}
		if err := stream.SendMsg(req); err != nil {
			break
		}
	}
	_ = stream.CloseSend()
	var results []uint64
	for {
		res := &statusdv1.ValidateStreamResponse{}
		if err = stream.RecvMsg(res); err != nil {
			break
		}
		results = append(results, res.GetIndex())
	}
	if len(results) != 2 || results[1] != 1 || status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "request.exchange.status") {
		t.Errorf("stream: %v, %v", results, err)
	}
	bad := &statusdv1.ValidateStreamRequest{Request: &statusdv1.ValidateRequest{Exchange: &statusdv1.Exchange{Method: "GET", Status: 200}, Profiles: []string{"x"}}}
	stream, _ = conn.NewStream(ctx, &grpc.StreamDesc{ClientStreams: true, ServerStreams: true}, statusdv1connect.StatusServiceValidateStreamProcedure)
	_ = stream.SendMsg(bad)
	_ = stream.CloseSend()
	if err := stream.RecvMsg(&statusdv1.ValidateStreamResponse{}); !strings.Contains(err.Error(), `request.profiles[0]: unknown profile "x"`) {
		t.Errorf("stream with an unknown profile: %v", err)
	}

	// Reflection lists the service; health says SERVING.
	rs := grpcreflect.NewClient(h2cClient(), "http://"+grpcAddr, connect.WithGRPC()).NewStream(ctx)
	names, err := rs.ListServices()
	rs.Close()
	if err != nil || !strings.Contains(strings.Join(namesOf(names), ","), "statusd.v1.StatusService") {
		t.Errorf("reflection: %v %v", names, err)
	}
	health := healthpb.NewHealthClient(conn)
	if res, err := health.Check(ctx, &healthpb.HealthCheckRequest{Service: "statusd.v1.StatusService"}); err != nil ||
		res.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("health: %v %v", res, err)
	}

	// Metrics and the access log see the grpc-go calls.
	resp, err := http.Get(d.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(metrics), `statusd_requests_total{code="invalid_argument",procedure="/statusd.v1.StatusService/Lookup"} 2`) {
		t.Errorf("metrics:\n%s", metrics)
	}
	if !strings.Contains(d.logs.String(), `"protocol":"grpc-go"`) {
		t.Error("no grpc-go line in the access log")
	}

	// Drain: health turns NOT_SERVING, then the port closes cleanly.
	stopped := make(chan error, 1)
	go func() { stopped <- d.stop(t) }()
	waitFor(t, "NOT_SERVING on the grpc-go port", func() bool {
		res, err := health.Check(ctx, &healthpb.HealthCheckRequest{Service: "statusd.v1.StatusService"})
		return err == nil && res.GetStatus() == healthpb.HealthCheckResponse_NOT_SERVING
	})
	if err := <-stopped; err != nil {
		t.Errorf("run returned %v", err)
	}
}

func namesOf[T ~string](in []T) []string {
	out := make([]string, len(in))
	for i, n := range in {
		out[i] = string(n)
	}
	return out
}

func TestGRPCAddrTaken(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	err = run(context.Background(), []string{"-addr", "127.0.0.1:0", "-grpc-addr", taken.Addr().String()}, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "-grpc-addr") {
		t.Errorf("err = %v", err)
	}
}
