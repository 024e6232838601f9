package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpcreflect"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/gen/statusd/v1/statusdv1connect"
	"github.com/statusd/statusd/internal/loopback"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines to write
// while a test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// daemon is a statusd started by a test on a free loopback port.
type daemon struct {
	base   string // http://127.0.0.1:PORT
	addr   string
	logs   *syncBuffer
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
	err    error
}

// stop sends the equivalent of SIGTERM and waits for run to return; later
// calls return the same result.
func (d *daemon) stop(t *testing.T) error {
	t.Helper()
	d.once.Do(func() {
		closeIdleH2C()
		http.DefaultClient.CloseIdleConnections()
		d.cancel()
		select {
		case d.err = <-d.done:
		case <-time.After(30 * time.Second):
			d.err = errors.New("statusd did not shut down")
		}
	})
	return d.err
}

// startDaemon runs statusd with args; the test's cleanup stops it (and
// fails the test if it does not exit cleanly) unless the test stopped it.
func startDaemon(t *testing.T, args ...string) *daemon {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d := &daemon{logs: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	ready := make(chan net.Addr, 1)
	go func() { d.done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), d.logs, ready) }()
	select {
	case addr := <-ready:
		d.addr = addr.String()
		d.base = "http://" + d.addr
		t.Cleanup(func() {
			if err := d.stop(t); err != nil {
				t.Errorf("run returned %v", err)
			}
		})
		return d
	case err := <-d.done:
		cancel()
		t.Fatalf("statusd exited early: %v\n%s", err, d.logs.String())
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("statusd did not start")
	}
	return nil
}

// startStatusd runs statusd and returns its base URL.
func startStatusd(t *testing.T, args ...string) string {
	t.Helper()
	return startDaemon(t, args...).base
}

// h2cClients are the HTTP/2 cleartext clients the tests made.
var h2cClients struct {
	mu      sync.Mutex
	clients []*http.Client
}

// h2cClient returns an HTTP/2 cleartext client whose idle connections a
// daemon's stop closes first: an HTTP/2 server's graceful shutdown waits up
// to a second (x/net/http2's GOAWAY timeout) for each client connection to
// hang up, which cost every test that used one a second.
func h2cClient() *http.Client {
	c := loopback.H2CClient()
	h2cClients.mu.Lock()
	defer h2cClients.mu.Unlock()
	h2cClients.clients = append(h2cClients.clients, c)
	return c
}

// closeIdleH2C closes the idle connections of every h2cClient.
func closeIdleH2C() {
	h2cClients.mu.Lock()
	defer h2cClients.mu.Unlock()
	for _, c := range h2cClients.clients {
		c.CloseIdleConnections()
	}
}

func TestServesEveryProtocol(t *testing.T) {
	base := startStatusd(t)
	ctx := context.Background()
	req := &statusdv1.LookupRequest{Key: &statusdv1.LookupRequest_HttpStatus{HttpStatus: 412}}
	for name, client := range map[string]statusdv1connect.StatusServiceClient{
		"connect":  statusdv1connect.NewStatusServiceClient(http.DefaultClient, base),
		"GET":      statusdv1connect.NewStatusServiceClient(http.DefaultClient, base, connect.WithHTTPGet()),
		"grpc":     statusdv1connect.NewStatusServiceClient(h2cClient(), base, connect.WithGRPC()),
		"grpc-web": statusdv1connect.NewStatusServiceClient(http.DefaultClient, base, connect.WithGRPCWeb()),
	} {
		res, err := client.Lookup(ctx, req)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if res.GetConnectCode() != "aborted" || res.GetStatus().GetReason() != "Precondition Failed" {
			t.Errorf("%s: %v", name, res)
		}
	}
}

