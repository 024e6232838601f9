package observe

import (
	"context"
	"log/slog"
)

// RecordHTTP is Record for a call answered in front of connect-go's
// interceptors (by the answer cache): the same metrics and the same line,
// which also says the HTTP status (200, 304, 412 or an error's) and how the
// cache answered, so that 304s and cache hits show like any other answer.
func (r *Recorder) RecordHTTP(ctx context.Context, c Call, httpStatus int, cache string) {
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
	r.Log.LogAttrs(ctx, slog.LevelInfo, "rpc",
		slog.String("procedure", c.Procedure),
		slog.String("protocol", c.Protocol),
		slog.String("code", CodeName(c.Code)),
		slog.Duration("duration", c.Duration),
		slog.String("peer", c.Peer),
		slog.Int("http_status", httpStatus),
		slog.String("cache", cache))
}
