package main

import (
	"context"
	"crypto/tls"
	"errors"
	_ "expvar" // /debug/vars for -debug-addr
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof" // /debug/pprof for -debug-addr
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"connectrpc.com/connect"
	connectcors "connectrpc.com/cors"
	"connectrpc.com/grpchealth"
	"connectrpc.com/grpcreflect"
	"github.com/rs/cors"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/gen/statusd/v1/statusdv1connect"
	"github.com/statusd/statusd/gen/statusd/v1/statusdv1openapi"
	"github.com/statusd/statusd/internal/grpcserve"
	"github.com/statusd/statusd/internal/grpcsplit"
	"github.com/statusd/statusd/internal/observe"
	"github.com/statusd/statusd/internal/ui"
	"github.com/statusd/statusd/server"
	"google.golang.org/grpc"
)

// config is what the serve flags set.
type config struct {
	addr                 string
	catalogFile          string
	watch                time.Duration
	corsOrigins          string
	logFormat            string
	accessLog            bool
	readMaxBytes         int
	readHeaderTimeout    time.Duration
	readTimeout          time.Duration
	idleTimeout          time.Duration
	maxHeaderBytes       int
	maxConcurrentStreams int
	compressMinBytes     int
	cacheMaxAge          time.Duration
	answerCacheBytes     int
	streamLimit          int
	shutdownTimeout      time.Duration
	drainDelay           time.Duration
	tlsCert, tlsKey      string
	debugAddr            string
	grpcAddr             string
	ui                   bool
	maxConnections       int
	accessLogSample      uint64
	otel                 bool
}

