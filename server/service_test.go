package server

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"connectrpc.com/connect"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/gen/statusd/v1/statusdv1connect"
	"github.com/statusd/statusd/internal/loopback"
	"github.com/statusd/statusd/mapping"
	"google.golang.org/protobuf/proto"
)

// startServer serves the handler on a loopback port with HTTP/1.1 and h2c,
// as cmd/statusd does.
func startServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle(NewHandler(New(mapping.DefaultCatalog())))
	return loopback.Serve(t, mux)
}

var h2cClient = loopback.H2CClient

// clients returns a client for every protocol and codec statusd serves.
func clients(t *testing.T, srv *httptest.Server) map[string]statusdv1connect.StatusServiceClient {
	return map[string]statusdv1connect.StatusServiceClient{
		"connect+proto":     statusdv1connect.NewStatusServiceClient(srv.Client(), srv.URL),
		"connect+json":      statusdv1connect.NewStatusServiceClient(srv.Client(), srv.URL, connect.WithProtoJSON()),
		"connect GET":       statusdv1connect.NewStatusServiceClient(srv.Client(), srv.URL, connect.WithHTTPGet()),
		"connect GET+json":  statusdv1connect.NewStatusServiceClient(srv.Client(), srv.URL, connect.WithHTTPGet(), connect.WithProtoJSON()),
		"grpc (h2c)":        statusdv1connect.NewStatusServiceClient(h2cClient(), srv.URL, connect.WithGRPC()),
		"grpc-web":          statusdv1connect.NewStatusServiceClient(srv.Client(), srv.URL, connect.WithGRPCWeb()),
		"grpc-web (h2c)":    statusdv1connect.NewStatusServiceClient(h2cClient(), srv.URL, connect.WithGRPCWeb()),
		"connect+json (h2)": statusdv1connect.NewStatusServiceClient(h2cClient(), srv.URL, connect.WithProtoJSON()),
	}
}

func TestLookupSameOverEveryProtocol(t *testing.T) {
	srv := startServer(t)
	ctx := context.Background()
	for _, req := range []*statusdv1.LookupRequest{
		{Key: &statusdv1.LookupRequest_HttpStatus{HttpStatus: 412}},
		{Key: &statusdv1.LookupRequest_HttpStatus{HttpStatus: 412}, Dialect: statusdv1.Dialect_DIALECT_CONNECT},
		{Key: &statusdv1.LookupRequest_Code{Code: statusdv1.Code_CODE_OK}, Method: "POST", Profiles: []string{"form"}},
		{Key: &statusdv1.LookupRequest_Code{Code: statusdv1.Code_CODE_ABORTED}, Method: "PUT",
			Profiles:       []string{"https://level3.rest/profiles/data", "http://level3.rest/profiles/mixins/entity"},
			RequestHeaders: []*statusdv1.Header{{Name: "If-Match", Value: `"v1"`}}},
	} {
		var first *statusdv1.LookupResponse
		for name, client := range clients(t, srv) {
			res, err := client.Lookup(ctx, req)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if first == nil {
				first = res
				continue
			}
			if !proto.Equal(res, first) {
				t.Errorf("%s answered differently:\n%v\n%v", name, res, first)
			}
		}
	}
}

