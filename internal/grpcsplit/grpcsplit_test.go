package grpcsplit

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// TestRouting serves grpc-go and net/http on one listener and checks that
// each kind of client reaches the right one.
func TestRouting(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := New(ln, 200*time.Millisecond)
	gs := grpc.NewServer()
	healthpb.RegisterHealthServer(gs, health.NewServer())
	go func() { _ = gs.Serve(s.GRPC()) }()
	defer gs.Stop()
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "net/http "+r.Proto+" "+r.Header.Get("Content-Type"))
	}), Protocols: new(http.Protocols)}
	hs.Protocols.SetHTTP1(true)
	hs.Protocols.SetUnencryptedHTTP2(true)
	go func() { _ = hs.Serve(s.HTTP()) }()
	defer hs.Close()
	addr := ln.Addr().String()

	// gRPC: grpc-go answers (net/http would answer the health check with its text).
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil || res.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("gRPC health: %v %v", res, err)
	}

	get := func(proto, ct string) string {
		tr := &http.Transport{Protocols: new(http.Protocols)}
		if proto == "h2c" {
			tr.Protocols.SetUnencryptedHTTP2(true)
		} else {
			tr.Protocols.SetHTTP1(true)
		}
		defer tr.CloseIdleConnections()
		resp, err := (&http.Client{Transport: tr, Timeout: 5 * time.Second}).Post("http://"+addr+"/x", ct, strings.NewReader("{}"))
		if err != nil {
			return err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	for _, c := range []struct{ proto, ct, want string }{
		{"h1", "application/json", "net/http HTTP/1.1 application/json"},
		{"h1", "application/grpc", "net/http HTTP/1.1 application/grpc"},
		{"h2c", "application/json", "net/http HTTP/2.0 application/json"},
		{"h2c", "application/grpc-web+proto", "net/http HTTP/2.0 application/grpc-web+proto"},
		{"h2c", "application/grpcx", "net/http HTTP/2.0 application/grpcx"},
	} {
		if got := get(c.proto, c.ct); got != c.want {
			t.Errorf("%s %s: %q, want %q", c.proto, c.ct, got, c.want)
		}
	}

	// A client that says nothing goes to net/http after the timeout, which
	// then answers what it sends.
	raw, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	time.Sleep(300 * time.Millisecond)
	_, _ = io.WriteString(raw, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	_ = raw.SetReadDeadline(time.Now().Add(5 * time.Second))
	line := make([]byte, 12)
	if _, err := io.ReadFull(raw, line); err != nil || string(line) != "HTTP/1.1 200" {
		t.Errorf("silent client: %q %v", line, err)
	}

	// Closing the HTTP listener closes the shared one; the gRPC listener
	// waits for its own Close.
	_ = s.HTTP().Close()
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Error("shared listener still open")
	}
	go func() { time.Sleep(50 * time.Millisecond); _ = s.GRPC().Close() }()
	if _, err := s.GRPC().Accept(); err == nil {
		t.Error("closed gRPC listener still accepting")
	}
}

// header block of one request, as a client writes it.
func requestBytes(t testing.TB, ct string, padded bool) []byte {
	var block bytes.Buffer
	enc := hpack.NewEncoder(&block)
	for _, f := range [][2]string{{":method", "POST"}, {":scheme", "http"}, {":path", "/s/M"}, {":authority", "x"}, {"content-type", ct}} {
		_ = enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
	}
	var out bytes.Buffer
	out.WriteString(preface)
	fr := http2.NewFramer(&out, nil)
	_ = fr.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 1 << 20})
	_ = fr.WriteWindowUpdate(0, 1<<20)
	b := block.Bytes()
	if padded {
		half := len(b) / 2
		_ = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: b[:half], PadLength: 3,
			Priority: http2.PriorityParam{Weight: 7, StreamDep: 0}})
		_ = fr.WriteContinuation(1, true, b[half:])
	} else {
		_ = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: b, EndHeaders: true})
	}
	return out.Bytes()
}

