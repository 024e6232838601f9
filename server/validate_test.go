package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"connectrpc.com/connect"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/gen/statusd/v1/statusdv1connect"
	"github.com/statusd/statusd/internal/loopback"
	"github.com/statusd/statusd/mapping"
	"github.com/statusd/statusd/mapping/conformance"
	"google.golang.org/protobuf/proto"
)

func hdr(name, value string) *statusdv1.Header { return &statusdv1.Header{Name: name, Value: value} }

func TestValidate(t *testing.T) {
	srv := startServer(t)
	ctx := context.Background()
	formCreated := &statusdv1.Exchange{Method: "POST", Target: "/orders", Status: 201,
		RequestHeaders:   []*statusdv1.Header{hdr("Content-Type", "application/json")},
		ResponseHeaders:  []*statusdv1.Header{hdr("Profile", "<https://level3.rest/profiles/form>"), hdr("Location", "/orders/42")},
		ResponseBodySize: ptr(int64(0))}
	withBody := &statusdv1.Exchange{Method: "POST", Status: 201,
		ResponseHeaders:  []*statusdv1.Header{hdr("location", "/orders/42")},
		ResponseBodySize: ptr(int64(12))}
	for name, client := range clients(t, srv) {
		res, err := client.Validate(ctx, &statusdv1.ValidateRequest{Exchange: formCreated})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !res.GetConforms() || len(res.GetFindings()) != 0 || !slices.Equal(res.GetProfiles(), []string{"https://level3.rest/profiles/form"}) ||
			res.GetCode() != statusdv1.Code_CODE_OK {
			t.Errorf("%s: Form 201: %v", name, res)
		}
		// Profiles from the request; a legacy URI is an info finding.
		res, err = client.Validate(ctx, &statusdv1.ValidateRequest{Exchange: withBody, Profiles: []string{"http://level3.rest/profiles/form"}})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var rules []string
		for _, f := range res.GetFindings() {
			rules = append(rules, f.GetRule())
			if f.GetMessage() == "" || len(f.GetCitations()) == 0 {
				t.Errorf("%s: finding %v", name, f)
			}
		}
		slices.Sort(rules)
		if res.GetConforms() || !slices.Equal(rules, []string{"l3.body.empty", "l3.profile.legacy", "l3.profile.missing"}) {
			t.Errorf("%s: Form 201 with a body: conforms=%v %q", name, res.GetConforms(), rules)
		}
	}
}

// bidiClient returns a client over h2c, which bidirectional streams need.
func bidiClient(srv *httptest.Server, opts ...connect.ClientOption) statusdv1connect.StatusServiceClient {
	return statusdv1connect.NewStatusServiceClient(h2cClient(), srv.URL, opts...)
}

