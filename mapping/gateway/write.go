package gateway

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"connectrpc.com/connect"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
)

// WriteError writes err as the HTTP response of a REST front end: the status
// StatusOf gives for the request (an HttpStatusDetail wins), an RFC 9457
// application/problem+json body with the Connect code as the extension
// member "code", the retry-after and www-authenticate headers the error
// carries in its HttpStatusDetail or its metadata, and for 401 a www-authenticate challenge
// ("Bearer" when the error carries none), which RFC 9110 requires. A nil err
// is a bug in the caller and is answered as unknown (500).
func (t *Translator) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	if err == nil {
		err = connect.NewError(connect.CodeUnknown, errors.New("gateway: WriteError called without an error"))
	}
	var method string
	var headers []*statusdv1.Header
	if r != nil {
		method, headers = r.Method, headersOf(r.Header)
	}
	t.writeProblem(w, t.StatusOf(err, method, headers), err)
}

func (t *Translator) writeProblem(w http.ResponseWriter, status int, err error) {
	p := problem{Type: "about:blank", Status: status, Title: http.StatusText(status)}
	if entry, ok := t.catalog.Status(status); ok {
		p.Title = entry.GetReason()
	}
	var cerr *connect.Error
	if errors.As(err, &cerr) {
		p.Detail = cerr.Message()
		p.Code = cerr.Code().String()
		d, _ := Detail(cerr)
		for _, name := range passedHeaders {
			for _, h := range d.GetHeaders() {
				if strings.EqualFold(h.GetName(), name) {
					w.Header().Add(name, h.GetValue())
				}
			}
			if w.Header().Get(name) != "" {
				continue
			}
			for _, v := range cerr.Meta().Values(name) {
				w.Header().Add(name, v)
			}
		}
	} else if err != nil {
		p.Detail = err.Error()
		p.Code = connect.CodeUnknown.String()
	}
	if status == http.StatusUnauthorized && w.Header().Get("Www-Authenticate") == "" {
		w.Header().Set("Www-Authenticate", "Bearer")
	}
	body, _ := json.Marshal(p) // cannot fail: strings and ints
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
