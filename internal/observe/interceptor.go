package observe

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"
)

// Call is one RPC as a transport saw it.
type Call struct {
	Procedure string // "/statusd.v1.StatusService/Lookup"
	Protocol  string // connect, grpc, grpcweb, grpc-go
	Peer      string
	Code      connect.Code // 0: ok
	Duration  time.Duration
}

// Recorder records calls in Metrics and writes their access-log lines.
// Every transport statusd serves reports through it, so the metrics and
// log lines read the same whatever the protocol. A nil *Recorder records
// nothing.
type Recorder struct {
	// Metrics, if not nil, counts every call.
	Metrics *Metrics
	// Log, if not nil, gets one line per call logged.
	Log *slog.Logger
	// SampleEvery logs one successful call in this many (errors are always
	// logged): 0 or 1 logs every call.
	SampleEvery uint64

	seen atomic.Uint64
}

// Record records one call.
func (r *Recorder) Record(ctx context.Context, c Call) {
	r.record(ctx, c)
}

// record is Record with attributes appended to the access-log line.
func (r *Recorder) record(ctx context.Context, c Call, extra ...slog.Attr) {
	if r == nil {
		return
	}
	if r.Metrics != nil {
		r.Metrics.Observe(c.Procedure, c.Code, c.Duration)
	}
	if r.Log == nil {
		return
	}
	if c.Code == 0 && r.SampleEvery > 1 && r.seen.Add(1)%r.SampleEvery != 1 {
		return
	}
	attrs := append([]slog.Attr{
		slog.String("procedure", c.Procedure),
		slog.String("protocol", c.Protocol),
		slog.String("code", CodeName(c.Code)),
		slog.Duration("duration", c.Duration),
		slog.String("peer", c.Peer),
	}, extra...)
	r.Log.LogAttrs(ctx, slog.LevelInfo, "rpc", attrs...)
}

// codeOf is the code of a call that ended with err in ctx: a client that
// went away is canceled, whatever error the read or write it interrupted
// made of it.
func codeOf(ctx context.Context, err error) connect.Code {
	if err == nil {
		return 0
	}
	code := connect.CodeOf(err)
	if errors.Is(ctx.Err(), context.Canceled) && (code == connect.CodeUnknown || code == connect.CodeInternal) {
		return connect.CodeCanceled
	}
	return code
}

// Interceptor returns a Connect handler interceptor that records every RPC
// through rec (which may be nil).
func Interceptor(rec *Recorder) connect.Interceptor {
	return &interceptor{rec: rec}
}

type interceptor struct{ rec *Recorder }

func (i *interceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().IsClient {
			return next(ctx, req)
		}
		start := time.Now()
		res, err := next(ctx, req)
		i.record(ctx, req.Spec().Procedure, req.Peer(), err, time.Since(start))
		return res, err
	}
}

func (i *interceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (i *interceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		start := time.Now()
		err := next(ctx, conn)
		i.record(ctx, conn.Spec().Procedure, conn.Peer(), err, time.Since(start))
		return err
	}
}

func (i *interceptor) record(ctx context.Context, procedure string, peer connect.Peer, err error, d time.Duration) {
	markRecorded(ctx)
	i.rec.Record(ctx, Call{Procedure: procedure, Protocol: peer.Protocol, Peer: peer.Addr, Code: codeOf(ctx, err), Duration: d})
}
