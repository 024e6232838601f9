// Command bench measures statusd against a ceiling and a peer, side by side,
// in one run, on loopback only:
//
//	go run ./bench -duration 10s -concurrency 64
//
// It builds statusd, runs it as a separate process, and runs two more
// servers as separate processes of its own binary: the ceiling (a bare
// net/http handler on the same listener setup, answering the same
// pre-serialised response bytes) and the peer (StatusService.Lookup on a
// google.golang.org/grpc server calling the same code). The load is bounded
// by -duration and -max-calls and targets 127.0.0.1 only.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/gen/statusd/v1/statusdv1connect"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// request is the one Lookup every target answers.
var request = &statusdv1.LookupRequest{Key: &statusdv1.LookupRequest_HttpStatus{HttpStatus: 412}}

func main() {
	role := flag.String("role", "", "internal: run as the ceiling or peer server")
	addr := flag.String("addr", "", "internal: listen address of -role")
	debugAddr := flag.String("debug-addr", "", "internal: expvar address of -role")
	duration := flag.Duration("duration", 10*time.Second, "how long each target is loaded")
	concurrency := flag.Int("concurrency", 64, "concurrent callers per target")
	maxCalls := flag.Int("max-calls", 2_000_000, "most calls per target")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of statusd under the load of -profile-target to this `file`")
	profileTarget := flag.String("profile-target", "gRPC", "the statusd target (a word of its name) -cpuprofile profiles")
	flag.Parse()
	if *role != "" {
		if err := serveRole(*role, *addr, *debugAddr); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if *concurrency <= 0 || *duration <= 0 || *maxCalls <= 0 {
		fmt.Fprintln(os.Stderr, "bench: -concurrency, -duration and -max-calls must be positive")
		os.Exit(2)
	}
	if err := benchmark(os.Stdout, *duration, *concurrency, *maxCalls, *cpuProfile, *profileTarget); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

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
			return p, nil
		}
		if time.Since(t0) > 30*time.Second {
			p.stop()
			return nil, fmt.Errorf("%s did not become ready", name)
		}
		time.Sleep(time.Millisecond)
	}
}

// healthy is statusd's readiness: a successful gRPC health check over
// Connect JSON.
func healthy(addr string) error {
	resp, err := http.Post("http://"+addr+"/grpc.health.v1.Health/Check", "application/json", strings.NewReader("{}"))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "SERVING_STATUS_SERVING") {
		return fmt.Errorf("health: %d %s", resp.StatusCode, body)
	}
	return nil
}

// result is the measurement of one target.
type result struct {
	target      string
	calls       int
	failed      int
	elapsed     time.Duration
	p50, p99    time.Duration
	allocs      float64 // server-side allocations per call
	rssIdleKB   int
	rssLoadKB   int
	ready       time.Duration
	ratio       float64
	ratioAgains string
}

func (r result) rps() float64 { return float64(r.calls) / r.elapsed.Seconds() }

// load runs call from concurrency goroutines until duration or maxCalls.
func load(p *process, target string, duration time.Duration, concurrency, maxCalls int, call func(context.Context) error) (result, error) {
	r := result{target: target, rssIdleKB: p.rssKB(), ready: p.ready}
	// Warm up connections and code paths.
	for range 200 {
		if err := call(context.Background()); err != nil {
			return r, fmt.Errorf("%s: %w", target, err)
		}
	}
	before, err := p.mallocs()
	if err != nil {
		return r, err
	}
	var next, failed atomic.Int64
	latencies := make([][]time.Duration, concurrency)
	deadline := time.Now().Add(duration)
	var peakRSS atomic.Int64
	stopSampling := make(chan struct{})
	go func() {
		for {
			select {
			case <-stopSampling:
				return
			case <-time.After(100 * time.Millisecond):
				if kb := int64(p.rssKB()); kb > peakRSS.Load() {
					peakRSS.Store(kb)
				}
			}
		}
	}()
	var wg sync.WaitGroup
	t0 := time.Now()
	for w := range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			own := make([]time.Duration, 0, maxCalls/concurrency+1)
			for next.Add(1) <= int64(maxCalls) && time.Now().Before(deadline) {
				s := time.Now()
				if err := call(context.Background()); err != nil {
					failed.Add(1)
					continue
				}
				own = append(own, time.Since(s))
			}
			latencies[w] = own
		}()
	}
	wg.Wait()
	r.elapsed = time.Since(t0)
	close(stopSampling)
	after, err := p.mallocs()
	if err != nil {
		return r, err
	}
	all := slices.Concat(latencies...)
	slices.Sort(all)
	r.calls, r.failed = len(all), int(failed.Load())
	if len(all) > 0 {
		r.p50, r.p99 = all[len(all)/2], all[len(all)*99/100]
		// The expvar request itself allocates a little; it is noise at this count.
		r.allocs = float64(after-before) / float64(len(all)+r.failed)
	}
	r.rssLoadKB = int(peakRSS.Load())
	return r, nil
}

