package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"connectrpc.com/connect"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/gen/statusd/v1/statusdv1connect"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// postJSON sends body to a Connect unary method as a person with curl would
// and returns the HTTP status and the decoded answer (the response, or a
// Connect error's code and message).
func postJSON(t *testing.T, base, method, body string) (int, map[string]any) {
	t.Helper()
	res, err := http.Post(base+"/statusd.v1.StatusService/"+method, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("%s %s: %v: %s", method, body, err, data)
	}
	return res.StatusCode, out
}

// TestStrictJSON: what statusd does not understand is invalid_argument
// naming the field, never silently dropped (issue 11, found item 6).
func TestStrictJSON(t *testing.T) {
	base := startServer(t).URL
	for _, tc := range []struct {
		method, body string
		want         []string
	}{
		{"Lookup", `{"code":"CODE_OK","method":"POST","profile":["form"]}`, []string{`profile: unknown field (did you mean "profiles"?)`, "statusd.v1.LookupRequest", "absentRequestHeaders"}},
		{"Lookup", `{"httpStatus":404,"dialect":"DIALECT_GRCP"}`, []string{`dialect: unknown value "DIALECT_GRCP"; use one of DIALECT_UNSPECIFIED, DIALECT_LEVEL3,`, "DIALECT_GRPC"}},
		{"Lookup", `{"code":"CODE_NOPE"}`, []string{`code: unknown value "CODE_NOPE"; use one of CODE_OK,`}},
		{"Lookup", `{"httpStatus":412,"requestHeaders":[{"name":"if-match","valeu":"x"}]}`, []string{`valeu: unknown field`}},
		{"Lookup", `{"httpStatus":412,`, []string{"invalid JSON for statusd.v1.LookupRequest"}},
		{"Lookup", ``, []string{"empty body"}},
		{"ListStatuses", `{"statusClass":"STATUS_CLASS_NOPE"}`, []string{`statusClass: unknown value "STATUS_CLASS_NOPE"; use one of`, "STATUS_CLASS_CLIENT_ERROR"}},
		{"ListProfiles", `{"kind":"PROFILE_KIND_MIXINS"}`, []string{`kind: unknown value "PROFILE_KIND_MIXINS"; use one of`, "PROFILE_KIND_MIXIN"}},
		{"ListProfiles", `{"includePatternRole":true}`, []string{`includePatternRole: unknown field (did you mean "includePatternRoles"?)`}},
		{"Validate", `{"exchange":{"method":"GET","status":200,"responseHeader":[]}}`, []string{"responseHeader: unknown field"}},
	} {
		status, out := postJSON(t, base, tc.method, tc.body)
		msg, _ := out["message"].(string)
		if status != http.StatusBadRequest || out["code"] != "invalid_argument" {
			t.Errorf("%s %s: HTTP %d %v, want 400 invalid_argument", tc.method, tc.body, status, out)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s %s: message %q lacks %q", tc.method, tc.body, msg, w)
			}
		}
	}
	// Connect GET with a JSON message goes through the same codec.
	q := url.Values{"encoding": {"json"}, "message": {`{"httpStatus":404,"dialekt":"DIALECT_GRPC"}`}}
	res, err := http.Get(base + "/statusd.v1.StatusService/Lookup?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "dialekt: unknown field") {
		t.Errorf("GET with an unknown field: %d %s", res.StatusCode, body)
	}
	// What is understood still works, enum numbers included.
	if status, out := postJSON(t, base, "Lookup", `{"httpStatus":404,"dialect":4}`); status != 200 || out["dialect"] != "DIALECT_GRPC" {
		t.Errorf("dialect by number: %d %v", status, out)
	}
}

