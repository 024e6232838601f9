package observe

import (
	"context"
	"log/slog"
	"time"

	"connectrpc.com/connect"
)

// RecordHTTP is Record for a call answered in front of connect-go's
// interceptors (by the answer cache): the same metrics and the same line,
// which also says the HTTP status (200, 304, 412 or an error's) and how the
// cache answered, so that 304s and cache hits show like any other answer.
func RecordHTTP(ctx context.Context, m *Metrics, logger *slog.Logger, procedure, protocol, peer string, code connect.Code, d time.Duration, httpStatus int, cache string) {
	if m != nil {
		m.Observe(procedure, code, d)
	}
	if logger != nil {
		logger.LogAttrs(ctx, slog.LevelInfo, "rpc",
			slog.String("procedure", procedure),
			slog.String("protocol", protocol),
			slog.String("code", codeName(int(code))),
			slog.Duration("duration", d),
			slog.String("peer", peer),
			slog.Int("http_status", httpStatus),
			slog.String("cache", cache))
	}
}
