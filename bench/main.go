// Command bench measures statusd against a ceiling and a peer, side by side,
// in one interleaved run, on loopback only:
//
//	go run ./bench -duration 4s -rounds 3
//
// It builds statusd and runs it as a separate process, next to two more
// processes of its own binary: the ceiling (a bare net/http handler on the
// same listener setup answering, for each target, the very bytes statusd
// answered) and the peer (StatusService.Lookup on a plain grpc-go server
// calling the same code). The load comes from wrk (HTTP/1.1) and h2load
// (gRPC over h2c) when they are installed, else from a built-in raw
// HTTP/1.1 generator and grpc-go clients; the generator is named in the
// output, and each ratio is the median of the rounds' ratios, each round
// loading the ceiling (or peer) and statusd back to back. Load is bounded
// by -duration, -rounds and -max-calls, and targets 127.0.0.1 only.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"google.golang.org/protobuf/proto"
)

// target is one request every server under comparison answers.
type target struct {
	name        string
	method      string
	path        string // with the query
	contentType string
	body        []byte
	goal        float64 // least ratio to the ceiling (or peer)
}

// lookupMessage is the one Lookup every target asks.
const lookupMessage = `{"httpStatus":404}`

// typicalExchange is a Validate of a typical exchange: a GET of an entity
// under the Data and Entity profiles, 13 header fields.
const typicalExchange = `{"exchange":{"method":"GET","target":"/orders/42","status":200,` +
	`"requestHeaders":[{"name":"Accept","value":"application/json"},{"name":"If-None-Match","value":"\"v1\""},` +
	`{"name":"Accept-Encoding","value":"gzip"},{"name":"User-Agent","value":"bench"},{"name":"Host","value":"api.example"}],` +
	`"responseHeaders":[{"name":"Content-Type","value":"application/json"},{"name":"ETag","value":"\"v2\""},` +
	`{"name":"Cache-Control","value":"max-age=60"},{"name":"Vary","value":"Accept-Encoding"},` +
	`{"name":"Link","value":"<https://level3.rest/profiles/data>; rel=\"profile\""},` +
	`{"name":"Link","value":"<https://level3.rest/profiles/mixins/entity>; rel=\"profile\""},` +
	`{"name":"Content-Length","value":"42"},{"name":"Date","value":"Thu, 26 Nov 2026 12:00:00 GMT"}],` +
	`"responseBodySize":"42"},"profiles":["data","entity"]}`

var (
	connectGET = target{name: "Connect GET Lookup", method: "GET", goal: 0.85,
		path: "/statusd.v1.StatusService/Lookup?connect=v1&encoding=json&message=" + url.QueryEscape(lookupMessage)}
	connectPOST = target{name: "Connect JSON POST Lookup", method: "POST", goal: 0.7,
		path: "/statusd.v1.StatusService/Lookup", contentType: "application/json", body: []byte(lookupMessage)}
	validate = target{name: "Connect JSON POST Validate (typical exchange)", method: "POST", goal: 0.6,
		path: "/statusd.v1.StatusService/Validate", contentType: "application/json", body: []byte(typicalExchange)}
	grpcLookup = target{name: "gRPC Lookup (h2c)", method: "POST", goal: 0.9,
		path: "/statusd.v1.StatusService/Lookup", contentType: "application/grpc", body: grpcFrame(
			&statusdv1.LookupRequest{Key: &statusdv1.LookupRequest_HttpStatus{HttpStatus: 404}})}
	httpTargets = []target{connectGET, connectPOST, validate}
)

// grpcFrame is msg as one uncompressed gRPC length-prefixed message.
func grpcFrame(msg proto.Message) []byte {
	b, err := proto.Marshal(msg)
	if err != nil {
		panic(err)
	}
	return append([]byte{0, byte(len(b) >> 24), byte(len(b) >> 16), byte(len(b) >> 8), byte(len(b))}, b...)
}

// grpcConns is the number of h2c connections of the gRPC load, each with
// 16 concurrent streams (h2load -m16; the grpc-go clients multiplex their
// 64 callers on them the same way).
const grpcConns = 4

// options are the flags of a benchmark run.
type options struct {
	duration    time.Duration
	rounds      int
	concurrency int
	tailConns   int
	maxCalls    int
	generator   string // auto, builtin
}

