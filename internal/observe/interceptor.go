package observe

import (
	"context"
	"log/slog"
	"time"

	"connectrpc.com/connect"
)

// Interceptor returns a Connect handler interceptor that records every RPC
// in m (if not nil) and writes one access-log line per RPC to logger (if
// not nil): procedure, protocol, code, duration, peer.
func Interceptor(m *Metrics, logger *slog.Logger) connect.Interceptor {
	return &interceptor{m: m, log: logger}
}

type interceptor struct {
	m   *Metrics
	log *slog.Logger
}

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
	code := connect.Code(0)
	if err != nil {
		code = connect.CodeOf(err)
	}
	Record(ctx, i.m, i.log, procedure, peer.Protocol, peer.Addr, code, d)
}

// Record records one RPC in m (if not nil) and writes its access-log line
// to logger (if not nil). Every transport statusd serves reports through it,
// so the metrics and log lines read the same whatever the protocol.
func Record(ctx context.Context, m *Metrics, logger *slog.Logger, procedure, protocol, peer string, code connect.Code, d time.Duration) {
	if m != nil {
		m.Observe(procedure, code, d)
	}
	if logger != nil {
		logger.LogAttrs(ctx, slog.LevelInfo, "rpc",
			slog.String("procedure", procedure),
			slog.String("protocol", protocol),
			slog.String("code", codeName(int(code))),
			slog.Duration("duration", d),
			slog.String("peer", peer))
	}
}