// envName is the environment variable that stands for a flag.
func envName(flagName string) string {
	return "STATUSD_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// withEnv documents each flag's environment variable in its usage, and sets
// the flags whose variables are set; flags on the command line still win.
func withEnv(fs *flag.FlagSet) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		name := envName(f.Name)
		f.Usage += " (env " + name + ")"
		if v, ok := os.LookupEnv(name); ok && err == nil {
			if setErr := fs.Set(f.Name, v); setErr != nil {
				err = fmt.Errorf("%s=%q: %w", name, v, setErr)
			}
		}
	})
	return err
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("statusd serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: statusd serve [flags]\n\nServes statusd.v1.StatusService over Connect, gRPC and gRPC-Web (HTTP/1.1 and h2c, or TLS),\nwith gRPC health, reflection and Prometheus metrics at /metrics. serve is the default verb:\n'statusd [flags]' serves too.\n\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "`address` to listen on (host:port)")
	fs.StringVar(&cfg.catalogFile, "catalog", "", "catalog `file` (text or JSON statusd.v1.Catalog) laid over the embedded one; reloaded on SIGHUP")
	fs.DurationVar(&cfg.watch, "watch", 0, "also reload the catalog file when it changes, checking at this `interval` (0: off)")
	fs.StringVar(&cfg.corsOrigins, "cors-origins", "", "comma-separated `origins` browsers may call from (* for any; empty: no CORS)")
	fs.StringVar(&cfg.logFormat, "log-format", "text", "log `format`: text or json")
	fs.BoolVar(&cfg.accessLog, "access-log", true, "log one line per RPC")
	fs.Uint64Var(&cfg.accessLogSample, "access-log-sample", 1, "log one successful RPC in this many (errors are always logged); for busy servers")
	fs.IntVar(&cfg.maxConnections, "max-connections", 0, "connections each port (-addr, -grpc-addr) holds at once; more wait in the kernel's queue (0: split the descriptor limit, RLIMIT_NOFILE, between the ports, at most 10000 each)")
	fs.IntVar(&cfg.readMaxBytes, "read-max-bytes", 1<<20, "largest request message, in `bytes`; larger ones get resource_exhausted")
	fs.DurationVar(&cfg.readHeaderTimeout, "read-header-timeout", 5*time.Second, "time allowed to read request headers")
	fs.DurationVar(&cfg.readTimeout, "read-timeout", 30*time.Second, "time allowed to read a whole request")
	fs.DurationVar(&cfg.idleTimeout, "idle-timeout", 2*time.Minute, "how long an idle keep-alive connection stays open")
	fs.IntVar(&cfg.maxHeaderBytes, "max-header-bytes", 64<<10, "largest request header block, in `bytes`; larger ones get 431")
	fs.IntVar(&cfg.maxConcurrentStreams, "max-concurrent-streams", 250, "HTTP/2 streams one connection may have open at once")
	fs.IntVar(&cfg.compressMinBytes, "compress-min-bytes", 1024, "compress responses only from this many `bytes` on")
	fs.DurationVar(&cfg.cacheMaxAge, "cache-max-age", 5*time.Minute, "max-age of cacheable Connect GET answers")
	fs.IntVar(&cfg.answerCacheBytes, "answer-cache-bytes", server.DefaultCacheBytes, "memory cap of the cache of Connect answers, in `bytes`")
	fs.IntVar(&cfg.streamLimit, "stream-limit", server.DefaultStreamLimit, "exchanges one ValidateStream takes")
	fs.DurationVar(&cfg.shutdownTimeout, "shutdown-timeout", 10*time.Second, "how long SIGINT/SIGTERM waits for in-flight calls")
	fs.DurationVar(&cfg.drainDelay, "drain-delay", 0, "how long health reports NOT_SERVING before the listener closes, so load balancers can stop sending")
	fs.StringVar(&cfg.tlsCert, "tls-cert", "", "TLS certificate `file` (PEM); with -tls-key, serves HTTPS with HTTP/2 by ALPN")
	fs.StringVar(&cfg.tlsKey, "tls-key", "", "TLS private key `file` (PEM)")
	fs.StringVar(&cfg.grpcAddr, "grpc-addr", "", "also serve gRPC (cleartext HTTP/2) with grpc-go's transport on this `address`, for gRPC clients that need its throughput (empty: off)")
	fs.BoolVar(&cfg.ui, "ui", true, "serve the status explorer page at /")
	fs.BoolVar(&cfg.otel, "otel", false, "export OpenTelemetry traces and metrics of every RPC over OTLP/HTTP, configured by the standard OTEL_* variables (OTEL_EXPORTER_OTLP_ENDPOINT...)")
	fs.StringVar(&cfg.debugAddr, "debug-addr", "", "serve net/http/pprof and expvar (/debug/vars) on this separate `address`, such as 127.0.0.1:6060 (empty: off)")
	if err := withEnv(fs); err != nil {
		return cfg, err
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	switch {
	case fs.NArg() > 0:
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case cfg.readMaxBytes <= 0:
		return cfg, fmt.Errorf("-read-max-bytes must be positive, got %d", cfg.readMaxBytes)
	case cfg.answerCacheBytes <= 0:
		return cfg, fmt.Errorf("-answer-cache-bytes must be positive, got %d", cfg.answerCacheBytes)
	case cfg.maxHeaderBytes <= 0:
		return cfg, fmt.Errorf("-max-header-bytes must be positive, got %d", cfg.maxHeaderBytes)
	case cfg.maxConcurrentStreams <= 0:
		return cfg, fmt.Errorf("-max-concurrent-streams must be positive, got %d", cfg.maxConcurrentStreams)
	case cfg.logFormat != "text" && cfg.logFormat != "json":
		return cfg, fmt.Errorf("-log-format must be text or json, got %q", cfg.logFormat)
	case (cfg.tlsCert == "") != (cfg.tlsKey == ""):
		return cfg, errors.New("-tls-cert and -tls-key go together")
	case cfg.watch != 0 && cfg.catalogFile == "":
		return cfg, errors.New("-watch needs -catalog")
	case cfg.watch < 0:
		return cfg, fmt.Errorf("-watch must not be negative, got %v", cfg.watch)
	case cfg.maxConnections < 0:
		return cfg, fmt.Errorf("-max-connections must not be negative, got %d", cfg.maxConnections)
	case cfg.shutdownTimeout <= 0:
		return cfg, fmt.Errorf("-shutdown-timeout must be positive, got %v", cfg.shutdownTimeout)
	}
	return cfg, nil
}

// app is a statusd being served: what build makes, listen opens, serve
// starts and drain stops.
type app struct {
	cfg     config
	logger  *slog.Logger
	rec     *observe.Recorder
	metrics *observe.Metrics
	svc     *server.Service
	checker *grpchealth.StaticChecker
	http    *http.Server
	grpc    *grpcserve.Server  // nil without -grpc-addr
	tel     *observe.Telemetry // nil without -otel

	catalogStamp string
	ports        ports
	served       chan error // one result per server started
	running      int        // servers started
	stopDebug    func()
}

// run serves until ctx is done, then drains. If ready is not nil it receives
// the bound address once the server accepts connections.
func run(ctx context.Context, args []string, stderr io.Writer, ready chan<- net.Addr) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	a, err := build(cfg, stderr)
	if err != nil {
		return err
	}
	if err := a.listen(); err != nil {
		a.closeAll()
		return err
	}
	defer a.stopDebug()
	// Ready only once every listener is open and SIGHUP is handled.
	reloads := make(chan os.Signal, 1)
	signal.Notify(reloads, syscall.SIGHUP)
	defer signal.Stop(reloads)
	a.serve()
	if ready != nil {
		ready <- a.ports.main.Addr()
	}
	stopWatch := watchCatalog(a.cfg, a.catalogStamp, a.svc, a.metrics, a.logger)
	defer stopWatch()
	if err := a.wait(ctx, reloads); err != nil {
		a.closeAll()
		return err
	}
	return a.drain()
}

