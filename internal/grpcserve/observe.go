package grpcserve

import (
	"context"
	"errors"
	"time"

	"connectrpc.com/connect"
	"github.com/statusd/statusd/internal/observe"
	"google.golang.org/grpc"
	"google.golang.org/grpc/peer"
	grpcstatus "google.golang.org/grpc/status"
)

// observer records calls through the Recorder the Connect port uses.
type observer struct{ rec *observe.Recorder }

func (o *observer) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
	start := time.Now()
	res, err := next(ctx, req)
	o.record(ctx, info.FullMethod, err, time.Since(start))
	return res, err
}

func (o *observer) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, next grpc.StreamHandler) error {
	start := time.Now()
	err := next(srv, ss)
	o.record(ss.Context(), info.FullMethod, err, time.Since(start))
	return err
}

func (o *observer) record(ctx context.Context, method string, err error, d time.Duration) {
	addr := ""
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		addr = p.Addr.String()
	}
	code := connect.Code(grpcstatus.Code(err))
	if err != nil && errors.Is(ctx.Err(), context.Canceled) && code == connect.CodeUnknown {
		code = connect.CodeCanceled
	}
	o.rec.Record(ctx, observe.Call{Procedure: method, Protocol: "grpc-go", Peer: addr, Code: code, Duration: d})
}
