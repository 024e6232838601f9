package gateway

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"connectrpc.com/connect"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/mapping"
	"google.golang.org/protobuf/types/known/anypb"
)

// maxErrorBody bounds how much of an error body is read.
const maxErrorBody = 64 << 10

// passedHeaders are the response headers an error keeps in its
// HttpStatusDetail, so that a REST front end can send them on (WriteError
// does).
var passedHeaders = []string{"Retry-After", "Www-Authenticate"}

// ErrorFromResponse turns an upstream HTTP response into a Connect error:
// the code its status means in the Translator's dialect and profiles (for
// the request's method and headers, when resp.Request is set), an
// HttpStatusDetail with the exact status and the response's retry-after and
// www-authenticate headers. The message is taken from the
// body when it is an RFC 9457 problem (detail, else title) or a Connect
// error (whose code then wins too); otherwise it is the status line.
//
// It returns nil when the status means success (a 2xx, or a Level 3
// redirect for Action, Lookup or Alias). It reads at most 64 KiB of the
// body and does not close it.
func (t *Translator) ErrorFromResponse(resp *http.Response) *connect.Error {
	var method string
	var reqHeaders []*statusdv1.Header
	if resp.Request != nil {
		method = resp.Request.Method
		reqHeaders = headersOf(resp.Request.Header)
	}
	code := t.CodeOf(resp.StatusCode, method, reqHeaders)
	if code == 0 {
		return nil
	}
	message := strings.TrimSpace(resp.Status)
	if message == "" {
		message = http.StatusText(resp.StatusCode)
	}
	var details []*connect.ErrorDetail
	if body, err := readBody(resp.Body); err == nil && len(body) > 0 {
		switch mediaType(resp.Header.Get("Content-Type")) {
		case "application/problem+json":
			if m := problemMessage(body); m != "" {
				message = m
			}
		case "application/json":
			if wire, ok := parseConnectError(body); ok {
				if c, ok := connectCode(wire.Code); ok {
					code = c
				}
				if wire.Message != "" {
					message = wire.Message
				}
				details = wire.details()
			}
		case "text/plain":
			if s := strings.TrimSpace(string(body)); s != "" && len(s) <= 1024 && !strings.ContainsAny(s, "\r\n") {
				message = s
			}
		}
	}
	cerr := connect.NewError(code, errors.New(message))
	for _, d := range details {
		cerr.AddDetail(d)
	}
	var keep []*statusdv1.Header
	for _, name := range passedHeaders {
		for _, v := range resp.Header.Values(name) {
			keep = append(keep, &statusdv1.Header{Name: strings.ToLower(name), Value: v})
		}
	}
	return WithStatusDetail(cerr, resp.StatusCode, keep...)
}

func readBody(r io.Reader) ([]byte, error) {
	if r == nil {
		return nil, nil
	}
	return io.ReadAll(io.LimitReader(r, maxErrorBody))
}

func mediaType(contentType string) string {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	return mt
}

// headersOf converts request headers for mapping.Context.
func headersOf(h http.Header) []*statusdv1.Header {
	var out []*statusdv1.Header
	for name, values := range h {
		for _, v := range values {
			out = append(out, &statusdv1.Header{Name: name, Value: v})
		}
	}
	return out
}

// problem is the part of an RFC 9457 problem details object that gateway
// reads and writes.
type problem struct {
	Type   string `json:"type,omitempty"`
	Title  string `json:"title,omitempty"`
	Status int    `json:"status,omitempty"`
	Detail string `json:"detail,omitempty"`
	// Code is an extension member: the Connect code of the error.
	Code string `json:"code,omitempty"`
}

func problemMessage(body []byte) string {
	var p problem
	if json.Unmarshal(body, &p) != nil {
		return ""
	}
	if p.Detail != "" {
		return p.Detail
	}
	return p.Title
}

// wireError is the Connect protocol's JSON error body.
type wireError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Details []struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	} `json:"details"`
}

// parseConnectError parses a Connect error body; ok is false if body is not
// one (it must at least carry a code or a message).
func parseConnectError(body []byte) (wireError, bool) {
	var w wireError
	if json.Unmarshal(body, &w) != nil || (w.Code == "" && w.Message == "") {
		return w, false
	}
	return w, true
}

// details decodes the error details; a detail that does not decode is
// dropped.
func (w wireError) details() []*connect.ErrorDetail {
	var out []*connect.ErrorDetail
	for _, d := range w.Details {
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

// connectCode parses a Connect wire code name, such as "not_found".
func connectCode(name string) (connect.Code, bool) {
	c, ok := mapping.CodeForConnectName(name)
	return connect.Code(c), ok
}
