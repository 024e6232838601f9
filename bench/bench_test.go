package main

import (
	"flag"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary play the ceiling and the peer, as the
// bench binary does when benchmark starts it with -role.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "-role" {
		fs := flag.NewFlagSet("role", flag.ExitOnError)
		role := fs.String("role", "", "")
		addr := fs.String("addr", "", "")
		debugAddr := fs.String("debug-addr", "", "")
		upstream := fs.String("upstream", "", "")
		_ = fs.Parse(os.Args[1:])
		if err := serveRole(*role, *addr, *debugAddr, *upstream); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// checkTable checks that a run printed every row, without a failed call.
func checkTable(t *testing.T, table string, generators ...string) {
	t.Helper()
	for _, want := range append(generators, "| Connect GET Lookup | ceiling | 4 |", "| Connect GET Lookup | statusd | 4 |",
		"| Connect JSON POST Lookup | statusd |", "| Connect JSON POST Validate (typical exchange) | ceiling |",
		"| Connect GET Lookup | statusd | 8 |", "| gRPC Lookup (h2c) | peer |", "| gRPC Lookup (h2c) | statusd |",
		"× ceiling (CPU/call ", "× peer", "p99 ", "load average", "| statusd | ") {
		if !strings.Contains(table, want) {
			t.Errorf("output lacks %q:\n%s", want, table)
		}
	}
	rows := 0
	for _, line := range strings.Split(table, "\n") {
		cells := strings.Split(line, " | ")
		if len(cells) != 11 || strings.HasPrefix(line, "| target") {
			continue
		}
		rows++
		if cells[10] != "0 |" || cells[3] == "0" {
			t.Errorf("no calls or failed calls: %s", line)
		}
	}
	if rows != 10 {
		t.Errorf("%d target rows, want 10:\n%s", rows, table)
	}
}

// TestBenchmarkSmoke runs the whole harness for a moment with the built-in
// generators (Go alone): it builds and starts statusd, the ceiling and the
// peer, checks that they answer the same bytes, loads each target and
// prints the tables without a failed call.
func TestBenchmarkSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three servers")
	}
	var out strings.Builder
	err := benchmark(&out, options{duration: 200 * time.Millisecond, rounds: 1, concurrency: 4, tailConns: 8, maxCalls: 2000, generator: "builtin"})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	checkTable(t, out.String(), "HTTP/1.1 generator: built-in", "h2c generator: grpc-go clients")
}

// TestBenchmarkExternalGenerators runs the harness with wrk and h2load for
// a second per target; they are Debian packages wrk and nghttp2-client.
func TestBenchmarkExternalGenerators(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three servers")
	}
	for _, tool := range []string{"wrk", "h2load"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not installed (CI installs wrk and nghttp2-client)", tool)
			}
			t.Skipf("%s is not installed (apt-get install wrk nghttp2-client); the built-in generators are tested by TestBenchmarkSmoke", tool)
		}
	}
	var out strings.Builder
	err := benchmark(&out, options{duration: time.Second, rounds: 1, concurrency: 4, tailConns: 8, maxCalls: 2000, generator: "auto"})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	checkTable(t, out.String(), "HTTP/1.1 generator: wrk", "h2c generator: h2load")
}

func TestParsers(t *testing.T) {
	wrk := `Running 1s test @ http://127.0.0.1:1/x
  1 threads and 4 connections
  Latency Distribution
     50%   61.00us
     75%   80.00us
     90%  100.00us
     99%    1.20ms
  40507 requests in 1.00s, 10.20MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 3
Requests/sec:  40499.12
`
	l, err := parseWrk(wrk)
	if err != nil || l.calls != 40507 || l.failed != 6 || l.rps != 40499.12 || l.p50 != 61*time.Microsecond || l.p99 != 1200*time.Microsecond {
		t.Errorf("wrk: %+v %v", l, err)
	}
	h2 := `finished in 1.00s, 31234.50 req/s, 2.01MB/s
requests: 31236 total, 31300 started, 31236 done, 31230 succeeded, 6 failed, 0 errored, 0 timeout
`
	l, err = parseH2load(h2)
	if err != nil || l.calls != 31230 || l.failed != 6 || l.rps != 31234.5 {
		t.Errorf("h2load: %+v %v", l, err)
	}
	for _, bad := range []string{"", "Requests/sec: x"} {
		if _, err := parseWrk(bad); err == nil {
			t.Errorf("wrk %q: no error", bad)
		}
		if _, err := parseH2load(bad); err == nil {
			t.Errorf("h2load %q: no error", bad)
		}
	}
}
