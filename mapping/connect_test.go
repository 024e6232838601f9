package mapping

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"connectrpc.com/connect"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
)

const connectD = statusdv1.Dialect_DIALECT_CONNECT

// The anchor tables (Connect protocol spec, "Error Codes" and "HTTP to Error
// Code"), written out again here so that a slip in connect.go shows.
var connectAnchorCodeToHTTP = map[string]int{
	"canceled": 499, "unknown": 500, "invalid_argument": 400, "deadline_exceeded": 504,
	"not_found": 404, "already_exists": 409, "permission_denied": 403, "resource_exhausted": 429,
	"failed_precondition": 400, "aborted": 409, "out_of_range": 400, "unimplemented": 501,
	"internal": 500, "unavailable": 503, "data_loss": 500, "unauthenticated": 401,
}

var connectAnchorHTTPToCode = map[int]string{
	400: "internal", 401: "unauthenticated", 403: "permission_denied", 404: "unimplemented",
	429: "unavailable", 502: "unavailable", 503: "unavailable", 504: "unavailable",
}

func TestConnectNamesMatchConnectGo(t *testing.T) {
	for i := range numCodes {
		code := statusdv1.Code(i)
		want := ""
		if i != 0 {
			want = connect.Code(i).String()
		}
		if got := ConnectName(code); got != want {
			t.Errorf("ConnectName(%v) = %q, connect-go says %q", code, got, want)
		}
		if i == 0 {
			continue
		}
		if back, ok := CodeForConnectName(want); !ok || back != code {
			t.Errorf("CodeForConnectName(%q) = %v, %v", want, back, ok)
		}
	}
	for _, bad := range []statusdv1.Code{-1, 17, 99} {
		if ConnectName(bad) != "" || ValidCode(bad) {
			t.Errorf("code %d treated as valid", bad)
		}
	}
	for _, bad := range []string{"", "ok", "OK", "Not_Found", "code_17"} {
		if _, ok := CodeForConnectName(bad); ok {
			t.Errorf("CodeForConnectName(%q) found a code", bad)
		}
	}
}

func TestConnectCodeToHTTP(t *testing.T) {
	for i := range numCodes {
		code := statusdv1.Code(i)
		tr, err := CodeToHTTP(connectD, code, Context{})
		if err != nil {
			t.Fatal(err)
		}
		want := 200
		if i != 0 {
			want = connectAnchorCodeToHTTP[ConnectName(code)]
		}
		if tr.HTTPStatus != want || tr.Code != code || tr.Dialect != connectD {
			t.Errorf("CodeToHTTP(%v) = %+v, want HTTP %d", code, tr, want)
		}
		if !strings.Contains(tr.Rationale, fmt.Sprint(want)) || len(tr.Citations) == 0 {
			t.Errorf("CodeToHTTP(%v): rationale %q, citations %v", code, tr.Rationale, tr.Citations)
		}
	}
	for _, bad := range []statusdv1.Code{17, 99, -1} {
		tr, err := CodeToHTTP(connectD, bad, Context{})
		if err != nil || tr.HTTPStatus != 500 || tr.Code != bad {
			t.Errorf("CodeToHTTP(%d) = %+v, %v; want 500", bad, tr, err)
		}
	}
}

func TestConnectHTTPToCode(t *testing.T) {
	for status := MinStatus; status <= MaxStatus; status++ {
		tr, err := HTTPToCode(connectD, status, Context{})
		if err != nil {
			t.Fatal(err)
		}
		want := statusdv1.Code_CODE_UNKNOWN
		if name, ok := connectAnchorHTTPToCode[status]; ok {
			want, _ = CodeForConnectName(name)
		}
		if status == 200 {
			want = statusdv1.Code_CODE_OK
		}
		if tr.Code != want || tr.HTTPStatus != status {
			t.Errorf("HTTPToCode(%d) = %v, want %v", status, tr.Code, want)
		}
	}
	for _, bad := range []int{-1, 0, 99, 600, 1000} {
		tr, err := HTTPToCode(connectD, bad, Context{})
		if err != nil || tr.Code != statusdv1.Code_CODE_UNKNOWN || tr.HTTPStatus != bad || !strings.Contains(tr.Rationale, "outside") {
			t.Errorf("HTTPToCode(%d) = %+v, %v; want unknown", bad, tr, err)
		}
	}
}

// TestConnectDialectAgreesWithConnectGo checks the Connect tables against
// connect-go itself: the status its handler writes for each code, and the
// code its client infers from a bare HTTP status.
func TestConnectDialectAgreesWithConnectGo(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/code/", connect.NewUnaryHandler("/code/",
		func(ctx context.Context, req *connect.Request[statusdv1.LookupRequest]) (*connect.Response[statusdv1.LookupResponse], error) {
			return nil, connect.NewError(connect.Code(req.Msg.GetCode()), errors.New("x"))
		}))
	mux.HandleFunc("/status/", func(w http.ResponseWriter, r *http.Request) {
		var status int
		fmt.Sscan(strings.TrimPrefix(r.URL.Path, "/status/"), &status)
		w.WriteHeader(status)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	for i := 1; i < numCodes; i++ {
		code := statusdv1.Code(i)
		body := fmt.Sprintf(`{"code":%d}`, i)
		resp, err := http.Post(srv.URL+"/code/", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		tr, _ := CodeToHTTP(connectD, code, Context{})
		if resp.StatusCode != tr.HTTPStatus {
			t.Errorf("%v: connect-go writes %d, CodeToHTTP says %d", code, resp.StatusCode, tr.HTTPStatus)
		}
	}
	for status := 201; status <= MaxStatus; status++ {
		if status == 204 || status == 304 || (status >= 300 && status < 400) {
			continue // no body allowed, or the client follows the redirect
		}
		client := connect.NewClient[statusdv1.LookupRequest, statusdv1.LookupResponse](
			srv.Client(), fmt.Sprintf("%s/status/%d", srv.URL, status))
		_, err := client.CallUnary(context.Background(), connect.NewRequest(&statusdv1.LookupRequest{}))
		tr, _ := HTTPToCode(connectD, status, Context{})
		if got := connect.CodeOf(err); int(got) != int(tr.Code) {
			t.Errorf("HTTP %d: connect-go infers %v, HTTPToCode says %v", status, got, ConnectName(tr.Code))
		}
	}
}

func TestUnsupportedDialect(t *testing.T) {
	d := statusdv1.Dialect(42)
	if _, err := HTTPToCode(d, 404, Context{}); !errors.Is(err, ErrUnsupportedDialect) {
		t.Errorf("HTTPToCode: err = %v", err)
	}
	if _, err := CodeToHTTP(d, 5, Context{}); !errors.Is(err, ErrUnsupportedDialect) {
		t.Errorf("CodeToHTTP: err = %v", err)
	}
	if DialectSupported(d) || !DialectSupported(connectD) {
		t.Error("Supported is wrong")
	}
}
