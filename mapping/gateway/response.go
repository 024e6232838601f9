package gateway

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"connectrpc.com/connect"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/mapping"
	"github.com/statusd/statusd/mapping/header"
	"google.golang.org/protobuf/types/known/anypb"
)

// maxErrorBody bounds how much of an error body is read.
const maxErrorBody = 64 << 10

// ErrorFromResponse turns an upstream HTTP response into an error, or nil
// when the response is a success:
//
//   - every 2xx is a success, in every dialect;
//   - a 3xx is a success when the dialect says so (Level 3: 304 Not
//     Modified, and 303/307/308 for Action, Lookup and Alias resources) and
//     an error otherwise (a client that follows redirects never sees one);
//   - a 1xx (only 101 can end a response in net/http) is an error: an RPC
//     cannot relay a protocol switch;
//   - a 4xx or 5xx is an error.
//
// The error's code is the one the status means in the Translator's dialect
// and profiles (for the request's method and headers, when resp.Request is
// set), or the code of the body when the body is an error of the protocol
// that sent it and its status is the one that protocol sends for that code
// (a Connect body, grpc-gateway's {"code":5,...} or an AIP-193
// {"error":{...}}): a REST body that merely has a "code" member keeps the
// status's code. The message comes from the body (RFC 9457 detail or
// title, the error's message in the three shapes above, or short plain
// text), else it is the status line. The error carries an HttpStatusDetail
// with the status (502 Bad Gateway for a 1xx or 3xx, which no error can be
// answered with), the carried headers of the response and its RFC 9457
// problem, if any.
//
// It reads at most 64 KiB of the body and does not close it. A nil resp is
// an internal error.
func (t *Translator) ErrorFromResponse(resp *http.Response) error {
	if resp == nil {
		return connect.NewError(connect.CodeInternal, errors.New("gateway: ErrorFromResponse called without a response"))
	}
	status := resp.StatusCode
	var method string
	var reqHeaders []*statusdv1.Header
	if resp.Request != nil {
		method = resp.Request.Method
		reqHeaders = Headers(resp.Request.Header)
	}
	code := t.CodeForStatus(status, method, reqHeaders)
	switch {
	case status >= 200 && status <= 299:
		return nil
	case status >= 300 && status <= 399 && code == 0:
		return nil
	case code == 0:
		code = connect.CodeUnknown
	}
	message := strings.TrimSpace(resp.Status)
	if message == "" {
		message = fmt.Sprintf("%d %s", status, t.title(status))
	}
	b := parseBody(resp.Header.Get("Content-Type"), resp.Body, status)
	if b.code != 0 {
		code = b.code
	}
	if b.message != "" {
		message = b.message
	}
	cerr := connect.NewError(code, errors.New(message))
	for _, d := range b.details {
		cerr.AddDetail(d)
	}
	if connectDetailStatus(cerr) != 0 {
		return cerr // the upstream's own detail is the exact status
	}
	detailStatus := status
	if !errorStatus(status) {
		detailStatus = http.StatusBadGateway
	}
	cerr.AddDetail(statusDetail(&statusdv1.HttpStatusDetail{
		HttpStatus: int32(detailStatus),
		Headers:    headerList(resp.Header, t.carried),
		Problem:    problemStruct(b.problem),
	}))
	return cerr
}

// body is what an error body says.
type body struct {
	code    connect.Code
	message string
	details []*connect.ErrorDetail
	problem map[string]any
}

// parseBody reads at most maxErrorBody of r and recognises an RFC 9457
// problem, a Connect error, a grpc-gateway error, an AIP-193 error or
// short plain text.
func parseBody(contentType string, r io.Reader, status int) body {
	data, err := readBody(r)
	if err != nil || len(data) == 0 {
		return body{}
	}
	switch mediaType(contentType) {
	case "application/problem+json":
		return problemBody(data)
	case "application/json":
		return jsonBody(data, status)
	case "text/plain":
		if s := strings.TrimSpace(string(data)); s != "" && len(s) <= 1024 && !strings.ContainsAny(s, "\r\n") {
			return body{message: s}
		}
	}
	return body{}
}

func problemBody(data []byte) body {
	var members map[string]any
	if json.Unmarshal(data, &members) != nil {
		return body{}
	}
	b := body{problem: members}
	if s, ok := members["detail"].(string); ok && s != "" {
		b.message = s
	} else if s, ok := members["title"].(string); ok {
		b.message = s
	}
	return b
}

