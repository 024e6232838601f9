package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// replica is a statusd process started by a test.
type replica struct {
	addr string
	cmd  *exec.Cmd
	done chan error
}

// startReplica runs the statusd binary on a free loopback port with args
// and waits until its health check answers; the test's cleanup stops it.
func startReplica(t *testing.T, args ...string) *replica {
	t.Helper()
	r := &replica{addr: freeLoopbackAddr(t), done: make(chan error, 1)}
	r.cmd = exec.Command(statusdBinary(t), append([]string{"serve", "-addr", r.addr, "-access-log=false"}, args...)...)
	logs := &syncBuffer{}
	r.cmd.Stderr = logs
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.done <- r.cmd.Wait() }()
	t.Cleanup(func() {
		_ = r.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-r.done:
		case <-time.After(15 * time.Second):
			_ = r.cmd.Process.Kill()
			<-r.done
		}
	})
	waitFor(t, "statusd on "+r.addr, func() bool {
		select {
		case err := <-r.done:
			t.Fatalf("statusd exited: %v\n%s", err, logs.String())
		default:
		}
		resp, err := http.Post("http://"+r.addr+"/grpc.health.v1.Health/Check", "application/json", strings.NewReader("{}"))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return r
}

// kill ends the replica at once, as a crashed machine would.
func (r *replica) kill() {
	_ = r.cmd.Process.Kill()
}

// metric sums the samples of a replica's /metrics that re matches (its
// one group is the value).
func (r *replica) metric(t *testing.T, re *regexp.Regexp) int {
	t.Helper()
	resp, err := http.Get("http://" + r.addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	n := 0
	for _, m := range re.FindAllSubmatch(body, -1) {
		c, _ := strconv.Atoi(string(m[1]))
		n += c
	}
	return n
}

var (
	// answeredLookups: Lookup calls a replica answered, from its answer
	// cache (304s among them) or by running the method.
	answeredLookups = regexp.MustCompile(`(?m)^statusd_requests_total\{code="[a-z_]+",procedure="[^"]*/Lookup"\} (\d+)$`)
	// methodRuns: calls connect-go ran (answer cache misses and bypasses);
	// only Lookups are made while the test compares counts.
	methodRuns = regexp.MustCompile(`(?m)^statusd_answer_cache_calls_total\{result="(?:miss|bypass)"\} (\d+)$`)
)

// nginxConf is a load balancer over the replicas in front of statusd, as
// README "Running more than one" shows it: one port with proxy_cache for
// Connect GET, one without. It writes everything under dir.
const nginxConf = `daemon off;
master_process off;
worker_processes 1;
pid {{dir}}/nginx.pid;
error_log {{dir}}/error.log warn;
events { worker_connections 512; }
http {
  log_format cache '$request_method $uri $status cache=$upstream_cache_status upstream=$upstream_addr upstream_status=$upstream_status etag=$sent_http_etag';
  access_log {{dir}}/access.log cache;
  client_body_temp_path {{dir}}/body;
  proxy_temp_path {{dir}}/proxy;
  fastcgi_temp_path {{dir}}/fastcgi;
  uwsgi_temp_path {{dir}}/uwsgi;
  scgi_temp_path {{dir}}/scgi;

  # statusd's Connect GET answers carry cache-control and an etag; nginx
  # keeps them for max-age, then revalidates with if-none-match.
  proxy_cache_path {{dir}}/cache levels=1:2 keys_zone=statusd:10m max_size=64m inactive=10m use_temp_path=off;

  upstream statusd {
{{servers}}    keepalive 32;
  }

  server {
    listen {{cached}};
    location / {
      proxy_pass http://statusd;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      # A GET to a replica that died is tried on the next one.
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 3;
      proxy_cache statusd;
      proxy_cache_revalidate on;
      proxy_cache_lock on;
      add_header X-Cache-Status $upstream_cache_status always;
    }
  }

  server {
    listen {{uncached}};
    location / {
      proxy_pass http://statusd;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 3;
    }
  }
}
`

// lb is nginx in front of replicas.
type lb struct {
	dir              string
	cached, uncached string // base URLs
}

// startNginx runs nginx over the replicas; it skips the test when nginx is
// not installed (and fails in CI, whose .ci/run installs it).
func startNginx(t *testing.T, replicas []*replica) *lb {
	t.Helper()
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		if _, statErr := os.Stat("/usr/sbin/nginx"); statErr != nil {
			skipOrFail(t, "nginx not installed")
		}
		nginx = "/usr/sbin/nginx"
	}
	dir := t.TempDir()
	var servers strings.Builder
	for _, r := range replicas {
		fmt.Fprintf(&servers, "    server %s max_fails=1 fail_timeout=10s;\n", r.addr)
	}
	l := &lb{dir: dir, cached: freeLoopbackAddr(t), uncached: freeLoopbackAddr(t)}
	conf := strings.NewReplacer("{{dir}}", dir, "{{servers}}", servers.String(), "{{cached}}", l.cached, "{{uncached}}", l.uncached).Replace(nginxConf)
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(nginx, "-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", filepath.Join(dir, "nginx.conf"))
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	l.cached, l.uncached = "http://"+l.cached, "http://"+l.uncached
	waitFor(t, "nginx", func() bool {
		select {
		case <-done:
			errLog, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx exited: %s\n%s", out.String(), errLog)
		default:
		}
		c, err := net.Dial("tcp", strings.TrimPrefix(l.uncached, "http://"))
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return l
}

// lookupURL is the Connect GET URL of a Lookup of status in dialect.
func lookupURL(base string, status int, dialect string) string {
	msg := fmt.Sprintf(`{"httpStatus":%d,"dialect":%q}`, status, dialect)
	return base + "/statusd.v1.StatusService/Lookup?encoding=json&message=" + url.QueryEscape(msg)
}

// get fetches u and returns the status, the etag, the cache status nginx
// reports and the body.
func get(t *testing.T, client *http.Client, u string) (int, string, string, string) {
	t.Helper()
	resp, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Etag"), resp.Header.Get("X-Cache-Status"), string(body)
}

func sumMetric(t *testing.T, replicas []*replica, re *regexp.Regexp) int {
	n := 0
	for _, r := range replicas {
		n += r.metric(t, re)
	}
	return n
}

// TestScaleOutBehindNginx runs three statusd replicas behind nginx, as a
// load balancer and a cache for Connect GET, on loopback.
func TestScaleOutBehindNginx(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("starts nginx and three statusd processes: not in -short or -race runs")
	}
	start := time.Now()
	catalog := filepath.Join(t.TempDir(), "catalog.txtpb")
	writeFile(t, catalog, overlay412("edition 1"))
	var replicas []*replica
	for range 3 {
		replicas = append(replicas, startReplica(t, "-catalog", catalog, "-watch", "50ms", "-cache-max-age", "1s"))
	}
	l := startNginx(t, replicas)
	client := &http.Client{Timeout: 10 * time.Second}
	u412 := lookupURL(l.cached, 412, "DIALECT_LEVEL3")

	// (d) One catalog, one etag: every replica gives the same.
	sameEtag := func() string {
		t.Helper()
		var first string
		for i, r := range replicas {
			code, etag, _, _ := get(t, client, lookupURL("http://"+r.addr, 412, "DIALECT_LEVEL3"))
			if code != 200 || etag == "" || (i > 0 && etag != first) {
				t.Fatalf("replica %d: %d etag %q; replica 0 gave %q", i, code, etag, first)
			}
			first = etag
		}
		return first
	}
	etag1 := sameEtag()

	t.Logf("%v: %s", time.Since(start).Round(time.Millisecond), "// (a) The first GET")
	// (a) The first GET misses and reaches a replica; the next ones are
	// hits that reach none; once stale (max-age 1s) nginx revalidates with
	// the etag and the replica answers 304 without running Lookup.
	// sameEtag asked every replica this Lookup already, so each has the
	// answer in its answer cache: no request below runs the method.
	before, runsBefore := sumMetric(t, replicas, answeredLookups), sumMetric(t, replicas, methodRuns)
	if code, etag, cache, _ := get(t, client, u412); code != 200 || cache != "MISS" || etag != etag1 {
		t.Fatalf("first GET: %d %s etag %q (want MISS, %q)", code, cache, etag, etag1)
	}
	for i := range 20 {
		if code, etag, cache, _ := get(t, client, u412); code != 200 || cache != "HIT" || etag != etag1 {
			t.Fatalf("GET %d: %d %s etag %q; want a HIT", i+2, code, cache, etag)
		}
	}
	if n := sumMetric(t, replicas, answeredLookups) - before; n != 1 {
		t.Errorf("21 GETs reached the replicas %d times; want 1 (the miss)", n)
	}
	// nginx keeps whole seconds: 1s of max-age is stale after 2s at most.
	time.Sleep(2100 * time.Millisecond)
	if code, etag, cache, _ := get(t, client, u412); code != 200 || cache != "REVALIDATED" || etag != etag1 {
		t.Errorf("stale GET: %d %s etag %q; want REVALIDATED", code, cache, etag)
	}
	if n := sumMetric(t, replicas, answeredLookups) - before; n != 2 {
		t.Errorf("the miss and the revalidation reached the replicas %d times; want 2", n)
	}
	if n := sumMetric(t, replicas, methodRuns) - runsBefore; n != 0 {
		t.Errorf("the replicas ran Lookup %d times; their answer caches should have answered (the 304 too)", n)
	}
	accessLog, _ := os.ReadFile(filepath.Join(l.dir, "access.log"))
	if !regexp.MustCompile(`cache=REVALIDATED upstream=127\.0\.0\.1:\d+ upstream_status=304`).Match(accessLog) {
		t.Errorf("nginx's log shows no 304 revalidation:\n%s", accessLog)
	}

	t.Logf("%v: %s", time.Since(start).Round(time.Millisecond), "// (c) A catalog change")
	// (c) A catalog change written to the shared file reaches every
	// replica, with a new etag, and through the cache once it is stale.
	writeFile(t, catalog, overlay412("edition 2"))
	waitFor(t, "every replica to reload", func() bool {
		for _, r := range replicas {
			if meaning412(t, "http://"+r.addr) != "edition 2" {
				return false
			}
		}
		return true
	})
	etag2 := sameEtag()
	if etag2 == etag1 {
		t.Fatalf("the catalog changed and the etag did not: %q", etag2)
	}
	waitFor(t, "nginx to serve the new catalog", func() bool {
		code, etag, _, body := get(t, client, u412)
		return code == 200 && etag == etag2 && strings.Contains(body, `"meaning":"edition 2"`)
	})

	t.Logf("%v: %s", time.Since(start).Round(time.Millisecond), "// (b) One replica killed")
	// (b) One replica killed in the middle of a load of GETs that miss the
	// cache: nginx tries another replica and no GET is lost.
	var sent, failed atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	stop := make(chan struct{})
	dialects := []string{"DIALECT_LEVEL3", "DIALECT_CONNECT", "DIALECT_GRPC", "DIALECT_TWIRP"}
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &http.Client{Timeout: 10 * time.Second}
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				u := lookupURL(l.uncached, 200+(w*37+i)%400, dialects[i%len(dialects)])
				sent.Add(1)
				resp, err := c.Get(u)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != 200 {
						err = fmt.Errorf("HTTP %d", resp.StatusCode)
					}
				}
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
			}
		}()
	}
	time.Sleep(500 * time.Millisecond)
	atKill := sent.Load()
	replicas[1].kill()
	killedAt := time.Now()
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()
	t.Logf("%d GETs, %d before the kill, %d in the %v after it; %d failed",
		sent.Load(), atKill, sent.Load()-atKill, time.Since(killedAt).Round(time.Millisecond), failed.Load())
	if failed.Load() != 0 {
		t.Errorf("%d of %d GETs failed after a replica was killed (first: %v)", failed.Load(), sent.Load(), firstErr.Load())
	}
	if atKill == 0 || sent.Load()-atKill < 100 {
		t.Errorf("the load did not surround the kill: %d GETs before, %d after", atKill, sent.Load()-atKill)
	}
	for i, r := range replicas {
		if i != 1 && r.metric(t, answeredLookups) == 0 {
			t.Errorf("replica %d served no GET: nginx is not balancing", i)
		}
	}
}

