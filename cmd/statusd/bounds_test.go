package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/gen/statusd/v1/statusdv1connect"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// closedAfter dials addr, writes send, and returns how long the server took
// to close the connection or, if send opens HTTP/2, to send GOAWAY (or max
// if it did neither).
func closedAfter(t *testing.T, addr string, send []byte, max time.Duration) time.Duration {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	if _, err := conn.Write(send); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(start.Add(max))
	r := bufio.NewReader(conn)
	for {
		var head [9]byte
		if _, err := io.ReadFull(r, head[:]); err != nil {
			return time.Since(start) // closed (or max)
		}
		if head[3] == 7 { // GOAWAY
			return time.Since(start)
		}
		if _, err := r.Discard(int(head[0])<<16 | int(head[1])<<8 | int(head[2])); err != nil {
			return time.Since(start)
		}
	}
}

// h2Preface is a client's HTTP/2 connection preface and an empty SETTINGS
// frame: a connection that then opens no stream.
var h2Preface = append([]byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), 0, 0, 0, 4, 0, 0, 0, 0, 0)

// pingFrame is an HTTP/2 PING with 8 bytes of payload.
var pingFrame = []byte{0, 0, 8, 6, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8}

// TestBothPortsBounded: the same bounds on both ports. A silent
// connection is closed at the handshake deadline (-read-header-timeout;
// grpc-go held it 120 s), a connection that opens no call at -idle-timeout,
// and on the grpc-go port a PING flood is sent GOAWAY.
func TestBothPortsBounded(t *testing.T) {
	grpcAddr := freeLoopbackAddr(t)
	d := startDaemon(t, "-grpc-addr", grpcAddr, "-read-header-timeout", "500ms", "-idle-timeout", "1500ms")
	for port, addr := range map[string]string{"main port": d.addr, "grpc-go port": grpcAddr} {
		if took := closedAfter(t, addr, nil, 10*time.Second); took < 400*time.Millisecond || took > 3*time.Second {
			t.Errorf("%s: a silent connection was closed after %v, want about 500ms", port, took)
		}
		if took := closedAfter(t, addr, h2Preface, 10*time.Second); took < time.Second || took > 5*time.Second {
			t.Errorf("%s: a connection without calls was closed after %v, want about 1.5s", port, took)
		}
	}
	flood := h2Preface
	for range 100 {
		flood = append(flood, pingFrame...)
	}
	if took := closedAfter(t, grpcAddr, flood, 10*time.Second); took > 1500*time.Millisecond {
		t.Errorf("grpc-go port: a PING flood was closed after %v, want at once", took)
	}
}

// TestDescriptorsCannotStarve reproduces the descriptor exhaustion of
// issue 14 in a child statusd whose RLIMIT_NOFILE is 256: 300 silent
// connections to the gRPC port (once enough to make the main port fail
// accept with EMFILE) leave the main port answering, and the gRPC port
// answers again once their handshake deadline has closed them.
func TestDescriptorsCannotStarve(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	grpcAddr := freeLoopbackAddr(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildStatusd$")
	cmd.Env = append(os.Environ(), "STATUSD_TEST_CHILD=256", "STATUSD_TEST_CHILD_ARGS=-grpc-addr "+grpcAddr+" -read-header-timeout 1s")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	var logs syncBuffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close() // the child stops when its stdin closes
		if err := cmd.Wait(); err != nil {
			t.Errorf("child: %v\n%s", err, logs.String())
		}
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("child did not start: %v\n%s", err, logs.String())
	}
	base := "http://" + strings.TrimSpace(strings.TrimPrefix(line, "READY "))

	var silent []net.Conn
	defer func() {
		for _, c := range silent {
			c.Close()
		}
	}()
	for range 300 {
		c, err := net.DialTimeout("tcp", grpcAddr, 2*time.Second)
		if err != nil {
			t.Fatalf("dial %d: %v", len(silent), err)
		}
		silent = append(silent, c)
	}
	client := statusdv1connect.NewStatusServiceClient(&http.Client{Timeout: 2 * time.Second}, base)
	for i := range 20 {
		if _, err := client.Lookup(context.Background(), lookup412); err != nil {
			t.Fatalf("main port, call %d with 300 silent gRPC connections: %v\n%s", i, err, logs.String())
		}
	}
	conn := grpcClient(t, grpcAddr)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if _, err := statusdv1.NewStatusServiceClient(conn).Lookup(ctx, lookup412); err != nil {
		t.Errorf("gRPC port after the silent connections timed out: %v", err)
	}
	if strings.Contains(logs.String(), "too many open files") {
		t.Errorf("descriptors ran out:\n%s", logs.String())
	}
}

// TestChildStatusd is the child of TestDescriptorsCannotStarve: statusd
// under a lowered RLIMIT_NOFILE, printing its address and stopping when its
// stdin closes.
func TestChildStatusd(t *testing.T) {
	limit := os.Getenv("STATUSD_TEST_CHILD")
	if limit == "" {
		t.Skip("the child of TestDescriptorsCannotStarve")
	}
	var n uint64
	fmt.Sscan(limit, &n)
	lim := syscall.Rlimit{Cur: n, Max: n}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); cancel() }()
	ready := make(chan net.Addr, 1)
	go func() { fmt.Printf("READY %s\n", <-ready) }()
	args := append([]string{"-addr", "127.0.0.1:0", "-access-log=false"}, strings.Fields(os.Getenv("STATUSD_TEST_CHILD_ARGS"))...)
	if err := run(ctx, args, os.Stderr, ready); err != nil {
		t.Fatal(err)
	}
}

func grpcClient(t *testing.T, addr string) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}