// build makes the servers from the configuration: logs, catalog, service,
// metrics, the HTTP server and, with -grpc-addr, the grpc-go one.
func build(cfg config, stderr io.Writer) (*app, error) {
	a := &app{cfg: cfg, stopDebug: func() {}}
	var logHandler slog.Handler = slog.NewTextHandler(stderr, nil)
	if cfg.logFormat == "json" {
		logHandler = slog.NewJSONHandler(stderr, nil)
	}
	a.logger = slog.New(logHandler)
	a.metrics = observe.NewMetrics()
	a.rec = &observe.Recorder{Metrics: a.metrics, SampleEvery: cfg.accessLogSample}
	if cfg.accessLog {
		a.rec.Log = a.logger
	}

	// The file's stamp is taken before it is read, so a change made while
	// it is being read is seen by -watch.
	a.catalogStamp = stamp(cfg.catalogFile)
	catalog, err := loadCatalog(cfg.catalogFile)
	if err != nil {
		return nil, err
	}
	a.metrics.SetCatalog(catalog.Proto().GetEdition(), catalog.Hash())
	a.svc = server.New(catalog, server.WithStreamLimit(cfg.streamLimit), server.WithStreamMaxAge(politeBefore(cfg.readTimeout)))
	a.checker = grpchealth.NewStaticChecker(statusdv1connect.StatusServiceName)

	a.http = &http.Server{
		ReadHeaderTimeout: cfg.readHeaderTimeout,
		ReadTimeout:       cfg.readTimeout,
		IdleTimeout:       cfg.idleTimeout,
		MaxHeaderBytes:    cfg.maxHeaderBytes,
		Protocols:         new(http.Protocols),
		HTTP2:             &http.HTTP2Config{MaxConcurrentStreams: cfg.maxConcurrentStreams},
		ErrorLog:          slog.NewLogLogger(logHandler, slog.LevelWarn),
	}
	a.http.Protocols.SetHTTP1(true)
	if cfg.tlsCert != "" {
		a.http.Protocols.SetHTTP2(true)
		cert, err := tls.LoadX509KeyPair(cfg.tlsCert, cfg.tlsKey)
		if err != nil {
			return nil, fmt.Errorf("tls: %w", err)
		}
		a.http.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	} else {
		a.http.Protocols.SetUnencryptedHTTP2(true)
	}
	// Last, as nothing after it fails: telemetry starts exporters.
	interceptors, grpcOpts, err := a.startTelemetry()
	if err != nil {
		return nil, err
	}
	a.http.Handler = newHandler(a.svc, a.checker, a.metrics, a.rec, cfg, interceptors...)
	if cfg.grpcAddr != "" || cfg.tlsCert == "" { // cleartext: gRPC on the main port too (serve)
		a.grpc = grpcserve.New(a.svc, a.rec, grpcserve.Limits{
			MaxRecvMsgSize:       cfg.readMaxBytes,
			MaxConcurrentStreams: uint32(cfg.maxConcurrentStreams),
			HandshakeTimeout:     cfg.readHeaderTimeout,
			IdleTimeout:          cfg.idleTimeout,
			CallTimeout:          cfg.readTimeout,
		}, grpcOpts...)
	}
	return a, nil
}

// startTelemetry starts OpenTelemetry if -otel is set, and returns what
// instruments each port with it.
func (a *app) startTelemetry() ([]connect.Interceptor, []grpc.ServerOption, error) {
	if !a.cfg.otel {
		return nil, nil, nil
	}
	var err error
	if a.tel, err = observe.StartOTLP(context.Background()); err != nil {
		return nil, nil, err
	}
	interceptor, err := a.tel.ConnectInterceptor()
	if err != nil {
		return nil, nil, err
	}
	return []connect.Interceptor{interceptor}, []grpc.ServerOption{a.tel.GRPCServerOption()}, nil
}

// politeBefore is how long a ValidateStream may stay open: a little less
// than the read limit that would cut it, so that it ends with a clear
// unavailable error instead (0: no limit).
func politeBefore(readTimeout time.Duration) time.Duration {
	if readTimeout <= 0 {
		return 0
	}
	return readTimeout - min(time.Second, readTimeout/10)
}