// jsonBody recognises the JSON error shapes of RPC stacks. A shape's code
// is believed only when status is what its protocol sends for that code.
func jsonBody(data []byte, status int) body {
	var raw struct {
		Code    json.RawMessage `json:"code"`
		Message *string         `json:"message"`
		Details []wireDetail    `json:"details"`
		Error   *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
			Status  string `json:"status"`
		} `json:"error"`
	}
	if json.Unmarshal(data, &raw) != nil {
		return body{}
	}
	var b body
	if raw.Message != nil {
		b.message = *raw.Message
	}
	var name string
	var number int
	switch {
	case json.Unmarshal(raw.Code, &name) == nil && name != "":
		// Connect: "code":"not_found".
		if c, ok := mapping.CodeForConnectName(name); ok && sentByConnect(c, status) {
			b.code = connect.Code(c)
			b.details = decodeDetails(raw.Details)
		}
	case json.Unmarshal(raw.Code, &number) == nil:
		// grpc-gateway: "code":5, the status from runtime.HTTPStatusFromCode.
		if c := statusdv1.Code(number); c > 0 && mapping.ValidCode(c) &&
			mapping.StatusForCode(statusdv1.Dialect_DIALECT_GRPC_GATEWAY, c) == status {
			b.code = connect.Code(c)
		}
	case raw.Error != nil:
		// AIP-193: {"error":{"code":404,"message":"...","status":"NOT_FOUND"}}.
		b.message = raw.Error.Message
		if v, ok := statusdv1.Code_value["CODE_"+raw.Error.Status]; ok && v > 0 && raw.Error.Code == status &&
			mapping.StatusForCode(statusdv1.Dialect_DIALECT_GRPC_GATEWAY, statusdv1.Code(v)) == status {
			b.code = connect.Code(v)
		}
	}
	return b
}

// sentByConnect reports whether a Connect server (current or before
// 2024-03) answers code with status.
func sentByConnect(c statusdv1.Code, status int) bool {
	return mapping.StatusForCode(statusdv1.Dialect_DIALECT_CONNECT, c) == status ||
		mapping.StatusForCode(statusdv1.Dialect_DIALECT_CONNECT_LEGACY, c) == status
}

func readBody(r io.Reader) ([]byte, error) {
	if r == nil {
		return nil, nil
	}
	return io.ReadAll(io.LimitReader(r, maxErrorBody))
}

// mediaType returns the lower-case type/subtype of a content-type value,
// "" if it has none; parameters are not read, so it allocates nothing for
// the usual lower-case values.
func mediaType(contentType string) string {
	mt, _, _ := strings.Cut(contentType, ";")
	mt = strings.TrimSpace(mt)
	typ, sub, ok := strings.Cut(mt, "/")
	if !ok || !header.IsToken(typ) || !header.IsToken(sub) || typ == "" || sub == "" {
		return ""
	}
	return strings.ToLower(mt)
}

// wireDetail is one detail of the Connect protocol's JSON error body.
type wireDetail struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// wireError is the Connect protocol's JSON error body.
type wireError struct {
	Code    string       `json:"code"`
	Message string       `json:"message"`
	Details []wireDetail `json:"details"`
}

// parseConnectError parses a Connect error body sent with status; ok is
// false if it is not one: its code must be a Connect code that a Connect
// server answers with status.
func parseConnectError(data []byte, status int) (wireError, connect.Code, bool) {
	var w wireError
	if json.Unmarshal(data, &w) != nil {
		return w, 0, false
	}
	c, ok := mapping.CodeForConnectName(w.Code)
	if !ok || !sentByConnect(c, status) {
		return w, 0, false
	}
	return w, connect.Code(c), true
}

// decodeDetails decodes the error details; a detail that does not decode
// is dropped.
func decodeDetails(details []wireDetail) []*connect.ErrorDetail {
	var out []*connect.ErrorDetail
	for _, d := range details {
		value, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(d.Value, "="))
		if err != nil || d.Type == "" {
			continue
		}
		detail, err := connect.NewErrorDetail(&anypb.Any{TypeUrl: "type.googleapis.com/" + d.Type, Value: value})
		if err == nil {
			out = append(out, detail)
		}
	}
	return out
}
