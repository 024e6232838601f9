package gateway

import (
	"context"
	"errors"
	"net/http"

	"connectrpc.com/connect"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
)

// Interceptor returns a Connect handler interceptor that gives every error a
// handler returns an HttpStatusDetail: the status the error's code maps to
// in the dialect and profiles (of the Translator in the request's context,
// else t), for the request's headers (if-match, range, expect, prefer). The
// Connect request's HTTP method is not the resource's: the status is the
// RPC's, as Middleware computes it. An error that already carries a detail
// keeps it.
//
// The handler's error is never modified: the interceptor returns a copy
// (same code, message, metadata, details and wrapped error, plus the
// detail), so a package-level error value stays the same for every
// request. A plain Go error becomes an unknown Connect error whose message
// is withheld (see WithRedaction). A handler that returns a nil
// *connect.Error as its error has succeeded; if it returned no response
// either, that is an internal error. Clients are not affected.
func (t *Translator) Interceptor() connect.Interceptor {
	return &interceptor{t: t}
}

type interceptor struct{ t *Translator }

func (i *interceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		res, err := next(ctx, req)
		if req.Spec().IsClient {
			return res, err
		}
		if _, _, isErr := classify(err); !isErr {
			if res == nil {
				return nil, i.t.in(ctx).annotate(connect.NewError(connect.CodeInternal,
					errors.New("gateway: handler returned neither a response nor an error")), req.Header())
			}
			return res, nil
		}
		return res, i.t.in(ctx).annotate(err, req.Header())
	}
}

func (i *interceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (i *interceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		err := next(ctx, conn)
		if _, _, isErr := classify(err); !isErr {
			return nil
		}
		return i.t.in(ctx).annotate(err, conn.RequestHeader())
	}
}

// annotate returns a copy of err with the detail (and the client message
// redaction applied), as the Connect error connect-go would send.
func (t *Translator) annotate(err error, header http.Header) error {
	v := inspect(err)
	status := v.detailStatus()
	if status == 0 {
		status = t.codeStatus(v.code, "", Headers(header))
	}
	message := t.clientMessage(err, v, status)
	var out *connect.Error
	if cerr := asConnect(err); cerr != nil {
		if v.detail != nil && message == v.message && validCode(cerr.Code()) {
			return err
		}
		underlying := cerr.Unwrap()
		if message != cerr.Message() {
			underlying = &redacted{msg: message, err: err}
		}
		out = copyError(cerr, underlying)
	} else {
		// A grpc-go status error or a plain error, as connect-go would
		// send it, but with its code and details kept.
		out = connect.NewError(v.code, &redacted{msg: message, err: err})
		for _, a := range grpcDetails(err) {
			if d, derr := connect.NewErrorDetail(a); derr == nil {
				out.AddDetail(d)
			}
		}
	}
	if v.detail == nil {
		out.AddDetail(statusDetail(&statusdv1.HttpStatusDetail{HttpStatus: int32(status)}))
	}
	return out
}

// validCode reports whether c is an error code: not OK, and defined.
func validCode(c connect.Code) bool { return c > 0 && c <= connect.CodeUnauthenticated }

func (v errorView) detailStatus() int {
	return int(v.detail.GetHttpStatus())
}
