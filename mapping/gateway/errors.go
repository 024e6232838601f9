package gateway

import (
	"errors"
	"net/http"
	"reflect"

	"connectrpc.com/connect"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"google.golang.org/grpc/codes"
	grpcstatus "google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

// detailType is the full name of HttpStatusDetail, as error details name it.
const detailType = "statusd.v1.HttpStatusDetail"

// grpcStatusError is what grpc-go's status.FromError looks for.
type grpcStatusError interface{ GRPCStatus() *grpcstatus.Status }

// classify reads the code of err and the status of its HttpStatusDetail
// (0 when it carries none in 400-599); isErr is false for nil and for a nil
// *connect.Error in a non-nil interface (the typed nil of
// `var e *connect.Error; return e`), which stand for success. The common
// case, a *connect.Error itself, costs a type switch and no allocation.
func classify(err error) (code connect.Code, status int, isErr bool) {
	switch e := err.(type) {
	case nil:
		return 0, 0, false
	case *connect.Error:
		if e == nil {
			return 0, 0, false
		}
		return e.Code(), connectDetailStatus(e), true
	}
	var cerr *connect.Error
	if errors.As(err, &cerr) {
		if cerr == nil { // a wrapped typed nil: an error, but an unknown one
			return connect.CodeUnknown, 0, true
		}
		return cerr.Code(), connectDetailStatus(cerr), true
	}
	var gerr grpcStatusError
	if errors.As(err, &gerr) {
		if s := grpcStatusOf(gerr); s != nil {
			d := grpcDetail(s)
			return connect.Code(s.Code()), int(d.GetHttpStatus()), true
		}
	}
	return connect.CodeUnknown, 0, true
}

// grpcStatusOf calls GRPCStatus, nil-safe; an OK status in an error is
// treated as no status.
func grpcStatusOf(e grpcStatusError) *grpcstatus.Status {
	defer func() { _ = recover() }() // a GRPCStatus method on a nil receiver may panic
	s := e.GRPCStatus()
	if s == nil || s.Code() == 0 {
		return nil
	}
	return s
}

// connectDetailStatus returns the status of the first HttpStatusDetail of
// cerr with a status in 400-599, decoding only field 1 of its bytes.
func connectDetailStatus(cerr *connect.Error) int {
	for _, d := range cerr.Details() {
		if d == nil || d.Type() != detailType {
			continue
		}
		if s := wireStatus(d.Bytes()); errorStatus(s) {
			return s
		}
	}
	return 0
}

// wireStatus reads http_status (field 1, varint) from an encoded
// HttpStatusDetail without unmarshalling it; 0 if absent or malformed.
func wireStatus(b []byte) int {
	status := 0
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return 0
		}
		b = b[n:]
		if num == 1 && typ == protowire.VarintType {
			v, m := protowire.ConsumeVarint(b)
			if m < 0 {
				return 0
			}
			status = int(int32(v)) // proto3: the last value wins
			b = b[m:]
			continue
		}
		m := protowire.ConsumeFieldValue(num, typ, b)
		if m < 0 {
			return 0
		}
		b = b[m:]
	}
	return status
}

// grpcDetail returns the first HttpStatusDetail in 400-599 among the
// details of a grpc-go status.
func grpcDetail(s *grpcstatus.Status) *statusdv1.HttpStatusDetail {
	for _, a := range s.Proto().GetDetails() {
		if d := anyDetail(a); d != nil {
			return d
		}
	}
	return nil
}

func anyDetail(a *anypb.Any) *statusdv1.HttpStatusDetail {
	if typeName(a.GetTypeUrl()) != detailType {
		return nil
	}
	d := new(statusdv1.HttpStatusDetail)
	if proto.Unmarshal(a.GetValue(), d) != nil || !errorStatus(int(d.GetHttpStatus())) {
		return nil
	}
	return d
}

func typeName(url string) string {
	for i := len(url) - 1; i >= 0; i-- {
		if url[i] == '/' {
			return url[i+1:]
		}
	}
	return url
}

// HTTPStatusDetail returns the first HttpStatusDetail of err with a status
// in 400-599, whether err is (or wraps) a *connect.Error or a grpc-go status
// error. A detail with any other status is no status an error can be
// answered with and is ignored.
func HTTPStatusDetail(err error) (*statusdv1.HttpStatusDetail, bool) {
	v := inspect(err)
	return v.detail, v.detail != nil
}

// HTTPStatus returns the status of err's HttpStatusDetail (see
// HTTPStatusDetail), if it has one.
func HTTPStatus(err error) (int, bool) {
	_, status, isErr := classify(err)
	return status, isErr && status != 0
}

// WithHTTPStatus returns a copy of err (a *connect.Error, a grpc-go status
// error, or any error, which becomes unknown) carrying an HttpStatusDetail
// with status and the given response headers, for the REST client at the
// end. err itself is never modified. It returns err unchanged when err
// already carries a detail, when status is not a 4xx or 5xx (an error is
// never answered with anything else), and nil for a nil err.
func WithHTTPStatus(err error, status int, header http.Header) error {
	if _, _, isErr := classify(err); !isErr {
		return nil
	}
	if !errorStatus(status) {
		return err
	}
	if _, ok := HTTPStatus(err); ok {
		return err
	}
	return withDetail(err, &statusdv1.HttpStatusDetail{HttpStatus: int32(status), Headers: headerList(header, nil)})
}

