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
	r.record(ctx, c, slog.Int("http_status", httpStatus), slog.String("cache", cache))
}