// wrkRate runs wrk against u for a bounded time and returns requests/s.
func wrkRate(t *testing.T, wrk, u string) float64 {
	t.Helper()
	out, err := exec.Command(wrk, "-t2", "-c64", "-d3s", "--timeout", "5s", u).CombinedOutput()
	if err != nil {
		t.Fatalf("wrk: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`Requests/sec:\s+([\d.]+)`).FindSubmatch(out)
	if m == nil || strings.Contains(string(out), "Non-2xx") || strings.Contains(string(out), "Socket errors") {
		t.Fatalf("wrk:\n%s", out)
	}
	rate, _ := strconv.ParseFloat(string(m[1]), 64)
	return rate
}

// peakRSS is a process's highest resident set, from /proc.
func peakRSS(t *testing.T, pid int) string {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "unknown"
	}
	m := regexp.MustCompile(`VmHWM:\s+(\d+ kB)`).FindSubmatch(data)
	if m == nil {
		return "unknown"
	}
	return string(m[1])
}

// TestScaleOutThroughput measures Connect GET Lookups per second with wrk
// (64 connections, 3 s each, three interleaved rounds, loopback) against one statusd, through nginx
// to three replicas without the cache, and through the cache; and the
// replicas' peak RSS (for deploy/kubernetes's memory request). It takes
// 30 s, so it runs when STATUSD_WRK=1. The numbers are in the README.
func TestScaleOutThroughput(t *testing.T) {
	if os.Getenv("STATUSD_WRK") != "1" {
		t.Skip("set STATUSD_WRK=1 to measure throughput through nginx with wrk")
	}
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		skipOrFail(t, "wrk not installed")
	}
	single := startReplica(t)
	var replicas []*replica
	for range 3 {
		replicas = append(replicas, startReplica(t))
	}
	l := startNginx(t, replicas)
	// Three interleaved rounds, so that a change in the machine's other
	// load falls on every path alike; the median of each is reported.
	var direct, uncached, cached []float64
	for range 3 {
		direct = append(direct, wrkRate(t, wrk, lookupURL("http://"+single.addr, 412, "DIALECT_LEVEL3")))
		uncached = append(uncached, wrkRate(t, wrk, lookupURL(l.uncached, 412, "DIALECT_LEVEL3")))
		cached = append(cached, wrkRate(t, wrk, lookupURL(l.cached, 412, "DIALECT_LEVEL3")))
	}
	median := func(xs []float64) float64 { slices.Sort(xs); return xs[len(xs)/2] }
	load, _ := os.ReadFile("/proc/loadavg")
	t.Logf("Connect GET Lookup, wrk -t2 -c64 -d3s, median of 3 interleaved rounds: one statusd %.0f/s; nginx -> 3 replicas %.0f/s; nginx cache %.0f/s (load average %s)",
		median(direct), median(uncached), median(cached), strings.Fields(string(load))[0])
	t.Logf("peak RSS: single statusd %s; replicas %s, %s, %s", peakRSS(t, single.cmd.Process.Pid),
		peakRSS(t, replicas[0].cmd.Process.Pid), peakRSS(t, replicas[1].cmd.Process.Pid), peakRSS(t, replicas[2].cmd.Process.Pid))
	if median(cached) <= median(uncached) {
		t.Errorf("the cache (%.0f/s) is not faster than going to the replicas (%.0f/s)", median(cached), median(uncached))
	}
}