func TestLookup(t *testing.T) {
	client := statusdv1connect.NewStatusServiceClient(http.DefaultClient, startServer(t).URL, connect.WithProtoJSON())
	ctx := context.Background()
	for _, tc := range []struct {
		name       string
		req        *statusdv1.LookupRequest
		status     int32
		code       statusdv1.Code
		connect    string
		dialect    statusdv1.Dialect
		hasEntry   bool
		profileURI string
	}{
		{"412 level3", &statusdv1.LookupRequest{Key: &statusdv1.LookupRequest_HttpStatus{HttpStatus: 412}},
			412, statusdv1.Code_CODE_ABORTED, "aborted", statusdv1.Dialect_DIALECT_LEVEL3, true, ""},
		{"412 connect", &statusdv1.LookupRequest{Key: &statusdv1.LookupRequest_HttpStatus{HttpStatus: 412}, Dialect: statusdv1.Dialect_DIALECT_CONNECT},
			412, statusdv1.Code_CODE_UNKNOWN, "unknown", statusdv1.Dialect_DIALECT_CONNECT, true, ""},
		{"unregistered status", &statusdv1.LookupRequest{Key: &statusdv1.LookupRequest_HttpStatus{HttpStatus: 419}},
			419, statusdv1.Code_CODE_INVALID_ARGUMENT, "invalid_argument", statusdv1.Dialect_DIALECT_LEVEL3, false, ""},
		{"OK is no connect code", &statusdv1.LookupRequest{Key: &statusdv1.LookupRequest_HttpStatus{HttpStatus: 200}},
			200, statusdv1.Code_CODE_OK, "", statusdv1.Dialect_DIALECT_LEVEL3, true, ""},
		{"failed_precondition connect", &statusdv1.LookupRequest{Key: &statusdv1.LookupRequest_Code{Code: statusdv1.Code_CODE_FAILED_PRECONDITION}, Dialect: statusdv1.Dialect_DIALECT_CONNECT},
			400, statusdv1.Code_CODE_FAILED_PRECONDITION, "failed_precondition", statusdv1.Dialect_DIALECT_CONNECT, true, ""},
		{"business rule on form", &statusdv1.LookupRequest{Key: &statusdv1.LookupRequest_Code{Code: statusdv1.Code_CODE_FAILED_PRECONDITION}, Profiles: []string{"<https://level3.rest/profiles/form>"}},
			403, statusdv1.Code_CODE_FAILED_PRECONDITION, "failed_precondition", statusdv1.Dialect_DIALECT_LEVEL3, true, "https://level3.rest/profiles/form"},
		{"lower-case method", &statusdv1.LookupRequest{Key: &statusdv1.LookupRequest_Code{Code: statusdv1.Code_CODE_OK}, Method: "post", Profiles: []string{"action"}},
			303, statusdv1.Code_CODE_OK, "", statusdv1.Dialect_DIALECT_LEVEL3, true, "https://level3.rest/profiles/action"},
	} {
		res, err := client.Lookup(ctx, tc.req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if res.GetHttpStatus() != tc.status || res.GetCode() != tc.code || res.GetConnectCode() != tc.connect || res.GetDialect() != tc.dialect {
			t.Errorf("%s: got %d %v %q %v", tc.name, res.GetHttpStatus(), res.GetCode(), res.GetConnectCode(), res.GetDialect())
		}
		if (res.GetStatus() != nil) != tc.hasEntry || (tc.hasEntry && res.GetStatus().GetCode() != tc.status) {
			t.Errorf("%s: status entry %v", tc.name, res.GetStatus())
		}
		if res.GetRationale() == "" || len(res.GetCitations()) == 0 {
			t.Errorf("%s: no rationale or citations", tc.name)
		}
		if tc.profileURI != "" && (len(res.GetProfiles()) != 1 || res.GetProfiles()[0] != tc.profileURI) {
			t.Errorf("%s: profiles %q", tc.name, res.GetProfiles())
		}
	}
}

// TestInvalidInput drives every rejection path: protovalidate rules and the
// handler's own checks. Each answer is invalid_argument (or unimplemented)
// with a message naming the field.
func TestInvalidInput(t *testing.T) {
	srv := startServer(t)
	ctx := context.Background()
	status := func(s int32) *statusdv1.LookupRequest {
		return &statusdv1.LookupRequest{Key: &statusdv1.LookupRequest_HttpStatus{HttpStatus: s}}
	}
	for _, tc := range []struct {
		name string
		call func(statusdv1connect.StatusServiceClient) error
		code connect.Code
		want string
	}{
		{"status 99", lookup(ctx, status(99)), connect.CodeInvalidArgument, "http_status: must be greater than or equal to 100 and less than or equal to 599"},
		{"status 600", lookup(ctx, status(600)), connect.CodeInvalidArgument, "http_status: must be greater than or equal to 100"},
		{"status -1", lookup(ctx, status(-1)), connect.CodeInvalidArgument, "http_status:"},
		{"no key", lookup(ctx, &statusdv1.LookupRequest{}), connect.CodeInvalidArgument, "key: exactly one field is required"},
		{"code 17", lookup(ctx, &statusdv1.LookupRequest{Key: &statusdv1.LookupRequest_Code{Code: 17}}), connect.CodeInvalidArgument, "code: value must be one of the defined enum values"},
		{"dialect 42", lookup(ctx, &statusdv1.LookupRequest{Key: &statusdv1.LookupRequest_Code{Code: 5}, Dialect: 42}), connect.CodeInvalidArgument, "dialect: value must be one of the defined enum values"},
		{"unknown profile", lookup(ctx, &statusdv1.LookupRequest{Key: &statusdv1.LookupRequest_HttpStatus{HttpStatus: 412}, Profiles: []string{"form", "foo"}}),
			connect.CodeInvalidArgument, `profiles[1]: unknown profile "foo"; use a short id (home, nexus,`},
		{"empty profile", lookup(ctx, &statusdv1.LookupRequest{Key: &statusdv1.LookupRequest_HttpStatus{HttpStatus: 412}, Profiles: []string{""}}),
			connect.CodeInvalidArgument, "profiles[0]: must be at least 1 characters"},
		{"too many profiles", lookup(ctx, &statusdv1.LookupRequest{Key: &statusdv1.LookupRequest_HttpStatus{HttpStatus: 412}, Profiles: make17("form")}),
			connect.CodeInvalidArgument, "profiles: must contain no more than 16 item(s)"},
		{"header name with space", lookup(ctx, &statusdv1.LookupRequest{Key: &statusdv1.LookupRequest_HttpStatus{HttpStatus: 412},
			RequestHeaders: []*statusdv1.Header{{Name: "if match", Value: "x"}}}), connect.CodeInvalidArgument, "request_headers[0].name: must be an HTTP token"},
		{"header value with newline", lookup(ctx, &statusdv1.LookupRequest{Key: &statusdv1.LookupRequest_HttpStatus{HttpStatus: 412},
			RequestHeaders: []*statusdv1.Header{{Name: "if-match", Value: "x\r\ny: z"}}}), connect.CodeInvalidArgument, "request_headers[0].value: must not contain CR, LF or NUL"},
		{"header value with NUL", lookup(ctx, &statusdv1.LookupRequest{Key: &statusdv1.LookupRequest_HttpStatus{HttpStatus: 412},
			RequestHeaders: []*statusdv1.Header{{Name: "if-match", Value: "a\x00b"}}}), connect.CodeInvalidArgument, "request_headers[0].value: must not contain CR, LF or NUL"},
		{"too many headers", lookup(ctx, &statusdv1.LookupRequest{Key: &statusdv1.LookupRequest_HttpStatus{HttpStatus: 412},
			RequestHeaders: headers(201)}), connect.CodeInvalidArgument, "request_headers: must contain no more than 200 item(s)"},
		{"method with space", lookup(ctx, &statusdv1.LookupRequest{Key: &statusdv1.LookupRequest_HttpStatus{HttpStatus: 412}, Method: "GET /"}),
			connect.CodeInvalidArgument, "method: must be an HTTP method token"},
		{"unknown list profile", func(c statusdv1connect.StatusServiceClient) error {
			_, err := c.ListStatuses(ctx, &statusdv1.ListStatusesRequest{Profile: "foo"})
			return err
		}, connect.CodeInvalidArgument, `profile: unknown profile "foo"`},
		{"list class 9", func(c statusdv1connect.StatusServiceClient) error {
			_, err := c.ListStatuses(ctx, &statusdv1.ListStatusesRequest{StatusClass: 9})
			return err
		}, connect.CodeInvalidArgument, "status_class: value must be one of the defined enum values"},
		{"profile kind 9", func(c statusdv1connect.StatusServiceClient) error {
			_, err := c.ListProfiles(ctx, &statusdv1.ListProfilesRequest{Kind: 9})
			return err
		}, connect.CodeInvalidArgument, "kind: value must be one of the defined enum values"},
		{"validate without exchange", func(c statusdv1connect.StatusServiceClient) error {
			_, err := c.Validate(ctx, &statusdv1.ValidateRequest{})
			return err
		}, connect.CodeInvalidArgument, "exchange: value is required"},
		{"validate status 600", validateCall(ctx, &statusdv1.Exchange{Method: "GET", Status: 600}, nil),
			connect.CodeInvalidArgument, "exchange.status: must be greater than or equal to 100 and less than or equal to 599"},
		{"validate empty method", validateCall(ctx, &statusdv1.Exchange{Status: 200}, nil),
			connect.CodeInvalidArgument, "exchange.method: must be at least 1 characters"},
		{"validate header name with space", validateCall(ctx, &statusdv1.Exchange{Method: "GET", Status: 200,
			ResponseHeaders: []*statusdv1.Header{{Name: "content type", Value: "x"}}}, nil),
			connect.CodeInvalidArgument, "exchange.response_headers[0].name: must be an HTTP token"},
		{"validate header name with control character", validateCall(ctx, &statusdv1.Exchange{Method: "GET", Status: 200,
			RequestHeaders: []*statusdv1.Header{{Name: "a\x01", Value: "x"}}}, nil),
			connect.CodeInvalidArgument, "exchange.request_headers[0].name: must be an HTTP token"},
		{"validate 201 headers", validateCall(ctx, &statusdv1.Exchange{Method: "GET", Status: 200, ResponseHeaders: headers(201)}, nil),
			connect.CodeInvalidArgument, "exchange.response_headers: must contain no more than 200 item(s)"},
		{"validate negative body size", validateCall(ctx, &statusdv1.Exchange{Method: "GET", Status: 200, ResponseBodySize: ptr(int64(-1))}, nil),
			connect.CodeInvalidArgument, "exchange.response_body_size: must be greater than or equal to 0"},
		{"validate unknown profile", validateCall(ctx, &statusdv1.Exchange{Method: "GET", Status: 200}, []string{"data", "datta"}),
			connect.CodeInvalidArgument, `profiles[1]: unknown profile "datta"; use a short id (home,`},
	} {
		for name, client := range clients(t, srv) {
			err := tc.call(client)
			var cerr *connect.Error
			if !errors.As(err, &cerr) {
				t.Errorf("%s over %s: err = %v, want a Connect error", tc.name, name, err)
				continue
			}
			if cerr.Code() != tc.code || !strings.Contains(cerr.Message(), tc.want) {
				t.Errorf("%s over %s: %v %q, want %v containing %q", tc.name, name, cerr.Code(), cerr.Message(), tc.code, tc.want)
			}
		}
	}
}

func lookup(ctx context.Context, req *statusdv1.LookupRequest) func(statusdv1connect.StatusServiceClient) error {
	return func(c statusdv1connect.StatusServiceClient) error {
		_, err := c.Lookup(ctx, req)
		return err
	}
}

func validateCall(ctx context.Context, ex *statusdv1.Exchange, profiles []string) func(statusdv1connect.StatusServiceClient) error {
	return func(c statusdv1connect.StatusServiceClient) error {
		_, err := c.Validate(ctx, &statusdv1.ValidateRequest{Exchange: ex, Profiles: profiles})
		return err
	}
}

func headers(n int) []*statusdv1.Header {
	out := make([]*statusdv1.Header, n)
	for i := range out {
		out[i] = &statusdv1.Header{Name: "x-h", Value: "v"}
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func make17(s string) []string {
	out := make([]string, 17)
	for i := range out {
		out[i] = s
	}
	return out
}

func TestListStatuses(t *testing.T) {
	client := statusdv1connect.NewStatusServiceClient(http.DefaultClient, startServer(t).URL)
	ctx := context.Background()
	codes := func(req *statusdv1.ListStatusesRequest) []int32 {
		t.Helper()
		res, err := client.ListStatuses(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		var out []int32
		for _, s := range res.GetStatuses() {
			out = append(out, s.GetCode())
		}
		return out
	}
	all := codes(&statusdv1.ListStatusesRequest{})
	if len(all) < 60 {
		t.Errorf("ListStatuses returned %d statuses, want at least 60", len(all))
	}
	for _, c := range codes(&statusdv1.ListStatusesRequest{StatusClass: statusdv1.StatusClass_STATUS_CLASS_REDIRECTION}) {
		if c < 300 || c > 399 {
			t.Errorf("redirection filter returned %d", c)
		}
	}
	if got := codes(&statusdv1.ListStatusesRequest{Level3Only: true}); len(got) != 21 {
		t.Errorf("level3_only returned %d statuses, want 21", len(got))
	}
	if got, want := codes(&statusdv1.ListStatusesRequest{Profile: "https://level3.rest/profiles/mixins/entity"}), []int32{200, 204, 304, 400, 404, 412, 428}; !equal(got, want) {
		t.Errorf("entity statuses %v, want %v", got, want)
	}
	if got, want := codes(&statusdv1.ListStatusesRequest{Profile: "form", StatusClass: statusdv1.StatusClass_STATUS_CLASS_SUCCESSFUL}), []int32{200, 201, 204}; !equal(got, want) {
		t.Errorf("form 2xx %v, want %v", got, want)
	}
	if got := codes(&statusdv1.ListStatusesRequest{Profile: "list#entry-resource"}); len(got) != 0 {
		t.Errorf("a pattern role with no statuses returned %v", got)
	}

	res, err := client.ListStatuses(ctx, &statusdv1.ListStatusesRequest{Level3Only: true, IncludeMappings: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.GetMappings()) != len(res.GetStatuses()) {
		t.Fatalf("%d mappings for %d statuses", len(res.GetMappings()), len(res.GetStatuses()))
	}
	for i, m := range res.GetMappings() {
		if m.GetHttpStatus() != res.GetStatuses()[i].GetCode() || len(m.GetCodes()) != 7 {
			t.Errorf("mapping %d: %v", i, m)
		}
		if m.GetHttpStatus() == 404 {
			got := map[statusdv1.Dialect]string{}
			for _, c := range m.GetCodes() {
				got[c.GetDialect()] = c.GetConnectCode()
			}
			if m.GetAgree() || got[statusdv1.Dialect_DIALECT_LEVEL3] != "not_found" || got[statusdv1.Dialect_DIALECT_GRPC] != "unimplemented" {
				t.Errorf("404 mappings: %v", m)
			}
		}
		if m.GetHttpStatus() == 401 && !m.GetAgree() {
			t.Errorf("every stack maps 401 to unauthenticated: %v", m)
		}
	}
	res, _ = client.ListStatuses(ctx, &statusdv1.ListStatusesRequest{})
	if len(res.GetMappings()) != 0 {
		t.Error("mappings returned without include_mappings")
	}
}

func equal(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestListProfiles(t *testing.T) {
	client := statusdv1connect.NewStatusServiceClient(http.DefaultClient, startServer(t).URL)
	ctx := context.Background()
	res, err := client.ListProfiles(ctx, &statusdv1.ListProfilesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.GetProfiles()) != 14 {
		t.Errorf("ListProfiles returned %d, want 14 profiles and mixins", len(res.GetProfiles()))
	}
	for _, p := range res.GetProfiles() {
		if !strings.HasPrefix(p.GetUri(), "https://level3.rest/profiles/") {
			t.Errorf("%s: uri %q", p.GetId(), p.GetUri())
		}
	}
	res, err = client.ListProfiles(ctx, &statusdv1.ListProfilesRequest{IncludePatternRoles: true})
	if err != nil || len(res.GetProfiles()) != 44 {
		t.Errorf("with pattern roles: %d, %v; want 44", len(res.GetProfiles()), err)
	}
	res, err = client.ListProfiles(ctx, &statusdv1.ListProfilesRequest{Kind: statusdv1.ProfileKind_PROFILE_KIND_MIXIN})
	if err != nil || len(res.GetProfiles()) != 4 {
		t.Errorf("mixins: %d, %v; want 4", len(res.GetProfiles()), err)
	}
	res, err = client.ListProfiles(ctx, &statusdv1.ListProfilesRequest{Kind: statusdv1.ProfileKind_PROFILE_KIND_PATTERN_ROLE})
	if err != nil || len(res.GetProfiles()) != 30 {
		t.Errorf("pattern roles by kind: %d, %v; want 30", len(res.GetProfiles()), err)
	}
}

// TestServiceWithoutInterceptor drives the checks Service keeps for callers
// that use it as a library, without the protovalidate interceptor (the
// validate CLI validates first; the bench's grpc-go peer does not).
func TestServiceWithoutInterceptor(t *testing.T) {
	svc := New(mapping.DefaultCatalog())
	ctx := context.Background()
	for _, tc := range []struct {
		req  *statusdv1.LookupRequest
		want string
	}{
		{&statusdv1.LookupRequest{}, "key: set http_status or code"},
		{&statusdv1.LookupRequest{Key: &statusdv1.LookupRequest_Code{Code: 5}, Dialect: 42}, "dialect: mapping: unsupported dialect: 42"},
	} {
		_, err := svc.Lookup(ctx, tc.req)
		if connect.CodeOf(err) != connect.CodeInvalidArgument || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want invalid_argument %q", tc.req, err, tc.want)
		}
	}
	// Filters with values the schema does not define are refused, not
	// ignored.
	if _, err := svc.ListStatuses(ctx, &statusdv1.ListStatusesRequest{StatusClass: 9}); connect.CodeOf(err) != connect.CodeInvalidArgument ||
		!strings.Contains(err.Error(), "status_class: unknown value 9; use one of STATUS_CLASS_UNSPECIFIED") {
		t.Errorf("status_class 9: %v", err)
	}
	if _, err := svc.ListProfiles(ctx, &statusdv1.ListProfilesRequest{Kind: -1}); connect.CodeOf(err) != connect.CodeInvalidArgument ||
		!strings.Contains(err.Error(), "kind: unknown value -1") {
		t.Errorf("kind -1: %v", err)
	}
	if res, err := svc.ListProfiles(ctx, &statusdv1.ListProfilesRequest{Kind: statusdv1.ProfileKind_PROFILE_KIND_MIXIN}); err != nil || len(res.GetProfiles()) != 4 {
		t.Errorf("kind mixin: %v %v", res, err)
	}
	// A status outside 100-599 still gets a defined answer (no catalog entry).
	res, err := svc.Lookup(ctx, &statusdv1.LookupRequest{Key: &statusdv1.LookupRequest_HttpStatus{HttpStatus: 700}})
	if err != nil || res.GetCode() != statusdv1.Code_CODE_UNKNOWN || res.GetStatus() != nil {
		t.Errorf("700: %v %v", res, err)
	}
}
