package gateway

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"

	"connectrpc.com/connect"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
)

// Transport returns an http.RoundTripper for a Connect handler's outbound
// REST calls: responses with a 4xx or 5xx status become the error
// ErrorFromResponse makes of them (the body is read up to 64 KiB, drained
// and closed), so an http.Client returns it wrapped in a *url.Error, which
// connect-go, StatusOf and errors.As see through. 1xx-3xx responses pass
// on, so the client still follows redirects. A failure to get any response
// becomes canceled (the request's context was canceled), deadline_exceeded
// with a 504 detail (a timeout) or unavailable with a 502 detail (anything
// else), whose message does not reveal the upstream's address; the
// original error stays reachable with errors.Is and errors.As. base nil
// means http.DefaultTransport.
//
// Bound the call with a context deadline rather than http.Client.Timeout,
// which replaces the error with a string and so loses its code.
//
// A RoundTripper normally leaves responses to its caller; this one is
// meant for code whose only use of an error status is to return it.
func (t *Translator) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{t: t, base: base}
}

type transport struct {
	t    *Translator
	base http.RoundTripper
}

func (rt *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := rt.base.RoundTrip(req)
	if err != nil {
		return nil, outboundError(req.Context(), err)
	}
	if resp.StatusCode < 400 {
		return resp, nil
	}
	if resp.Request == nil {
		resp.Request = req
	}
	rerr := rt.t.in(req.Context()).ErrorFromResponse(resp)
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
	_ = resp.Body.Close()
	return nil, rerr
}

// outboundError classifies a failure to get a response.
func outboundError(ctx context.Context, err error) error {
	var nerr net.Error
	switch {
	case errors.Is(err, context.Canceled) || ctx.Err() == context.Canceled:
		return connect.NewError(connect.CodeCanceled, &redacted{msg: "upstream request canceled", err: err})
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &nerr) && nerr.Timeout()):
		cerr := connect.NewError(connect.CodeDeadlineExceeded, &redacted{msg: "upstream timed out", err: err})
		cerr.AddDetail(statusDetail(&statusdv1.HttpStatusDetail{HttpStatus: http.StatusGatewayTimeout}))
		return cerr
	}
	cerr := connect.NewError(connect.CodeUnavailable, &redacted{msg: "upstream unreachable", err: err})
	cerr.AddDetail(statusDetail(&statusdv1.HttpStatusDetail{HttpStatus: http.StatusBadGateway}))
	return cerr
}
