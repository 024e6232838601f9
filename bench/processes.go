package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/gen/statusd/v1/statusdv1connect"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"
)

// freeAddr returns a loopback address with a port free at the time of asking.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// process is a server the benchmark started.
type process struct {
	name      string
	cmd       *exec.Cmd
	addr      string
	debugAddr string
	ready     time.Duration // from exec to the first successful call
	idleKB    int           // RSS once ready
	peakKB    atomic.Int64  // highest RSS sampled under load
}

// sample records p's RSS every 100ms until stop is closed.
func (p *process) sample(stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case <-time.After(100 * time.Millisecond):
			if kb := int64(p.rssKB()); kb > p.peakKB.Load() {
				p.peakKB.Store(kb)
			}
		}
	}
}

func (p *process) stop() {
	_ = p.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
	}
}

// rssKB reads the process's resident set size from /proc.
func (p *process) rssKB() int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return n
		}
	}
	return -1
}

// cpu reads the process's user and system CPU time from /proc (in clock
// ticks of 10ms, the Linux USER_HZ of 100).
func (p *process) cpu() time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:]) // fields from 3 on
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.Atoi(f[11])
	stime, _ := strconv.Atoi(f[12])
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// mallocs reads the process's allocation count from expvar.
func (p *process) mallocs() (uint64, error) {
	resp, err := http.Get("http://" + p.debugAddr + "/debug/vars")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var vars struct {
		Memstats struct{ Mallocs uint64 } `json:"memstats"`
	}
	err = json.NewDecoder(resp.Body).Decode(&vars)
	return vars.Memstats.Mallocs, err
}

// start execs a server and waits until ready answers.
func start(name string, args []string, ready func(addr string) error) (*process, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	debugAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	args = append(args, "-addr", addr, "-debug-addr", debugAddr)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stderr = io.Discard
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{name: name, cmd: cmd, addr: addr, debugAddr: debugAddr}
	for {
		if err := ready(addr); err == nil {
			p.ready = time.Since(t0)
			p.idleKB = p.rssKB()
			return p, nil
		}
		if time.Since(t0) > 30*time.Second {
			p.stop()
			return nil, fmt.Errorf("%s did not become ready", name)
		}
		time.Sleep(time.Millisecond)
	}
}

// processes are the three servers of a run.
type processes struct{ statusd, ceiling, peer *process }

func (ps *processes) stop() {
	for _, p := range []*process{ps.peer, ps.ceiling, ps.statusd} {
		if p != nil {
			p.stop()
		}
	}
}

// startAll builds and starts statusd, then the ceiling (which asks statusd
// for the answers it repeats) and the peer.
func startAll(dir string) (*processes, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	bin, err := buildStatusd(dir)
	if err != nil {
		return nil, err
	}
	ps := &processes{}
	if ps.statusd, err = start("statusd", []string{bin, "-access-log=false"}, fetchOK(connectPOST)); err != nil {
		return nil, err
	}
	ps.ceiling, err = start("ceiling", []string{self, "-role", "ceiling", "-upstream", ps.statusd.addr}, fetchOK(connectPOST))
	if err == nil {
		ps.peer, err = start("peer", []string{self, "-role", "peer"}, func(addr string) error { _, err := grpcLookupAt(addr); return err })
	}
	if err != nil {
		ps.stop()
		return nil, err
	}
	return ps, nil
}

// plainClient sends no accept-encoding, as the generators do not.
var plainClient = &http.Client{Transport: &http.Transport{DisableCompression: true}}

// fetch asks addr for t over HTTP/1.1 and returns the answer's status,
// header and body.
func fetch(addr string, t target) (int, http.Header, []byte, error) {
	var body io.Reader
	if t.body != nil {
		body = bytes.NewReader(t.body)
	}
	req, err := http.NewRequest(t.method, "http://"+addr+t.path, body)
	if err != nil {
		return 0, nil, nil, err
	}
	if t.contentType != "" {
		req.Header.Set("Content-Type", t.contentType)
	}
	resp, err := plainClient.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b, err
}

func fetchOK(t target) func(addr string) error {
	return func(addr string) error {
		status, _, _, err := fetch(addr, t)
		if err == nil && status != 200 {
			err = fmt.Errorf("%s: %d", t.name, status)
		}
		return err
	}
}

// check makes sure that the ceiling answers every target with statusd's
// bytes and header fields and the peer answers gRPC as statusd does, so that the load
// compares like with like.
func (ps *processes) check() error {
	for _, t := range httpTargets {
		s1, h1, b1, err1 := fetch(ps.statusd.addr, t)
		s2, h2, b2, err2 := fetch(ps.ceiling.addr, t)
		if err1 == nil && err2 == nil {
			h1.Del("Date")
			h2.Del("Date")
		}
		if err1 != nil || err2 != nil || s1 != 200 || s1 != s2 || fmt.Sprint(h1) != fmt.Sprint(h2) || !bytes.Equal(b1, b2) {
			return fmt.Errorf("%s: statusd answered %d %v %q (%v), the ceiling %d %v %q (%v)", t.name, s1, h1, b1, err1, s2, h2, b2, err2)
		}
	}
	a, err1 := grpcLookupAt(ps.statusd.addr)
	b, err2 := grpcLookupAt(ps.peer.addr)
	if err1 != nil || err2 != nil || a.GetHttpStatus() != 404 || !proto.Equal(a, b) {
		return fmt.Errorf("gRPC Lookup: statusd %v (%v), peer %v (%v)", a, err1, b, err2)
	}
	return nil
}

func grpcLookupAt(addr string) (*statusdv1.LookupResponse, error) {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	req := &statusdv1.LookupRequest{}
	if err := proto.Unmarshal(grpcLookup.body[5:], req); err != nil {
		return nil, err
	}
	res := &statusdv1.LookupResponse{}
	err = conn.Invoke(context.Background(), statusdv1connect.StatusServiceLookupProcedure, req, res)
	return res, err
}

// grpcGoGen is the gRPC load without h2load: grpc-go clients, grpcConns
// connections with 16 callers each. The clients cost more CPU than
// h2load, which the output says by naming them.
type grpcGoGen struct{}

func (grpcGoGen) name() string { return "grpc-go clients (h2load not installed)" }

func (grpcGoGen) run(addr string, t target, conns int, d time.Duration, maxCalls int) (load, error) {
	req := &statusdv1.LookupRequest{}
	if err := proto.Unmarshal(t.body[5:], req); err != nil {
		return load{}, err
	}
	var next, done, failed atomic.Int64
	var wg sync.WaitGroup
	deadline := time.Now().Add(d)
	t0 := time.Now()
	for range conns {
		conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			return load{}, err
		}
		defer conn.Close()
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := &statusdv1.LookupResponse{}
				for next.Add(1) <= int64(maxCalls) && time.Now().Before(deadline) {
					if err := conn.Invoke(context.Background(), t.path, req, res); err != nil {
						failed.Add(1)
						continue
					}
					done.Add(1)
				}
			}()
		}
	}
	wg.Wait()
	n := int(done.Load())
	return load{calls: n, failed: int(failed.Load()), rps: float64(n) / time.Since(t0).Seconds()}, nil
}