func TestSniff(t *testing.T) {
	for _, c := range []struct {
		name string
		in   []byte
		want bool
	}{
		{"grpc", requestBytes(t, "application/grpc", false), true},
		{"grpc+proto, padded, continued", requestBytes(t, "application/grpc+proto", true), true},
		{"grpc-web", requestBytes(t, "application/grpc-web", false), false},
		{"connect h2c", requestBytes(t, "application/json", false), false},
		{"http/1.1", []byte("POST / HTTP/1.1\r\n"), false},
		{"PRI but not the preface", []byte("PRIX"), false},
		{"short PUT", []byte("PUT / HTTP/1.1\r\n\r\n"), false},
	} {
		seen, got, _, _ := sniff(bytes.NewReader(c.in), io.Discard)
		if got != c.want || !bytes.HasPrefix(c.in, seen) {
			t.Errorf("%s: grpc %v, want %v (read %d of %d bytes)", c.name, got, c.want, len(seen), len(c.in))
		}
	}
	// A frame larger than the sniff limit stops the sniffing.
	huge := append([]byte(preface), 0x10, 0, 0, 0x4, 0, 0, 0, 0, 0)
	if _, got, _, err := sniff(io.MultiReader(bytes.NewReader(huge), zeros{}), io.Discard); got || err == nil {
		t.Errorf("huge frame: %v %v", got, err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func FuzzSniff(f *testing.F) {
	f.Add(requestBytes(f, "application/grpc", false))
	f.Add(requestBytes(f, "application/grpc+proto", true))
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"))
	f.Add([]byte(preface + "\x00\x00\x01\x01\x0c\x00\x00\x00\x01\x05"))
	f.Fuzz(func(t *testing.T, in []byte) {
		seen, _, _, _ := sniff(bytes.NewReader(in), io.Discard)
		if !bytes.HasPrefix(in, seen) || len(seen) > maxSniff+9 {
			t.Fatalf("read %d bytes that are not the input's start", len(seen))
		}
	})
}

func TestAckFilter(t *testing.T) {
	var in bytes.Buffer
	in.WriteString(preface)
	fr := http2.NewFramer(&in, nil)
	_ = fr.WriteSettings()
	_ = fr.WriteSettingsAck() // the one of sniff's SETTINGS: dropped
	_ = fr.WritePing(false, [8]byte{1})
	_ = fr.WriteSettingsAck() // the server's own: kept
	var want bytes.Buffer
	want.WriteString(preface)
	fw := http2.NewFramer(&want, nil)
	_ = fw.WriteSettings()
	_ = fw.WritePing(false, [8]byte{1})
	_ = fw.WriteSettingsAck()
	for _, chunk := range []int{1, 5, 4096} { // read sizes
		f := &ackFilter{r: bytes.NewReader(in.Bytes()), skip: len(preface)}
		var got []byte
		p := make([]byte, chunk)
		for {
			n, err := f.Read(p)
			got = append(got, p[:n]...)
			if err != nil {
				break
			}
		}
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("reads of %d: got %x\nwant %x", chunk, got, want.Bytes())
		}
	}
}

// TestSniffDoesNotWaitForMore: a request that stops being the preface
// early is handed on with what was read, without waiting for more bytes.
func TestSniffDoesNotWaitForMore(t *testing.T) {
	client, srv := net.Pipe()
	defer client.Close()
	defer srv.Close()
	go func() { _, _ = io.WriteString(client, "PUT / HTTP") }() // and then nothing
	done := make(chan []byte, 1)
	go func() {
		seen, _, _, _ := sniff(srv, io.Discard)
		done <- seen
	}()
	select {
	case seen := <-done:
		if !strings.HasPrefix("PUT / HTTP", string(seen)) || len(seen) == 0 {
			t.Errorf("read %q", seen)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("sniff waits for bytes that cannot be the preface")
	}
}