func benchmark(out io.Writer, duration time.Duration, concurrency, maxCalls int, cpuProfile, profileTarget string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "statusd-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "statusd")
	root, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return fmt.Errorf("finding the module root: %w", err)
	}
	build := exec.Command("go", "build", "-o", bin, "./cmd/statusd")
	build.Dir = strings.TrimSpace(string(root))
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building statusd: %w", err)
	}

	h1 := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: concurrency, MaxConnsPerHost: concurrency}}
	connectCall := func(c statusdv1connect.StatusServiceClient) func(context.Context) error {
		return func(ctx context.Context) error {
			res, err := c.Lookup(ctx, request)
			if err == nil && res.GetHttpStatus() != 412 {
				err = errors.New("wrong answer")
			}
			return err
		}
	}
	grpcCall := func(conn *grpc.ClientConn) func(context.Context) error {
		return func(ctx context.Context) error {
			res := &statusdv1.LookupResponse{}
			err := conn.Invoke(ctx, statusdv1connect.StatusServiceLookupProcedure, request, res)
			if err == nil && res.GetHttpStatus() != 412 {
				err = errors.New("wrong answer")
			}
			return err
		}
	}

	grpcAddr, err := freeAddr()
	if err != nil {
		return err
	}
	statusd, err := start("statusd", []string{bin, "-access-log=false", "-grpc-addr", grpcAddr}, healthy)
	if err != nil {
		return err
	}
	defer statusd.stop()
	ceiling, err := start("ceiling", []string{self, "-role", "ceiling"}, healthyCeiling)
	if err != nil {
		return err
	}
	defer ceiling.stop()
	peer, err := start("grpc-go", []string{self, "-role", "peer"}, func(addr string) error {
		conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			return err
		}
		defer conn.Close()
		return grpcCall(conn)(context.Background())
	})
	if err != nil {
		return err
	}
	defer peer.stop()

	statusdConn, err := grpc.NewClient(statusd.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer statusdConn.Close()
	statusdGRPCConn, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer statusdGRPCConn.Close()
	peerConn, err := grpc.NewClient(peer.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer peerConn.Close()
	base := func(p *process) string { return "http://" + p.addr }

	type run struct {
		p      *process
		target string
		call   func(context.Context) error
	}
	runs := []run{
		{ceiling, "ceiling: net/http, pre-serialised JSON", connectCall(statusdv1connect.NewStatusServiceClient(h1, base(ceiling), connect.WithProtoJSON()))},
		{statusd, "statusd Connect JSON POST (HTTP/1.1)", connectCall(statusdv1connect.NewStatusServiceClient(h1, base(statusd), connect.WithProtoJSON()))},
		{statusd, "statusd Connect JSON GET (HTTP/1.1)", connectCall(statusdv1connect.NewStatusServiceClient(h1, base(statusd), connect.WithProtoJSON(), connect.WithHTTPGet()))},
		{statusd, "statusd Connect binary (HTTP/1.1)", connectCall(statusdv1connect.NewStatusServiceClient(h1, base(statusd)))},
		{statusd, "statusd gRPC (h2c), grpc-go client", grpcCall(statusdConn)},
		{statusd, "statusd gRPC on -grpc-addr (grpc-go transport), grpc-go client", grpcCall(statusdGRPCConn)},
		{peer, "peer: grpc-go server, grpc-go client", grpcCall(peerConn)},
	}
	var results []result
	for _, rn := range runs {
		var stopProfile func() error
		if cpuProfile != "" && rn.p == statusd && strings.Contains(rn.target, profileTarget) {
			stopProfile = profile(statusd, duration, cpuProfile)
		}
		r, err := load(rn.p, rn.target, duration, concurrency, maxCalls, rn.call)
		if err != nil {
			return err
		}
		if stopProfile != nil {
			if err := stopProfile(); err != nil {
				return err
			}
		}
		results = append(results, r)
	}
	ceilingRPS, peerRPS := results[0].rps(), results[len(results)-1].rps()
	for i := range results {
		switch {
		case i == 0 || i == len(results)-1:
		case strings.Contains(results[i].target, "gRPC"):
			results[i].ratio, results[i].ratioAgains = results[i].rps()/peerRPS, "grpc-go"
		default:
			results[i].ratio, results[i].ratioAgains = results[i].rps()/ceilingRPS, "ceiling"
		}
	}
	printTable(out, results, duration, concurrency)
	return nil
}

// profile takes a CPU profile of p for the length of one load run.
func profile(p *process, d time.Duration, file string) func() error {
	done := make(chan error, 1)
	go func() {
		resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", p.debugAddr, int(d.Seconds())))
		if err != nil {
			done <- err
			return
		}
		defer resp.Body.Close()
		f, err := os.Create(file)
		if err != nil {
			done <- err
			return
		}
		_, err = io.Copy(f, resp.Body)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		done <- err
	}()
	return func() error { return <-done }
}

func printTable(w io.Writer, results []result, duration time.Duration, concurrency int) {
	fmt.Fprintf(w, "%d concurrent callers, %v per target, loopback\n\n", concurrency, duration)
	fmt.Fprintln(w, "| target | calls/s | p50 | p99 | server allocs/call | ratio | failed |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	for _, r := range results {
		ratio := "—"
		if r.ratioAgains != "" {
			ratio = fmt.Sprintf("%.2f× %s", r.ratio, r.ratioAgains)
		}
		fmt.Fprintf(w, "| %s | %.0f | %v | %v | %.1f | %s | %d |\n", r.target, r.rps(),
			r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond), r.allocs, ratio, r.failed)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| process | ready after exec | RSS idle | RSS peak under load |")
	fmt.Fprintln(w, "|---|---|---|---|")
	type proc struct {
		name      string
		ready     time.Duration
		idle, top int
	}
	var procs []*proc
	byName := map[string]*proc{}
	for _, r := range results {
		name := strings.TrimSuffix(strings.SplitN(r.target, " ", 2)[0], ":")
		p := byName[name]
		if p == nil {
			p = &proc{name: name, ready: r.ready, idle: r.rssIdleKB}
			byName[name] = p
			procs = append(procs, p)
		}
		p.top = max(p.top, r.rssLoadKB)
	}
	for _, p := range procs {
		fmt.Fprintf(w, "| %s | %v | %.1f MB | %.1f MB |\n", p.name, p.ready.Round(time.Millisecond), float64(p.idle)/1024, float64(p.top)/1024)
	}
}