func TestHealthAndReflection(t *testing.T) {
	base := startStatusd(t)
	for _, service := range []string{"", "statusd.v1.StatusService"} {
		body := fmt.Sprintf(`{"service":%q}`, service)
		resp, err := http.Post(base+"/grpc.health.v1.Health/Check", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(got), `"SERVING_STATUS_SERVING"`) {
			t.Errorf("health %q: %d %s", service, resp.StatusCode, got)
		}
	}

	stream := grpcreflect.NewClient(h2cClient(), base, connect.WithGRPC()).NewStream(context.Background())
	defer stream.Close()
	names, err := stream.ListServices()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"statusd.v1.StatusService", "grpc.health.v1.Health"} {
		if !slices.ContainsFunc(names, func(n protoreflect.FullName) bool { return string(n) == want }) {
			t.Errorf("reflection lists %v, missing %s", names, want)
		}
	}
	files, err := stream.FileContainingSymbol("statusd.v1.StatusService")
	if err != nil || len(files) == 0 {
		t.Errorf("reflection: file of StatusService: %v", err)
	}
}

func TestReadMaxBytes(t *testing.T) {
	base := startStatusd(t, "-read-max-bytes", "512")
	client := statusdv1connect.NewStatusServiceClient(http.DefaultClient, base)
	req := &statusdv1.LookupRequest{Key: &statusdv1.LookupRequest_HttpStatus{HttpStatus: 412}}
	for range 20 {
		req.RequestHeaders = append(req.RequestHeaders, &statusdv1.Header{Name: "x-padding", Value: strings.Repeat("x", 40)})
	}
	_, err := client.Lookup(context.Background(), req)
	if connect.CodeOf(err) != connect.CodeResourceExhausted {
		t.Errorf("a 1 KiB request with a 512-byte limit: %v, want resource_exhausted", err)
	}
	req.RequestHeaders = nil
	if _, err := client.Lookup(context.Background(), req); err != nil {
		t.Errorf("a small request after the large one: %v", err)
	}
}

// TestCurlExamples runs the curl lines of the README against a real
// statusd, when curl is installed.
func TestCurlExamples(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl not installed")
	}
	base := startStatusd(t)
	type lookupJSON struct {
		HTTPStatus  int    `json:"httpStatus"`
		Code        string `json:"code"`
		ConnectCode string `json:"connectCode"`
		Dialect     string `json:"dialect"`
		Status      struct {
			Reason    string   `json:"reason"`
			Profiles  []string `json:"profiles"`
			Citations []struct {
				Document string `json:"document"`
				Section  string `json:"section"`
			} `json:"citations"`
		} `json:"status"`
	}
	run := func(args ...string) lookupJSON {
		t.Helper()
		out, err := exec.Command(curl, append([]string{"-s", "--fail-with-body"}, args...)...).Output()
		if err != nil {
			t.Fatalf("curl %v: %v\n%s", args, err, out)
		}
		var got lookupJSON
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("curl %v: %v\n%s", args, err, out)
		}
		return got
	}
	post := run("-H", "content-type: application/json", "-d", `{"httpStatus":412}`, base+"/statusd.v1.StatusService/Lookup")
	if post.ConnectCode != "aborted" || post.Dialect != "DIALECT_LEVEL3" || post.Status.Reason != "Precondition Failed" ||
		!slices.Equal(post.Status.Profiles, []string{"entity"}) || len(post.Status.Citations) != 2 ||
		post.Status.Citations[0].Section != "15.5.13" || post.Status.Citations[1].Document != "RFC 7232" {
		t.Errorf("POST 412: %+v", post)
	}
	connectDialect := run("-H", "content-type: application/json", "-d", `{"httpStatus":412,"dialect":"DIALECT_CONNECT"}`, base+"/statusd.v1.StatusService/Lookup")
	if connectDialect.ConnectCode != "unknown" || connectDialect.Dialect != "DIALECT_CONNECT" {
		t.Errorf("POST 412 Connect dialect: %+v", connectDialect)
	}
	get := run("-G", base+"/statusd.v1.StatusService/Lookup", "--data-urlencode", "encoding=json",
		"--data-urlencode", `message={"code":"CODE_FAILED_PRECONDITION","method":"POST","profiles":["form"]}`)
	if get.HTTPStatus != 403 || get.ConnectCode != "failed_precondition" {
		t.Errorf("GET failed_precondition on form: %+v", get)
	}
	// The README's Validate example.
	out, err := exec.Command(curl, "-s", "-H", "content-type: application/json", base+"/statusd.v1.StatusService/Validate",
		"-d", `{"exchange":{"method":"POST","target":"/orders/form","status":201,"responseHeaders":[{"name":"profile","value":"<https://level3.rest/profiles/form>"}],"responseBodySize":"7"}}`).Output()
	if err != nil {
		t.Fatal(err)
	}
	var validated struct {
		Conforms bool `json:"conforms"`
		Findings []struct {
			Rule     string `json:"rule"`
			Severity string `json:"severity"`
		} `json:"findings"`
		Profiles []string `json:"profiles"`
	}
	if err := json.Unmarshal(out, &validated); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if validated.Conforms || len(validated.Findings) != 2 || validated.Findings[0].Rule != "l3.form.post.location" ||
		validated.Findings[1].Rule != "l3.body.empty" || validated.Findings[0].Severity != "SEVERITY_ERROR" ||
		!slices.Equal(validated.Profiles, []string{"https://level3.rest/profiles/form"}) {
		t.Errorf("Validate: %s", out)
	}
	// Bad input is a Connect error, not a 500.
	out, _ = exec.Command(curl, "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "content-type: application/json",
		"-d", `{"httpStatus":600}`, base+"/statusd.v1.StatusService/Lookup").Output()
	if string(out) != "400" {
		t.Errorf("status 600: HTTP %s, want 400", out)
	}
}

func TestFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-nope"}, "flag provided but not defined"},
		{[]string{"serve"}, `unexpected argument "serve"`}, // run takes flags only; dispatch strips the verb
		{[]string{"-read-max-bytes", "0"}, "-read-max-bytes must be positive"},
		{[]string{"-addr", "127.0.0.1:notaport"}, "listen tcp"},
		{[]string{"-shutdown-timeout", "soon"}, "invalid value"},
	} {
		var stderr bytes.Buffer
		err := run(context.Background(), tc.args, &stderr, nil)
		if err == nil || !strings.Contains(err.Error()+stderr.String(), tc.want) {
			t.Errorf("run %v: err = %v, stderr %q; want %q", tc.args, err, stderr.String(), tc.want)
		}
	}
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"-h"}, &stderr, nil); !errors.Is(err, flag.ErrHelp) || !strings.Contains(stderr.String(), "-addr") {
		t.Errorf("-h: err = %v, usage %q", err, stderr.String())
	}
}

func TestAddressInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = run(context.Background(), []string{"-addr", ln.Addr().String()}, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Errorf("err = %v, want address already in use", err)
	}
}

func TestDispatch(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"serve", "-x"}, 2, "flag provided but not defined: -x"},
		{[]string{"-read-max-bytes", "-1"}, 2, "statusd: -read-max-bytes must be positive"},
		{[]string{"serve", "-h"}, 0, "-addr"},
		{[]string{"validate", "-method", "GET", "-status", "404"}, 0, ""},
	} {
		var stdout, stderr bytes.Buffer
		code := dispatch(context.Background(), tc.args, strings.NewReader(""), &stdout, &stderr, false)
		if code != tc.code || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, stderr.String(), tc.code, tc.want)
		}
	}
	// The serve verb really serves: cancel it and it exits cleanly.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- dispatch(ctx, []string{"serve", "-addr", "127.0.0.1:0"}, nil, io.Discard, io.Discard, false)
	}()
	time.Sleep(200 * time.Millisecond)
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exit %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
}