// TestStrictProto: a binary message with a field the schema lacks is
// refused too, naming where it sits.
func TestStrictProto(t *testing.T) {
	srv := startServer(t)
	req := &statusdv1.LookupRequest{Key: &statusdv1.LookupRequest_HttpStatus{HttpStatus: 412},
		RequestHeaders: []*statusdv1.Header{{Name: "if-match", Value: `"x"`}}}
	for _, tc := range []struct {
		name string
		edit func(*statusdv1.LookupRequest)
		want string
	}{
		{"top level", func(r *statusdv1.LookupRequest) {
			r.ProtoReflect().SetUnknown(protowire.AppendVarint(protowire.AppendTag(nil, 99, protowire.VarintType), 1))
		}, "field number 99: unknown field of statusd.v1.LookupRequest"},
		{"nested", func(r *statusdv1.LookupRequest) {
			r.RequestHeaders[0].ProtoReflect().SetUnknown(protowire.AppendVarint(protowire.AppendTag(nil, 7, protowire.VarintType), 1))
		}, "request_headers[0]: field number 7: unknown field"},
	} {
		msg := proto.CloneOf(req)
		tc.edit(msg)
		for name, client := range map[string]statusdv1connect.StatusServiceClient{
			"connect": statusdv1connect.NewStatusServiceClient(srv.Client(), srv.URL),
			"grpc":    statusdv1connect.NewStatusServiceClient(h2cClient(), srv.URL, connect.WithGRPC()),
		} {
			_, err := client.Lookup(context.Background(), msg)
			if connect.CodeOf(err) != connect.CodeInvalidArgument || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s over %s: %v, want invalid_argument %q", tc.name, name, err, tc.want)
			}
		}
	}
}

// TestLookupTriState drives the reproductions through the RPC: a
// header not given is "not said"; absent_request_headers and
// request_headers_complete say it is absent.
func TestLookupTriState(t *testing.T) {
	base := startServer(t).URL
	for _, tc := range []struct {
		body   string
		status float64
	}{
		{`{"code":"CODE_INVALID_ARGUMENT","method":"PATCH","profiles":["data"]}`, 400},
		{`{"code":"CODE_INVALID_ARGUMENT","method":"PATCH","profiles":["data"],"absentRequestHeaders":["content-type"]}`, 428},
		{`{"code":"CODE_INVALID_ARGUMENT","method":"PATCH","profiles":["data"],"requestHeadersComplete":true}`, 428},
		{`{"code":"CODE_INVALID_ARGUMENT","method":"PATCH","profiles":["data"],"requestHeaders":[{"name":"content-type","value":"application/merge-patch+json"}]}`, 400},
		{`{"code":"CODE_OK","method":"GET","profiles":["content"],"requestHeaders":[{"name":"range","value":"bytes=0-99"}]}`, 206},
		{`{"code":"CODE_OK","method":"PUT","profiles":["data","representation"],"requestHeaders":[{"name":"prefer","value":"return=\"representation\""}]}`, 200},
		{`{"code":"CODE_OK","method":"PUT","profiles":["data","representation"],"requestHeaders":[{"name":"prefer","value":"return = representation"}]}`, 200},
	} {
		status, out := postJSON(t, base, "Lookup", tc.body)
		if status != 200 || out["httpStatus"] != tc.status {
			t.Errorf("%s: HTTP %d, answer %v; want httpStatus %v", tc.body, status, out["httpStatus"], tc.status)
		}
	}
	for _, tc := range []struct{ body, want string }{
		{`{"code":"CODE_OK","absentRequestHeaders":["content type"]}`, "absent_request_headers[0]: must be a header name, an HTTP token"},
		{`{"code":"CODE_OK","absentRequestHeaders":["Content-Type"],"requestHeaders":[{"name":"content-type","value":"x"}]}`,
			`absent_request_headers[0]: "Content-Type" is also in request_headers`},
	} {
		status, out := postJSON(t, base, "Lookup", tc.body)
		if msg, _ := out["message"].(string); status != 400 || !strings.Contains(msg, tc.want) {
			t.Errorf("%s: %d %v, want 400 %q", tc.body, status, out, tc.want)
		}
	}
}
