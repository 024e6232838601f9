// Package observe records what statusd serves: one access-log line and a
// set of Prometheus metrics per RPC, whatever the transport, through one
// Recorder.
package observe

import (
	"net/http"
	"time"

	"connectrpc.com/connect"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// latencyBuckets are the upper bounds, in seconds, of the latency
// histogram: Prometheus's default buckets (5 ms to 10 s), which dashboards
// expect, below which lookups that take microseconds get their own.
var latencyBuckets = append([]float64{0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025}, prometheus.DefBuckets...)

// Metrics holds statusd's Prometheus registry: the RPC counters and
// latency histograms, the catalog's reloads and identity, and the Go
// runtime, process and build information collectors.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	reloads  *prometheus.CounterVec
	catalog  *prometheus.GaugeVec
}

// NewMetrics returns Metrics with every collector registered.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "statusd_requests_total", Help: "RPCs handled, by procedure and Connect code.",
		}, []string{"procedure", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "statusd_request_duration_seconds", Help: "RPC latency, by procedure.", Buckets: latencyBuckets,
		}, []string{"procedure"}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "statusd_catalog_reloads_total", Help: "Catalog reloads, by result.",
		}, []string{"result"}),
		catalog: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "statusd_catalog_info", Help: "The catalog being served.",
		}, []string{"edition", "hash"}),
	}
	m.reloads.WithLabelValues("ok")
	m.reloads.WithLabelValues("error")
	m.reg.MustRegister(m.requests, m.latency, m.reloads, m.catalog,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewBuildInfoCollector())
	return m
}

// Observe records one RPC.
func (m *Metrics) Observe(procedure string, code connect.Code, d time.Duration) {
	m.requests.WithLabelValues(procedure, CodeName(code)).Inc()
	m.latency.WithLabelValues(procedure).Observe(d.Seconds())
}

// CatalogLoaded records a catalog reload that worked (and which catalog is
// served now) or failed.
func (m *Metrics) CatalogLoaded(ok bool, edition, hash string) {
	if !ok {
		m.reloads.WithLabelValues("error").Inc()
		return
	}
	m.reloads.WithLabelValues("ok").Inc()
	m.SetCatalog(edition, hash)
}

// SetCatalog records the catalog served at start, without counting a reload.
func (m *Metrics) SetCatalog(edition, hash string) {
	m.catalog.Reset() // one catalog at a time
	m.catalog.WithLabelValues(edition, hash).Set(1)
}

// Handler serves the metrics in the format the scraper asks for.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Registry is where the metrics are registered, for tests and for other
// collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// CodeName is the name of a Connect code in metrics and logs: "ok" for 0,
// else the code's own name (connect.Code.String), so the names follow the
// Connect enum instead of a copy of it.
func CodeName(c connect.Code) string {
	if c == 0 {
		return "ok"
	}
	return c.String()
}
