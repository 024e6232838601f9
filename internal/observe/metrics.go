// Package observe records what statusd serves: one access-log line and a
// set of Prometheus metrics per RPC, through a Connect interceptor.
package observe

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"
)

// latencyBuckets are the upper bounds, in seconds, of the latency
// histogram: lookups take microseconds, so the low end is fine-grained.
var latencyBuckets = []float64{0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5}

// numCodes is the number of Connect codes, 0 (ok) to 16.
const numCodes = 17

// Metrics counts RPCs by procedure and code and keeps a latency histogram
// per procedure. Recording takes no lock once a procedure has been seen.
// The zero value is ready to use.
type Metrics struct {
	procedures sync.Map // procedure → *procedureMetrics
	reloadsOK  atomic.Uint64
	reloadsBad atomic.Uint64
	catalog    atomic.Pointer[catalogInfo]
}

type procedureMetrics struct {
	codes   [numCodes]atomic.Uint64
	buckets []atomic.Uint64 // one per bound, plus +Inf
	sumNano atomic.Uint64
}

type catalogInfo struct{ edition, hash string }

// Observe records one RPC.
func (m *Metrics) Observe(procedure string, code connect.Code, d time.Duration) {
	v, ok := m.procedures.Load(procedure)
	if !ok {
		v, _ = m.procedures.LoadOrStore(procedure, &procedureMetrics{buckets: make([]atomic.Uint64, len(latencyBuckets)+1)})
	}
	p := v.(*procedureMetrics)
	if c := int(code); c >= 0 && c < numCodes {
		p.codes[c].Add(1)
	}
	seconds := d.Seconds()
	i, _ := slices.BinarySearch(latencyBuckets, seconds)
	p.buckets[i].Add(1)
	p.sumNano.Add(uint64(d.Nanoseconds()))
}

// CatalogLoaded records a catalog reload that worked (and which catalog is
// served now) or failed.
func (m *Metrics) CatalogLoaded(ok bool, edition, hash string) {
	if !ok {
		m.reloadsBad.Add(1)
		return
	}
	m.reloadsOK.Add(1)
	m.catalog.Store(&catalogInfo{edition: edition, hash: hash})
}

// SetCatalog records the catalog served at start, without counting a reload.
func (m *Metrics) SetCatalog(edition, hash string) {
	m.catalog.Store(&catalogInfo{edition: edition, hash: hash})
}

// WritePrometheus writes the metrics in the Prometheus text format 0.0.4.
func (m *Metrics) WritePrometheus(w io.Writer) error {
	var b strings.Builder
	var names []string
	m.procedures.Range(func(k, _ any) bool { names = append(names, k.(string)); return true })
	slices.Sort(names)

	b.WriteString("# HELP statusd_requests_total RPCs handled, by procedure and Connect code.\n# TYPE statusd_requests_total counter\n")
	for _, name := range names {
		p := m.proc(name)
		for c := range numCodes {
			if n := p.codes[c].Load(); n > 0 {
				fmt.Fprintf(&b, "statusd_requests_total{procedure=\"%s\",code=\"%s\"} %d\n", label(name), codeName(c), n)
			}
		}
	}
	b.WriteString("# HELP statusd_request_duration_seconds RPC latency, by procedure.\n# TYPE statusd_request_duration_seconds histogram\n")
	for _, name := range names {
		p := m.proc(name)
		var cum uint64
		for i := range p.buckets {
			cum += p.buckets[i].Load()
			le := "+Inf"
			if i < len(latencyBuckets) {
				le = strconv.FormatFloat(latencyBuckets[i], 'g', -1, 64)
			}
			fmt.Fprintf(&b, "statusd_request_duration_seconds_bucket{procedure=\"%s\",le=\"%s\"} %d\n", label(name), le, cum)
		}
		sum := float64(p.sumNano.Load()) / 1e9
		fmt.Fprintf(&b, "statusd_request_duration_seconds_sum{procedure=\"%s\"} %s\n", label(name), strconv.FormatFloat(sum, 'g', -1, 64))
		fmt.Fprintf(&b, "statusd_request_duration_seconds_count{procedure=\"%s\"} %d\n", label(name), cum)
	}
	b.WriteString("# HELP statusd_catalog_reloads_total Catalog reloads, by result.\n# TYPE statusd_catalog_reloads_total counter\n")
	fmt.Fprintf(&b, "statusd_catalog_reloads_total{result=\"ok\"} %d\nstatusd_catalog_reloads_total{result=\"error\"} %d\n", m.reloadsOK.Load(), m.reloadsBad.Load())
	if info := m.catalog.Load(); info != nil {
		b.WriteString("# HELP statusd_catalog_info The catalog being served.\n# TYPE statusd_catalog_info gauge\n")
		fmt.Fprintf(&b, "statusd_catalog_info{edition=\"%s\",hash=\"%s\"} 1\n", label(info.edition), label(info.hash))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (m *Metrics) proc(name string) *procedureMetrics {
	v, _ := m.procedures.Load(name)
	return v.(*procedureMetrics)
}

// label escapes a label value as the text format requires: backslash,
// double quote and line feed.
var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

func label(v string) string { return labelEscaper.Replace(v) }

func codeName(c int) string {
	if c == 0 {
		return "ok"
	}
	return connect.Code(c).String()
}
