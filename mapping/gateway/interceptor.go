package gateway

import (
	"context"
	"errors"
	"net/http"

	"connectrpc.com/connect"
)

// Interceptor returns a Connect handler interceptor that gives every error a
// handler returns an HttpStatusDetail: the status the error's code maps to
// in the Translator's dialect and profiles, for the request's headers
// (if-match, range, expect, prefer). An error that already carries a detail
// keeps it. REST front ends further on (WriteError, Middleware, any
// gateway that reads the detail) then answer with that exact status.
// Clients are not affected.
func (t *Translator) Interceptor() connect.Interceptor {
	return &interceptor{t: t}
}

type interceptor struct{ t *Translator }

func (i *interceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		res, err := next(ctx, req)
		if err != nil && !req.Spec().IsClient {
			err = i.annotate(err, req.Header())
		}
		return res, err
	}
}

func (i *interceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (i *interceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		if err := next(ctx, conn); err != nil {
			return i.annotate(err, conn.RequestHeader())
		}
		return nil
	}
}

// annotate attaches the detail; a plain error becomes an unknown Connect
// error first, as connect-go would make it.
func (i *interceptor) annotate(err error, header http.Header) error {
	var cerr *connect.Error
	if !errors.As(err, &cerr) {
		cerr = connect.NewError(connect.CodeUnknown, err)
	}
	if _, ok := StatusDetail(cerr); ok {
		return err
	}
	return WithStatusDetail(cerr, i.t.StatusOf(cerr, "", headersOf(header)))
}
