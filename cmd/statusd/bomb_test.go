package main

import (
	"context"
	"strings"
	"testing"

	"connectrpc.com/connect"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/gen/statusd/v1/statusdv1connect"
	"github.com/statusd/statusd/mapping/conformance"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding/gzip"
	"google.golang.org/protobuf/proto"
)

// TestProfileBombBothPorts sends the attack (120 profile lines of
// 4096 tokens, gzipped) to the daemon's main port over gRPC and Connect,
// and to -grpc-addr with grpc-go: every answer stays small.
func TestProfileBombBothPorts(t *testing.T) {
	grpcAddr := freeLoopbackAddr(t)
	d := startDaemon(t, "-grpc-addr", grpcAddr)
	line := strings.TrimSuffix(strings.Repeat("a,", 4096), ",")
	bomb := &statusdv1.ValidateRequest{Exchange: &statusdv1.Exchange{Method: "GET", Status: 200}}
	for range 120 {
		bomb.Exchange.ResponseHeaders = append(bomb.Exchange.ResponseHeaders, &statusdv1.Header{Name: "profile", Value: line})
	}
	check := func(name string, res *statusdv1.ValidateResponse, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if size := proto.Size(res); size > 16<<10 || len(res.GetFindings()) > conformance.MaxFindings || res.GetFindings()[0].GetCount() < 2 {
			t.Errorf("%s: %d bytes, %d findings", name, size, len(res.GetFindings()))
		}
	}
	ctx := context.Background()
	for name, opts := range map[string][]connect.ClientOption{"connect": {connect.WithSendGzip()}, "grpc": {connect.WithGRPC(), connect.WithSendGzip()}} {
		res, err := statusdv1connect.NewStatusServiceClient(h2cClient(), d.base, opts...).Validate(ctx, bomb)
		check("main port "+name, res, err)
	}
	conn, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	res := &statusdv1.ValidateResponse{}
	err = conn.Invoke(ctx, statusdv1connect.StatusServiceValidateProcedure, bomb, res, grpc.UseCompressor(gzip.Name))
	check("-grpc-addr", res, err)
}
