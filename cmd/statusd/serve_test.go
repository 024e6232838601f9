package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/gen/statusd/v1/statusdv1connect"
	"github.com/statusd/statusd/mapping"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
)

var lookup412 = &statusdv1.LookupRequest{Key: &statusdv1.LookupRequest_HttpStatus{HttpStatus: 412}}

func meaning412(t *testing.T, base string) string {
	t.Helper()
	res, err := statusdv1connect.NewStatusServiceClient(http.DefaultClient, base).Lookup(context.Background(), lookup412)
	if err != nil {
		t.Fatal(err)
	}
	return res.GetStatus().GetMeaning()
}

func TestFlagsFromEnvironment(t *testing.T) {
	t.Setenv("STATUSD_READ_MAX_BYTES", "2048")
	t.Setenv("STATUSD_LOG_FORMAT", "json")
	cfg, err := parseFlags([]string{"-read-max-bytes", "4096"}, io.Discard)
	if err != nil || cfg.readMaxBytes != 4096 || cfg.logFormat != "json" {
		t.Errorf("flag over env: %+v %v", cfg, err)
	}
	t.Setenv("STATUSD_IDLE_TIMEOUT", "soon")
	if _, err := parseFlags(nil, io.Discard); err == nil || !strings.Contains(err.Error(), `STATUSD_IDLE_TIMEOUT="soon"`) {
		t.Errorf("bad env value: %v", err)
	}
	os.Unsetenv("STATUSD_IDLE_TIMEOUT")
	var help bytes.Buffer
	if _, err := parseFlags([]string{"-h"}, &help); err == nil {
		t.Error("-h: no ErrHelp")
	}
	for _, name := range []string{"addr", "catalog", "watch", "cors-origins", "log-format", "access-log", "read-max-bytes",
		"read-header-timeout", "read-timeout", "idle-timeout", "max-header-bytes", "max-concurrent-streams",
		"compress-min-bytes", "cache-max-age", "stream-limit", "shutdown-timeout", "drain-delay", "tls-cert", "tls-key", "debug-addr"} {
		if !strings.Contains(help.String(), "-"+name) || !strings.Contains(help.String(), envName(name)) {
			t.Errorf("help lacks -%s or %s", name, envName(name))
		}
	}
	for _, args := range [][]string{
		{"-max-header-bytes", "0"}, {"-max-concurrent-streams", "0"}, {"-log-format", "xml"},
		{"-tls-cert", "a.pem"}, {"-watch", "1s"}, {"-catalog", "x", "-watch", "-1s"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	// Write and rename, so a reload never sees half a file.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func overlay412(meaning string) string {
	return fmt.Sprintf("edition: %q\nstatuses { code: 412 reason: \"Precondition Failed\" status_class: STATUS_CLASS_CLIENT_ERROR meaning: %q profiles: \"entity\" }\n", meaning, meaning)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestCatalogFileReloads(t *testing.T) {
	file := filepath.Join(t.TempDir(), "acme.txtpb")
	writeFile(t, file, overlay412("acme 1"))
	d := startDaemon(t, "-catalog", file, "-watch", "50ms", "-log-format", "json")
	if got := meaning412(t, d.base); got != "acme 1" {
		t.Fatalf("overlay not served: %q", got)
	}
	// -watch picks up a change.
	writeFile(t, file, overlay412("acme 2"))
	waitFor(t, "the watched change", func() bool { return meaning412(t, d.base) == "acme 2" })
	// A bad file is logged with the entry at fault; the last good catalog
	// keeps serving.
	writeFile(t, file, "statuses { code: 412 reason: \"x\" status_class: STATUS_CLASS_CLIENT_ERROR profiles: \"entiti\" }")
	waitFor(t, "the failed reload in the log", func() bool {
		return strings.Contains(d.logs.String(), `unknown profile \"entiti\"`)
	})
	if got := meaning412(t, d.base); got != "acme 2" {
		t.Errorf("after a bad file: %q", got)
	}
	// SIGHUP reloads too.
	if err := os.WriteFile(file, []byte(overlay412("acme 3")), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the SIGHUP reload", func() bool { return meaning412(t, d.base) == "acme 3" })

	resp, err := http.Get(d.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// The watcher may see the bad file twice (writeFile truncates, then
	// writes: an empty overlay is an error of its own), so at least one.
	if !regexp.MustCompile(`(?m)^statusd_catalog_reloads_total\{result="error"\} [1-9]\d*$`).Match(metrics) {
		t.Errorf("metrics count no failed reload:\n%s", metrics)
	}
	for _, want := range []string{`statusd_catalog_info{edition="acme 3"`,
		`statusd_requests_total{code="ok",procedure="/statusd.v1.StatusService/Lookup"}`} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("metrics lack %s:\n%s", want, metrics)
		}
	}

	// catalog export writes what is served.
	var out, errOut bytes.Buffer
	if code := dispatch(context.Background(), []string{"catalog", "export", "-catalog", file}, nil, &out, &errOut, false); code != 0 {
		t.Fatalf("export: %d %s", code, errOut.String())
	}
	exported, err := mapping.ParseCatalog(out.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := exported.Status(412); s.GetMeaning() != "acme 3" || len(exported.Statuses()) != len(mapping.DefaultCatalog().Statuses()) {
		t.Errorf("export: 412 %q, %d statuses", s.GetMeaning(), len(exported.Statuses()))
	}
	out.Reset()
	if code := dispatch(context.Background(), []string{"catalog", "export", "-format", "json"}, nil, &out, &errOut, false); code != 0 {
		t.Fatal(errOut.String())
	}
	again, err := mapping.ParseCatalog(out.Bytes())
	if err != nil || !proto.Equal(again.Proto(), mapping.DefaultCatalog().Proto()) {
		t.Errorf("JSON export differs from the embedded catalog: %v", err)
	}
	for _, args := range [][]string{{"catalog"}, {"catalog", "export", "-format", "yaml"}, {"catalog", "export", "x"},
		{"catalog", "export", "-catalog", filepath.Join(t.TempDir(), "missing")}} {
		if code := dispatch(context.Background(), args, nil, io.Discard, io.Discard, false); code != 2 {
			t.Errorf("%v: exit %d", args, code)
		}
	}
}

func TestBadCatalogAtStart(t *testing.T) {
	file := filepath.Join(t.TempDir(), "bad.txtpb")
	writeFile(t, file, "statuses { code: 99 }")
	err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-catalog", file}, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "statuses[0] (code 99)") {
		t.Errorf("err = %v", err)
	}
	writeFile(t, file, "not { a catalog")
	if err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-catalog", file}, io.Discard, nil); err == nil ||
		!strings.Contains(err.Error(), "catalog: parse") {
		t.Errorf("err = %v", err)
	}
}

func TestLimits(t *testing.T) {
	d := startDaemon(t, "-read-header-timeout", "300ms", "-max-header-bytes", "16384")
	client := statusdv1connect.NewStatusServiceClient(http.DefaultClient, d.base)
	ctx := context.Background()
	stillServing := func(after string) {
		t.Helper()
		if _, err := client.Lookup(ctx, lookup412); err != nil {
			t.Errorf("after %s: %v", after, err)
		}
	}

	// A 2 MiB request with the 1 MiB default read limit.
	big := &statusdv1.ValidateRequest{Exchange: &statusdv1.Exchange{Method: "GET", Status: 200}}
	for range 256 {
		big.Exchange.ResponseHeaders = append(big.Exchange.ResponseHeaders, &statusdv1.Header{Name: "x", Value: strings.Repeat("v", 8192)})
	}
	if _, err := client.Validate(ctx, big); connect.CodeOf(err) != connect.CodeResourceExhausted {
		t.Errorf("2 MiB request: %v", err)
	}
	stillServing("a 2 MiB request")

	// A client that sends its headers one byte at a time is cut off.
	conn, err := net.Dial("tcp", d.addr)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	cut := make(chan time.Duration, 1)
	go func() {
		_, _ = io.Copy(io.Discard, conn) // returns when the server closes
		cut <- time.Since(start)
	}()
	var took time.Duration
	slow := []byte("POST /statusd.v1.StatusService/Lookup HTTP/1.1\r\nHost: x\r\nX-Slow: yes\r\n")
writing:
	for _, b := range slow {
		if _, err := conn.Write([]byte{b}); err != nil {
			break
		}
		select {
		case took = <-cut:
			break writing
		case <-time.After(50 * time.Millisecond):
		}
	}
	if took == 0 {
		select {
		case took = <-cut:
		case <-time.After(5 * time.Second):
			t.Error("slow client not cut off")
		}
	}
	if took > 3*time.Second {
		t.Errorf("slow client cut off after %v", took)
	}
	conn.Close()
	stillServing("a slow client")

	// 10 000 request headers get 431.
	var req strings.Builder
	req.WriteString("POST /statusd.v1.StatusService/Lookup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n")
	for i := range 10000 {
		fmt.Fprintf(&req, "X-H-%d: v\r\n", i)
	}
	req.WriteString("Content-Length: 2\r\n\r\n{}")
	conn, err = net.Dial("tcp", d.addr)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = io.WriteString(conn, req.String()) }()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("10 000 headers: %v %v", resp, err)
	}
	conn.Close()
	stillServing("10 000 headers")

	// Malformed JSON is invalid_argument.
	resp, err = http.Post(d.base+"/statusd.v1.StatusService/Lookup", "application/json", strings.NewReader(`{"httpStatus":`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(body), `"code":"invalid_argument"`) {
		t.Errorf("malformed JSON: %d %s", resp.StatusCode, body)
	}
	stillServing("malformed JSON")
}

func TestCORS(t *testing.T) {
	d := startDaemon(t, "-cors-origins", "https://app.example")
	preflight := func(origin string) *http.Response {
		req, _ := http.NewRequest("OPTIONS", d.base+"/statusd.v1.StatusService/Lookup", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "connect-protocol-version,content-type") // lower case, sorted, as browsers send
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	resp := preflight("https://app.example")
	if resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example" ||
		!strings.Contains(strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers")), "connect-protocol-version") {
		t.Errorf("allowed origin: %d %v", resp.StatusCode, resp.Header)
	}
	if resp := preflight("https://evil.example"); resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("other origin allowed: %v", resp.Header)
	}
	// An actual cross-origin call exposes the headers a browser client needs.
	req, _ := http.NewRequest("GET", d.base+"/statusd.v1.StatusService/Lookup?encoding=json&message=%7B%22httpStatus%22%3A404%7D", nil)
	req.Header.Set("Origin", "https://app.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example" ||
		!strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "Etag") {
		t.Errorf("GET from the allowed origin: %d %v", resp.StatusCode, resp.Header)
	}
}

func TestAccessLog(t *testing.T) {
	d := startDaemon(t, "-log-format", "json")
	_ = meaning412(t, d.base)
	_, err := statusdv1connect.NewStatusServiceClient(h2cClient(), d.base, connect.WithGRPC()).Lookup(context.Background(), &statusdv1.LookupRequest{})
	if connect.CodeOf(err) != connect.CodeInvalidArgument {
		t.Fatal(err)
	}
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(d.logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("not a JSON log line: %q", l)
		}
		if rec["msg"] == "rpc" {
			lines = append(lines, rec)
		}
	}
	// gRPC on the main port is served by grpc-go's transport (internal/grpcsplit);
	// Connect unary calls by the answer cache, whose line adds its result.
	if len(lines) != 2 || lines[0]["protocol"] != "connect" || lines[0]["code"] != "ok" ||
		lines[0]["cache"] != "miss" || lines[0]["http_status"] != 200.0 ||
		lines[1]["protocol"] != "grpc-go" || lines[1]["code"] != "invalid_argument" || lines[1]["procedure"] != "/statusd.v1.StatusService/Lookup" {
		t.Errorf("access log: %v", lines)
	}
	quiet := startDaemon(t, "-access-log=false")
	_ = meaning412(t, quiet.base)
	if strings.Contains(quiet.logs.String(), "msg=rpc") {
		t.Errorf("-access-log=false still logs calls:\n%s", quiet.logs.String())
	}
}

func TestGRPCGoClient(t *testing.T) {
	d := startDaemon(t)
	conn, err := grpc.NewClient(d.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	res := &statusdv1.LookupResponse{}
	if err := conn.Invoke(context.Background(), "/statusd.v1.StatusService/Lookup", lookup412, res); err != nil {
		t.Fatal(err)
	}
	want, err := statusdv1connect.NewStatusServiceClient(http.DefaultClient, d.base).Lookup(context.Background(), lookup412)
	if err != nil || !proto.Equal(res, want) {
		t.Errorf("grpc-go and Connect answers differ: %v\n%v", prototext.Format(res), err)
	}
}

// selfSigned writes a certificate and key for 127.0.0.1 and returns their
// paths and a pool that trusts the certificate.
func selfSigned(t *testing.T) (string, string, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "statusd test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writeFile(t, certFile, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	writeFile(t, keyFile, string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})))
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestTLS(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	d := startDaemon(t, "-tls-cert", certFile, "-tls-key", keyFile)
	base := strings.Replace(d.base, "http://", "https://", 1)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}
	httpClient := &http.Client{Transport: tr}
	for name, opts := range map[string][]connect.ClientOption{"connect": nil, "grpc": {connect.WithGRPC()}} {
		res, err := statusdv1connect.NewStatusServiceClient(httpClient, base, opts...).Lookup(context.Background(), lookup412)
		if err != nil || res.GetConnectCode() != "aborted" {
			t.Errorf("%s over TLS: %v %v", name, res, err)
		}
	}
	resp, err := httpClient.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.ProtoMajor != 2 {
		t.Errorf("TLS did not negotiate HTTP/2: %s", resp.Proto)
	}
	// Bad key material fails at start.
	if err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-tls-cert", keyFile, "-tls-key", certFile}, io.Discard, nil); err == nil || !strings.Contains(err.Error(), "tls:") {
		t.Errorf("swapped cert and key: %v", err)
	}
}

func healthStatus(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Post(base+"/grpc.health.v1.Health/Check", "application/json", strings.NewReader(`{}`))
	if err != nil {
		return "unreachable"
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return body.Status
}

func TestHealthDuringDrain(t *testing.T) {
	d := startDaemon(t, "-drain-delay", "1s")
	if got := healthStatus(t, d.base); got != "SERVING_STATUS_SERVING" {
		t.Fatalf("before: %s", got)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- d.stop(t) }()
	waitFor(t, "NOT_SERVING during the drain delay", func() bool {
		return healthStatus(t, d.base) == "SERVING_STATUS_NOT_SERVING"
	})
	if err := <-stopped; err != nil {
		t.Errorf("run returned %v", err)
	}
	if got := healthStatus(t, d.base); got != "unreachable" {
		t.Errorf("after shutdown: %s", got)
	}
}

// TestTools runs grpcurl and buf curl, pinned in tools.mod, against a real
// statusd through reflection. Building them the first time takes minutes,
// so it runs when STATUSD_TOOL_TESTS=1 (as .ci/run sets it).
func TestTools(t *testing.T) {
	if os.Getenv("STATUSD_TOOL_TESTS") != "1" {
		t.Skip("set STATUSD_TOOL_TESTS=1 to run grpcurl and buf curl")
	}
	d := startDaemon(t)
	tool := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("go", append([]string{"tool", "-modfile=../../tools.mod"}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	if out := tool("grpcurl", "-plaintext", d.addr, "list"); !strings.Contains(out, "statusd.v1.StatusService") || !strings.Contains(out, "grpc.health.v1.Health") {
		t.Errorf("grpcurl list:\n%s", out)
	}
	if out := tool("grpcurl", "-plaintext", "-d", `{"httpStatus":412}`, d.addr, "statusd.v1.StatusService/Lookup"); !strings.Contains(out, `"connectCode": "aborted"`) {
		t.Errorf("grpcurl Lookup:\n%s", out)
	}
	if out := tool("grpcurl", "-plaintext", d.addr, "grpc.health.v1.Health/Check"); !strings.Contains(out, `"SERVING"`) {
		t.Errorf("grpcurl health:\n%s", out)
	}
	if out := tool("buf", "curl", "--protocol", "grpc", "--http2-prior-knowledge", "--list-services", d.base); !strings.Contains(out, "statusd.v1.StatusService") {
		t.Errorf("buf curl --list-services:\n%s", out)
	}
	if out := tool("buf", "curl", "--protocol", "connect", "--data", `{"code":"CODE_ABORTED","profiles":["data","entity"],"requestHeaders":[{"name":"if-match","value":"\"v1\""}]}`,
		d.base+"/statusd.v1.StatusService/Lookup"); !strings.Contains(out, `"httpStatus": 412`) {
		t.Errorf("buf curl Lookup:\n%s", out)
	}
}

func TestDebugEndpoints(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	debugAddr := ln.Addr().String()
	ln.Close()
	d := startDaemon(t, "-debug-addr", debugAddr)
	resp, err := http.Get("http://" + debugAddr + "/debug/vars")
	if err != nil {
		t.Fatal(err)
	}
	var vars struct {
		Memstats struct{ Mallocs uint64 } `json:"memstats"`
	}
	err = json.NewDecoder(resp.Body).Decode(&vars)
	resp.Body.Close()
	if err != nil || vars.Memstats.Mallocs == 0 {
		t.Errorf("/debug/vars: %v %+v", err, vars)
	}
	// Not on the API port.
	resp, err = http.Get(d.base + "/debug/pprof/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("pprof on the API port: %d", resp.StatusCode)
	}
	// A taken debug address fails at start.
	taken, _ := net.Listen("tcp", "127.0.0.1:0")
	defer taken.Close()
	if err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-debug-addr", taken.Addr().String()}, io.Discard, nil); err == nil ||
		!strings.Contains(err.Error(), "-debug-addr") {
		t.Errorf("taken debug address: %v", err)
	}
}

func TestOpenAPIServed(t *testing.T) {
	d := startDaemon(t)
	resp, err := http.Get(d.base + "/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/yaml" ||
		!strings.Contains(string(body), `"/statusd.v1.StatusService/Validate":`) {
		t.Errorf("/openapi.yaml: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}
