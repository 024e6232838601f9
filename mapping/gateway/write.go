package gateway

import (
	"errors"
	"net/http"

	"connectrpc.com/connect"
)

// WriteError writes err as the HTTP response of a REST front end: the
// status StatusOfRequest gives (an HttpStatusDetail in 400-599 wins; never
// anything but a 4xx or 5xx), an RFC 9457 application/problem+json body
// (the backend's problem when the error carries one, with its type,
// instance and extension members; the Connect code as the extension member
// "code"; no message for a plain Go error, and the redaction hook's for a
// 5xx), and the carried headers of the error's detail or metadata, with
// the fields the status requires (see RequiredHeaders). Connect errors,
// grpc-go status errors and errors wrapping them are read.
//
// A nil err (or a nil *connect.Error in an error interface) is a bug in the
// caller and is answered as unknown (500); r may be nil.
func (t *Translator) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	if _, _, isErr := classify(err); !isErr {
		err = connect.NewError(connect.CodeUnknown, errors.New("gateway: WriteError called without an error"))
	}
	if r != nil {
		t = t.in(r.Context())
	}
	t.writeProblem(w, t.StatusOfRequest(err, r), err, inspect(err))
}
