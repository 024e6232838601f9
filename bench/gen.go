package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// load is what one generator run measured.
type load struct {
	calls, failed int
	rps           float64
	p50, p99      time.Duration // zero when the generator does not report them
	cpuPerCall    time.Duration // the server's CPU time (user + system) per call
}

// generator drives HTTP load at one address.
type generator interface {
	name() string
	run(addr string, t target, conns int, d time.Duration, maxCalls int) (load, error)
}

// wrkGen drives HTTP/1.1 with wrk (one thread: the other core serves).
type wrkGen struct{ dir string }

func (wrkGen) name() string { return "wrk 4 (-t1)" }

func (g wrkGen) run(addr string, t target, conns int, d time.Duration, _ int) (load, error) {
	script := filepath.Join(g.dir, "wrk.lua")
	lua := fmt.Sprintf("wrk.method = %q\n", t.method)
	if t.body != nil {
		lua += "wrk.body = [==[" + string(t.body) + "]==]\nwrk.headers[\"Content-Type\"] = \"" + t.contentType + "\"\n"
	}
	if err := os.WriteFile(script, []byte(lua), 0o600); err != nil {
		return load{}, err
	}
	secs := max(1, int(d.Round(time.Second)/time.Second))
	out, err := exec.Command("wrk", "-t1", "-c"+strconv.Itoa(conns), "-d"+strconv.Itoa(secs)+"s", "--latency",
		"-s", script, "http://"+addr+t.path).CombinedOutput()
	if err != nil {
		return load{}, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	return parseWrk(string(out))
}

var (
	wrkRPS     = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkTotal   = regexp.MustCompile(`(\d+) requests in`)
	wrkNon2xx  = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	wrkSockErr = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
	wrkPct     = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([0-9.]+)(us|ms|s)\s*$`)
)

func parseWrk(out string) (load, error) {
	var l load
	m := wrkRPS.FindStringSubmatch(out)
	n := wrkTotal.FindStringSubmatch(out)
	if m == nil || n == nil {
		return l, fmt.Errorf("wrk output not understood:\n%s", out)
	}
	l.rps, _ = strconv.ParseFloat(m[1], 64)
	l.calls, _ = strconv.Atoi(n[1])
	if m := wrkNon2xx.FindStringSubmatch(out); m != nil {
		l.failed, _ = strconv.Atoi(m[1])
	}
	if m := wrkSockErr.FindStringSubmatch(out); m != nil {
		for _, s := range m[1:] {
			k, _ := strconv.Atoi(s)
			l.failed += k
		}
	}
	for _, m := range wrkPct.FindAllStringSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[m[3]]
		if m[1] == "50" {
			l.p50 = time.Duration(v * float64(unit))
		} else {
			l.p99 = time.Duration(v * float64(unit))
		}
	}
	return l, nil
}

// h2loadGen drives h2c with h2load: conns connections, streams
// concurrent streams on each.
type h2loadGen struct {
	dir     string
	streams int
}

func (g h2loadGen) name() string { return fmt.Sprintf("h2load 1 thread, %d streams/conn", g.streams) }

func (g h2loadGen) run(addr string, t target, conns int, d time.Duration, _ int) (load, error) {
	data := filepath.Join(g.dir, "h2load.body")
	if err := os.WriteFile(data, t.body, 0o600); err != nil {
		return load{}, err
	}
	secs := max(1, int(d.Round(time.Second)/time.Second))
	args := []string{"-t1", "-c" + strconv.Itoa(conns), "-m" + strconv.Itoa(g.streams), "-D" + strconv.Itoa(secs),
		"--warm-up-time=1", "-d", data, "-H", "content-type: " + t.contentType, "-H", "te: trailers", "http://" + addr + t.path}
	out, err := exec.Command("h2load", args...).CombinedOutput()
	if err != nil {
		return load{}, fmt.Errorf("h2load: %v\n%s", err, out)
	}
	return parseH2load(string(out))
}

var (
	h2RPS  = regexp.MustCompile(`finished in [0-9.]+\w*, ([0-9.]+) req/s`)
	h2Reqs = regexp.MustCompile(`requests: (\d+) total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout`)
)

func parseH2load(out string) (load, error) {
	var l load
	m := h2RPS.FindStringSubmatch(out)
	r := h2Reqs.FindStringSubmatch(out)
	if m == nil || r == nil {
		return l, fmt.Errorf("h2load output not understood:\n%s", out)
	}
	l.rps, _ = strconv.ParseFloat(m[1], 64)
	l.calls, _ = strconv.Atoi(r[2])
	for _, s := range r[3:] {
		k, _ := strconv.Atoi(s)
		l.failed += k
	}
	return l, nil
}

// leanGen is the built-in HTTP/1.1 generator, for machines without wrk:
// the request bytes are built once, each connection has one goroutine that
// writes them and reads the answer, with no client protocol stack.
type leanGen struct{}

func (leanGen) name() string { return "built-in (raw HTTP/1.1, 1 goroutine/conn)" }

func (leanGen) run(addr string, t target, conns int, d time.Duration, maxCalls int) (load, error) {
	req := []byte(fmt.Sprintf("%s %s HTTP/1.1\r\nHost: %s\r\n", t.method, t.path, addr))
	if t.body != nil {
		req = fmt.Appendf(req, "Content-Type: %s\r\nContent-Length: %d\r\n", t.contentType, len(t.body))
	}
	req = append(append(req, "\r\n"...), t.body...)
	var next, failed atomic.Int64
	lat := make([][]time.Duration, conns)
	var wg sync.WaitGroup
	var firstErr error
	var once sync.Once
	deadline := time.Now().Add(d)
	t0 := time.Now()
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				once.Do(func() { firstErr = err })
				return
			}
			defer c.Close()
			br := bufio.NewReaderSize(c, 16<<10)
			own := make([]time.Duration, 0, 1024)
			for next.Add(1) <= int64(maxCalls) && time.Now().Before(deadline) {
				s := time.Now()
				if _, err := c.Write(req); err != nil {
					failed.Add(1)
					return
				}
				status, err := readResponse(br)
				if err != nil {
					failed.Add(1)
					return
				}
				if status >= 400 {
					failed.Add(1)
					continue
				}
				own = append(own, time.Since(s))
			}
			lat[i] = own
		}()
	}
	wg.Wait()
	elapsed := time.Since(t0)
	all := slices.Concat(lat...)
	slices.Sort(all)
	l := load{calls: len(all), failed: int(failed.Load()), rps: float64(len(all)) / elapsed.Seconds()}
	if len(all) > 0 {
		l.p50, l.p99 = all[len(all)/2], all[len(all)*99/100]
	}
	return l, firstErr
}

// readResponse reads one HTTP/1.1 response with a content-length (statusd
// and the ceiling write their small answers in one piece) and returns its
// status.
func readResponse(br *bufio.Reader) (int, error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		return 0, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, fmt.Errorf("bad status line %q", line)
	}
	status, _ := strconv.Atoi(string(line[9:12]))
	length := -1
	for {
		h, err := br.ReadSlice('\n')
		if err != nil {
			return 0, err
		}
		if len(h) <= 2 {
			break
		}
		if len(h) > 16 && strings.EqualFold(string(h[:15]), "content-length:") {
			length, _ = strconv.Atoi(strings.TrimSpace(string(h[15:])))
		}
	}
	if length < 0 {
		return 0, errors.New("response without content-length")
	}
	_, err = br.Discard(length)
	return status, err
}