// serve starts a server on each open port.
func (a *app) serve() {
	a.served = make(chan error, 3)
	mainLn := a.ports.main
	if a.http.TLSConfig == nil { // gRPC connections on the main port go to grpc-go's transport
		split := grpcsplit.New(mainLn, a.cfg.readHeaderTimeout)
		mainLn = split.HTTP()
		a.running++
		go func() { a.served <- a.grpc.Serve(split.GRPC()) }()
	}
	a.logger.Info("statusd listening", "addr", a.ports.main.Addr().String(), "tls", a.cfg.tlsCert != "",
		"max_connections", a.ports.maxConns, "catalog", a.svc.Catalog().Proto().GetEdition(), "catalog_hash", a.svc.Catalog().Hash()[:12])
	a.running++
	go func() {
		if a.http.TLSConfig != nil {
			a.served <- a.http.ServeTLS(a.ports.main, "", "")
		} else {
			a.served <- a.http.Serve(mainLn)
		}
	}()
	if a.ports.grpc != nil {
		a.logger.Info("statusd gRPC (grpc-go) listening", "addr", a.ports.grpc.Addr().String(), "max_connections", a.ports.maxConns)
		a.running++
		go func() { a.served <- a.grpc.Serve(a.ports.grpc) }()
	}
}

// wait returns nil when ctx is done, reloading the catalog on SIGHUP in the
// meantime, or the error of a server that stopped on its own.
func (a *app) wait(ctx context.Context, reloads <-chan os.Signal) error {
	for {
		select {
		case err := <-a.served:
			a.running--
			if err == nil {
				err = errors.New("a server stopped unexpectedly")
			}
			return err
		case <-reloads:
			reloadCatalog(a.cfg.catalogFile, a.svc, a.metrics, a.logger)
		case <-ctx.Done():
			return nil
		}
	}
}

// newHandler routes StatusService, health, reflection and /metrics, with
// caching, CORS and observation.
// Interceptors in extra (OpenTelemetry) run outermost.
func newHandler(svc *server.Service, checker grpchealth.Checker, metrics *observe.Metrics, rec *observe.Recorder, cfg config, extra ...connect.Interceptor) http.Handler {
	observed := connect.WithInterceptors(append(extra, observe.Interceptor(rec))...)
	mux := http.NewServeMux()
	mux.Handle(server.NewHandler(svc, observed,
		connect.WithReadMaxBytes(cfg.readMaxBytes),
		connect.WithCompressMinBytes(cfg.compressMinBytes)))
	mux.Handle(grpchealth.NewHandler(checker, observed))
	reflector := grpcreflect.NewStaticReflector(statusdv1connect.StatusServiceName, grpchealth.HealthV1ServiceName)
	mux.Handle(grpcreflect.NewHandlerV1(reflector, observed))
	mux.Handle(grpcreflect.NewHandlerV1Alpha(reflector, observed))
	mux.HandleFunc("GET /openapi.yaml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(statusdv1openapi.YAML)
	})
	mux.Handle("GET /metrics", metrics.Handler())
	if cfg.ui {
		ui.Mount(mux)
	}
	// Connect unary calls are answered by the answer cache (connect-go on a
	// miss, through the same extra interceptors), which records them itself.
	cache := svc.Cacheable(observe.Rejections(mux, rec, rpcProcedures()), server.CacheConfig{
		MaxAge: cfg.cacheMaxAge, MaxBytes: cfg.answerCacheBytes,
		HandlerOptions: []connect.HandlerOption{connect.WithInterceptors(extra...),
			connect.WithReadMaxBytes(cfg.readMaxBytes), connect.WithCompressMinBytes(cfg.compressMinBytes)},
		Observe: func(ctx context.Context, o server.CallOutcome) {
			rec.RecordHTTP(ctx, observe.Call{Procedure: o.Procedure, Protocol: connect.ProtocolConnect, Peer: o.Peer,
				Code: o.Code, Duration: o.Duration}, o.HTTPStatus, o.Cache)
		}})
	metrics.Registry().MustRegister(cache)
	var handler http.Handler = cache
	if cfg.corsOrigins != "" {
		handler = cors.New(cors.Options{
			AllowedOrigins: strings.Split(cfg.corsOrigins, ","),
			AllowedMethods: connectcors.AllowedMethods(),
			AllowedHeaders: connectcors.AllowedHeaders(),
			ExposedHeaders: append(connectcors.ExposedHeaders(), "Etag"),
			MaxAge:         7200,
		}).Handler(handler)
	}
	return handler
}

// rpcProcedures are the paths of the RPCs served, from the protos: the
// ones whose rejected requests observe.Rejections records.
func rpcProcedures() map[string]bool {
	known := map[string]bool{"/grpc.health.v1.Health/Check": true, "/grpc.health.v1.Health/Watch": true}
	methods := statusdv1.File_statusd_v1_status_service_proto.Services().ByName("StatusService").Methods()
	for i := range methods.Len() {
		m := methods.Get(i)
		known["/"+string(m.Parent().FullName())+"/"+string(m.Name())] = true
	}
	return known
}