func TestValidateStream(t *testing.T) {
	srv := startServer(t)
	for name, opts := range map[string][]connect.ClientOption{"connect": nil, "grpc": {connect.WithGRPC()}} {
		stream, err := bidiClient(srv, opts...).ValidateStream(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		statuses := []int32{200, 202, 404, 201, 100}
		for _, s := range statuses {
			ex := &statusdv1.Exchange{Method: "GET", Status: s, ResponseHeaders: []*statusdv1.Header{
				hdr("profile", "<https://level3.rest/profiles/info>"), hdr("allow", "HEAD, GET")}}
			if err := stream.Send(&statusdv1.ValidateStreamRequest{Request: &statusdv1.ValidateRequest{Exchange: ex}}); err != nil {
				t.Fatalf("%s: send: %v", name, err)
			}
		}
		if err := stream.CloseRequest(); err != nil {
			t.Fatal(err)
		}
		for i, s := range statuses {
			res, err := stream.Receive()
			if err != nil {
				t.Fatalf("%s: receive %d: %v", name, i, err)
			}
			wantOK := s != 202 && s != 201 // Info answers GET with 200; 404 is fine; 100 carries no Level 3 headers
			if res.GetIndex() != uint64(i) || res.GetResult().GetConforms() != wantOK {
				t.Errorf("%s: result %d for %d: %v", name, i, s, res)
			}
		}
		if _, err := stream.Receive(); err == nil {
			t.Errorf("%s: more results than exchanges", name)
		}
		if err := stream.CloseResponse(); err != nil {
			t.Error(err)
		}
	}
}

func TestValidateStreamLimitsAndErrors(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle(NewHandler(New(mapping.DefaultCatalog(), WithStreamLimit(3))))
	srv := loopback.Serve(t, mux)
	ok := &statusdv1.ValidateStreamRequest{Request: &statusdv1.ValidateRequest{Exchange: &statusdv1.Exchange{Method: "GET", Status: 200}}}

	run := func(reqs ...*statusdv1.ValidateStreamRequest) (int, error) {
		stream, err := bidiClient(srv, connect.WithGRPC()).ValidateStream(context.Background())
		if err != nil {
			return 0, err
		}
		defer stream.CloseResponse()
		for _, r := range reqs {
			if err := stream.Send(r); err != nil {
				break // the server ended the stream; Receive says why
			}
		}
		_ = stream.CloseRequest()
		n := 0
		for {
			if _, err := stream.Receive(); err != nil {
				if errors.Is(err, io.EOF) {
					return n, nil
				}
				return n, err
			}
			n++
		}
	}
	if n, err := run(ok, ok, ok); n != 3 || err != nil {
		t.Errorf("3 exchanges under a limit of 3: %d results, %v", n, err)
	}
	n, err := run(ok, ok, ok, ok, ok)
	if n != 3 || connect.CodeOf(err) != connect.CodeResourceExhausted {
		t.Errorf("5 exchanges under a limit of 3: %d results, %v", n, err)
	}
	bad := &statusdv1.ValidateStreamRequest{Request: &statusdv1.ValidateRequest{Exchange: &statusdv1.Exchange{Method: "GET", Status: 700}}}
	n, err = run(ok, bad, ok)
	if n != 1 || connect.CodeOf(err) != connect.CodeInvalidArgument {
		t.Errorf("an invalid second exchange: %d results, %v", n, err)
	}
	unknown := &statusdv1.ValidateStreamRequest{Request: &statusdv1.ValidateRequest{Exchange: ok.GetRequest().GetExchange(), Profiles: []string{"x"}}}
	n, err = run(unknown)
	if n != 0 || connect.CodeOf(err) != connect.CodeInvalidArgument || !strings.Contains(err.Error(), `request.profiles[0]: unknown profile "x"`) {
		t.Errorf("an unknown profile: %d results, %v", n, err)
	}
	n, err = run(&statusdv1.ValidateStreamRequest{})
	if n != 0 || connect.CodeOf(err) != connect.CodeInvalidArgument || !strings.Contains(err.Error(), "request: value is required") {
		t.Errorf("an empty message: %d results, %v", n, err)
	}
}

// profileBomb is the attack: one request of 120 profile field
// lines of 4096 one-letter tokens (987 KB, about 1.3 KB gzipped), which
// once made a 109 MB answer of 491 520 findings.
func profileBomb() *statusdv1.ValidateRequest {
	line := strings.TrimSuffix(strings.Repeat("a,", 4096), ",")
	ex := &statusdv1.Exchange{Method: "GET", Status: 200}
	for range 120 {
		ex.ResponseHeaders = append(ex.ResponseHeaders, hdr("profile", line))
	}
	return &statusdv1.ValidateRequest{Exchange: ex}
}

// maxAnswer bounds the size of any Validate answer: MaxFindings findings of
// a few hundred bytes each.
const maxAnswer = 16 << 10

func checkBombAnswer(t *testing.T, name string, res *statusdv1.ValidateResponse) {
	t.Helper()
	if size := proto.Size(res); size > maxAnswer || len(res.GetFindings()) > conformance.MaxFindings {
		t.Errorf("%s: an answer of %d bytes, %d findings", name, size, len(res.GetFindings()))
	}
	if f := res.GetFindings(); len(f) == 0 || f[0].GetRule() != "l3.profile.brackets" || f[0].GetCount() < 2 {
		t.Errorf("%s: findings %v", name, f)
	}
}

// TestProfileBomb sends the attack gzipped over Connect and gRPC, and three
// times over one ValidateStream: each answer stays small.
func TestProfileBomb(t *testing.T) {
	srv := startServer(t)
	bomb := profileBomb()
	if n := proto.Size(bomb); n < 900<<10 || n > 1<<20 {
		t.Fatalf("the bomb is %d bytes, want just under 1 MiB", n)
	}
	for name, client := range map[string]statusdv1connect.StatusServiceClient{
		"connect+proto gzip": statusdv1connect.NewStatusServiceClient(srv.Client(), srv.URL, connect.WithSendGzip()),
		"connect+json gzip":  statusdv1connect.NewStatusServiceClient(srv.Client(), srv.URL, connect.WithSendGzip(), connect.WithProtoJSON()),
		"grpc gzip":          statusdv1connect.NewStatusServiceClient(h2cClient(), srv.URL, connect.WithGRPC(), connect.WithSendGzip()),
	} {
		res, err := client.Validate(context.Background(), bomb)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checkBombAnswer(t, name, res)
	}
	for name, opts := range map[string][]connect.ClientOption{"connect stream": nil, "grpc stream": {connect.WithGRPC()}} {
		stream, err := bidiClient(srv, append(opts, connect.WithSendGzip())...).ValidateStream(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			if err := stream.Send(&statusdv1.ValidateStreamRequest{Request: bomb}); err != nil {
				t.Fatalf("%s: send %d: %v", name, i, err)
			}
			res, err := stream.Receive()
			if err != nil {
				t.Fatalf("%s: receive %d: %v", name, i, err)
			}
			checkBombAnswer(t, name, res.GetResult())
		}
		_ = stream.CloseRequest()
		_ = stream.CloseResponse()
	}
}