func main() {
	role := flag.String("role", "", "internal: run as the ceiling or peer server")
	addr := flag.String("addr", "", "internal: listen address of -role")
	debugAddr := flag.String("debug-addr", "", "internal: expvar address of -role")
	upstream := flag.String("upstream", "", "internal: the statusd whose answers the ceiling repeats")
	var o options
	flag.DurationVar(&o.duration, "duration", 4*time.Second, "how long each target is loaded in each round")
	flag.IntVar(&o.rounds, "rounds", 3, "interleaved rounds")
	flag.IntVar(&o.concurrency, "concurrency", 32, "HTTP/1.1 connections per target (gRPC: 4 connections of 16 streams)")
	flag.IntVar(&o.tailConns, "tail-concurrency", 256, "connections of the p99 comparison")
	flag.IntVar(&o.maxCalls, "max-calls", 2_000_000, "most calls per target and round (built-in generators)")
	flag.StringVar(&o.generator, "generator", "auto", "auto (wrk and h2load when installed) or builtin")
	flag.Parse()
	if *role != "" {
		if err := serveRole(*role, *addr, *debugAddr, *upstream); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if o.concurrency <= 0 || o.tailConns <= 0 || o.duration <= 0 || o.maxCalls <= 0 || o.rounds <= 0 ||
		(o.generator != "auto" && o.generator != "builtin") {
		fmt.Fprintln(os.Stderr, "bench: -concurrency, -tail-concurrency, -duration, -rounds and -max-calls must be positive; -generator auto or builtin")
		os.Exit(2)
	}
	if err := benchmark(os.Stdout, o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// generators picks the HTTP/1.1 and h2c generators.
func generators(o options, dir string) (httpGen, h2Gen generator) {
	httpGen, h2Gen = leanGen{}, grpcGoGen{}
	if o.generator == "auto" {
		if _, err := exec.LookPath("wrk"); err == nil {
			httpGen = wrkGen{dir: dir}
		}
		if _, err := exec.LookPath("h2load"); err == nil {
			h2Gen = h2loadGen{dir: dir, streams: 16}
		}
	}
	return httpGen, h2Gen
}

// row is one line of the results: a target on one server, over the rounds.
type row struct {
	target, server string
	conns          int
	loads          []load
	ratios         []float64 // to the reference row of the same round
	cpuRatios      []float64 // CPU per call over the reference's, same round
	allocs         float64
	goal           float64
	reference      string
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

func (r *row) rps() float64 {
	v := make([]float64, len(r.loads))
	for i, l := range r.loads {
		v[i] = l.rps
	}
	return median(v)
}

func (r *row) p99() time.Duration {
	v := make([]float64, len(r.loads))
	for i, l := range r.loads {
		v[i] = float64(l.p99)
	}
	return time.Duration(median(v))
}

func (r *row) failed() int {
	n := 0
	for _, l := range r.loads {
		n += l.failed
	}
	return n
}

func benchmark(out io.Writer, o options) error {
	dir, err := os.MkdirTemp("", "statusd-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	procs, err := startAll(dir)
	if err != nil {
		return err
	}
	defer procs.stop()
	if err := procs.check(); err != nil {
		return err
	}
	httpGen, h2Gen := generators(o, dir)
	stopSampling := make(chan struct{})
	defer close(stopSampling)
	for _, p := range []*process{procs.statusd, procs.ceiling, procs.peer} {
		go p.sample(stopSampling)
	}
	fmt.Fprintf(out, "machine: %s, %d cores, %s/%s, %s; load before: %s\n", cpuModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), uptime())
	fmt.Fprintf(out, "HTTP/1.1 generator: %s; h2c generator: %s\n", httpGen.name(), h2Gen.name())
	fmt.Fprintf(out, "%d interleaved rounds of %v per target; statusd with -access-log=false\n\n", o.rounds, o.duration)

	var rows []*row
	pair := func(t target, conns int, ref *process) {
		a := &row{target: t.name, server: ref.name, conns: conns}
		b := &row{target: t.name, server: "statusd", conns: conns, goal: t.goal, reference: ref.name}
		rows = append(rows, a, b)
	}
	pair(connectGET, o.concurrency, procs.ceiling)
	pair(connectPOST, o.concurrency, procs.ceiling)
	pair(validate, o.concurrency, procs.ceiling)
	pair(connectGET, o.tailConns, procs.ceiling)
	pair(grpcLookup, grpcConns, procs.peer)
	for round := range o.rounds {
		for i := 0; i < len(rows); i += 2 {
			ref, st := rows[i], rows[i+1]
			t := targetNamed(ref.target)
			gen, refProc := httpGen, procs.ceiling
			if t.contentType == "application/grpc" {
				gen, refProc = h2Gen, procs.peer
			}
			cpu0 := refProc.cpu()
			a, err := gen.run(refProc.addr, t, ref.conns, o.duration, o.maxCalls)
			if err != nil {
				return fmt.Errorf("%s on %s: %w", t.name, refProc.name, err)
			}
			a.cpuPerCall = perCall(refProc.cpu()-cpu0, a.calls)
			before, _ := procs.statusd.mallocs()
			cpu0 = procs.statusd.cpu()
			b, err := gen.run(procs.statusd.addr, t, st.conns, o.duration, o.maxCalls)
			if err != nil {
				return fmt.Errorf("%s on statusd: %w", t.name, err)
			}
			b.cpuPerCall = perCall(procs.statusd.cpu()-cpu0, b.calls)
			after, _ := procs.statusd.mallocs()
			if a.cpuPerCall > 0 {
				st.cpuRatios = append(st.cpuRatios, float64(b.cpuPerCall)/float64(a.cpuPerCall))
			}
			if b.calls > 0 && round == 0 {
				st.allocs = float64(after-before) / float64(b.calls)
			}
			ref.loads, st.loads = append(ref.loads, a), append(st.loads, b)
			if a.rps > 0 {
				st.ratios = append(st.ratios, b.rps/a.rps)
			}
		}
	}
	printResults(out, rows, procs)
	fmt.Fprintf(out, "\nload after: %s\n", uptime())
	for _, r := range rows {
		if r.failed() > 0 {
			return fmt.Errorf("%s on %s: %d failed calls", r.target, r.server, r.failed())
		}
	}
	return nil
}

func perCall(cpu time.Duration, calls int) time.Duration {
	if calls == 0 {
		return 0
	}
	return cpu / time.Duration(calls)
}

func targetNamed(name string) target {
	for _, t := range append(slices.Clone(httpTargets), grpcLookup) {
		if t.name == name {
			return t
		}
	}
	panic("no target " + name)
}

func printResults(w io.Writer, rows []*row, procs *processes) {
	fmt.Fprintln(w, "| target | server | conns | calls/s | p50 | p99 | server CPU/call | statusd allocs/call | ratio (median of rounds) | goal | failed |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|")
	for i, r := range rows {
		ratio, goal, allocs := "—", "—", "—"
		if r.reference != "" {
			m := median(r.ratios)
			ratio = fmt.Sprintf("%.2f× %s (CPU/call %.2f×)", m, r.reference, median(r.cpuRatios))
			verdict := "met"
			if m < r.goal {
				verdict = fmt.Sprintf("missed by %.0f%%", 100*(r.goal-m)/r.goal)
			}
			goal = fmt.Sprintf("≥ %.2f× (%s)", r.goal, verdict)
			allocs = fmt.Sprintf("%.1f", r.allocs)
			if r.conns >= 256 && i > 0 { // the tail goal: p99 no worse than the ceiling's × 2
				ref := rows[i-1]
				tail := float64(r.p99()) / float64(max(ref.p99(), 1))
				verdict = "met"
				if tail > 2 {
					verdict = fmt.Sprintf("missed by %.0f%%", 100*(tail-2)/2)
				}
				goal += fmt.Sprintf("; p99 %.2f× ceiling's, ≤ 2× (%s)", tail, verdict)
			}
		}
		fmt.Fprintf(w, "| %s | %s | %d | %.0f | %s | %s | %s | %s | %s | %s | %d |\n", r.target, r.server, r.conns, r.rps(),
			dur(r.loads, func(l load) time.Duration { return l.p50 }), dur(r.loads, func(l load) time.Duration { return l.p99 }),
			dur(r.loads, func(l load) time.Duration { return l.cpuPerCall }), allocs, ratio, goal, r.failed())
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| process | ready after exec | RSS idle | RSS peak under load |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, p := range []*process{procs.statusd, procs.ceiling, procs.peer} {
		fmt.Fprintf(w, "| %s | %v | %.1f MB | %.1f MB |\n", p.name, p.ready.Round(time.Millisecond),
			float64(p.idleKB)/1024, float64(max(p.peakKB.Load(), int64(p.idleKB)))/1024)
	}
}

// dur is the median of a latency over the rounds, or "—" if not reported.
func dur(loads []load, f func(load) time.Duration) string {
	v := make([]float64, 0, len(loads))
	for _, l := range loads {
		if f(l) > 0 {
			v = append(v, float64(f(l)))
		}
	}
	if len(v) == 0 {
		return "—"
	}
	return time.Duration(median(v)).Round(time.Microsecond).String()
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
		}
	}
	return "unknown CPU"
}

func uptime() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return "load average " + strings.Join(f[:3], ", ")
}

// moduleRoot is the directory of the statusd module.
func moduleRoot() (string, error) {
	root, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return "", fmt.Errorf("finding the module root: %w", err)
	}
	return strings.TrimSpace(string(root)), nil
}

// buildStatusd builds cmd/statusd into dir.
func buildStatusd(dir string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "statusd")
	build := exec.Command("go", "build", "-o", bin, "./cmd/statusd")
	build.Dir = root
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		return "", errors.New("building statusd: " + err.Error())
	}
	return bin, nil
}