// withDetail returns a copy of err with detail added: a grpc-go status error
// stays one, anything else becomes a *connect.Error.
func withDetail(err error, detail *statusdv1.HttpStatusDetail) error {
	var cerr *connect.Error
	if !errors.As(err, &cerr) || cerr == nil {
		var gerr grpcStatusError
		if errors.As(err, &gerr) {
			if s := grpcStatusOf(gerr); s != nil {
				p := s.Proto()
				if a, aerr := anypb.New(detail); aerr == nil {
					p.Details = append(p.Details, a)
				}
				return grpcstatus.ErrorProto(p)
			}
		}
		out := connect.NewError(connect.CodeUnknown, err)
		out.AddDetail(statusDetail(detail))
		return out
	}
	out := copyError(cerr, cerr.Unwrap())
	out.AddDetail(statusDetail(detail))
	return out
}

// asConnect returns the *connect.Error err is or wraps, nil if none.
func asConnect(err error) *connect.Error {
	var cerr *connect.Error
	if errors.As(err, &cerr) {
		return cerr
	}
	return nil
}

// grpcDetails returns the details of the grpc-go status err is or wraps.
func grpcDetails(err error) []*anypb.Any {
	var gerr grpcStatusError
	if errors.As(err, &gerr) {
		if s := grpcStatusOf(gerr); s != nil {
			return s.Proto().GetDetails()
		}
	}
	return nil
}

// copyError returns a new *connect.Error with cerr's code, metadata and
// details around underlying.
// An undefined code, or OK, becomes unknown: no protocol can send either
// as an error.
func copyError(cerr *connect.Error, underlying error) *connect.Error {
	code := cerr.Code()
	if !validCode(code) {
		code = connect.CodeUnknown
	}
	out := connect.NewError(code, underlying)
	for k, v := range errorMeta(cerr) {
		out.Meta()[k] = v
	}
	for _, d := range cerr.Details() {
		out.AddDetail(d)
	}
	return out
}

// errorMeta returns a copy of cerr's metadata without calling Meta, which
// allocates the map on first use: a write, and so a data race when the
// error is a shared value read by concurrent requests. connect-go reads the
// field directly; so does this, through reflect (read-only), and it finds
// no metadata should the field ever change name or type.
func errorMeta(cerr *connect.Error) http.Header {
	f := reflect.ValueOf(cerr).Elem().FieldByName("meta")
	if !f.IsValid() || f.Type() != reflect.TypeFor[http.Header]() || f.Len() == 0 {
		return nil
	}
	out := make(http.Header, f.Len())
	iter := f.MapRange()
	for iter.Next() {
		values := iter.Value()
		list := make([]string, values.Len())
		for i := range list {
			list[i] = values.Index(i).String()
		}
		out[iter.Key().String()] = list
	}
	return out
}

// statusDetail wraps detail for connect-go; it cannot fail for a generated
// message.
func statusDetail(detail *statusdv1.HttpStatusDetail) *connect.ErrorDetail {
	d, err := connect.NewErrorDetail(detail)
	if err != nil {
		panic("gateway: HttpStatusDetail does not marshal: " + err.Error())
	}
	return d
}

// errorView is everything gateway reads from an error to answer it.
type errorView struct {
	isErr   bool
	code    connect.Code
	message string
	// plain is true for an error that carries no code (neither Connect nor
	// gRPC): its message is a Go error string, never meant for a client.
	plain  bool
	detail *statusdv1.HttpStatusDetail
	meta   http.Header
}

// inspect reads err fully (decoding the detail), nil-safe.
func inspect(err error) errorView {
	if _, _, isErr := classify(err); !isErr {
		return errorView{}
	}
	var cerr *connect.Error
	if errors.As(err, &cerr) {
		if cerr == nil {
			return errorView{isErr: true, code: connect.CodeUnknown, plain: true}
		}
		v := errorView{isErr: true, code: cerr.Code(), message: cerr.Message(), meta: errorMeta(cerr)}
		for _, d := range cerr.Details() {
			if d == nil || d.Type() != detailType {
				continue
			}
			if msg, verr := d.Value(); verr == nil {
				if hd, ok := msg.(*statusdv1.HttpStatusDetail); ok && errorStatus(int(hd.GetHttpStatus())) {
					v.detail = hd
					break
				}
			}
		}
		return v
	}
	var gerr grpcStatusError
	if errors.As(err, &gerr) {
		if s := grpcStatusOf(gerr); s != nil {
			return errorView{isErr: true, code: connect.Code(s.Code()), message: s.Message(), detail: grpcDetail(s)}
		}
	}
	return errorView{isErr: true, code: connect.CodeUnknown, message: err.Error(), plain: true}
}

// clientMessage is the message a client may see for err answered with
// status: the redaction hook's choice for a 5xx, nothing for a plain error
// without a hook, the error's message otherwise.
func (t *Translator) clientMessage(err error, v errorView, status int) string {
	if t.redact != nil && status >= 500 {
		return t.redact(err, status)
	}
	if v.plain {
		return ""
	}
	return v.message
}

// redacted is an error whose message was replaced for the client; errors.Is
// and errors.As still reach the original.
type redacted struct {
	msg string
	err error
}

func (r *redacted) Error() string { return r.msg }
func (r *redacted) Unwrap() error { return r.err }

// grpcCode converts a Connect code for grpc-go; the 17 codes are the same
// numbers, and an undefined one is Unknown.
func grpcCode(c connect.Code) codes.Code {
	if c == 0 || c > connect.CodeUnauthenticated {
		return codes.Unknown
	}
	return codes.Code(c)
}

// detailAny returns the Any a Connect error detail travels in.
func detailAny(d *connect.ErrorDetail) *anypb.Any {
	return &anypb.Any{TypeUrl: "type.googleapis.com/" + d.Type(), Value: d.Bytes()}
}
