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
	"github.com/statusd/statusd/gen/statusd/v1/statusdv1connect"
	"github.com/statusd/statusd/gen/statusd/v1/statusdv1openapi"
	"github.com/statusd/statusd/internal/grpcserve"
	"github.com/statusd/statusd/internal/observe"
	"github.com/statusd/statusd/internal/ui"
	"github.com/statusd/statusd/mapping"
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
	streamLimit          int
	shutdownTimeout      time.Duration
	drainDelay           time.Duration
	tlsCert, tlsKey      string
	debugAddr            string
	grpcAddr             string
	ui                   bool
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
		fmt.Fprint(stderr, "usage: statusd [serve] [flags]\n\nServes statusd.v1.StatusService over Connect, gRPC and gRPC-Web (HTTP/1.1 and h2c, or TLS),\nwith gRPC health, reflection and Prometheus metrics at /metrics.\n\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "`address` to listen on (host:port)")
	fs.StringVar(&cfg.catalogFile, "catalog", "", "catalog `file` (text or JSON statusd.v1.Catalog) laid over the embedded one; reloaded on SIGHUP")
	fs.DurationVar(&cfg.watch, "watch", 0, "also reload the catalog file when it changes, checking at this `interval` (0: off)")
	fs.StringVar(&cfg.corsOrigins, "cors-origins", "", "comma-separated `origins` browsers may call from (* for any; empty: no CORS)")
	fs.StringVar(&cfg.logFormat, "log-format", "text", "log `format`: text or json")
	fs.BoolVar(&cfg.accessLog, "access-log", true, "log one line per RPC")
	fs.IntVar(&cfg.readMaxBytes, "read-max-bytes", 1<<20, "largest request message, in `bytes`; larger ones get resource_exhausted")
	fs.DurationVar(&cfg.readHeaderTimeout, "read-header-timeout", 5*time.Second, "time allowed to read request headers")
	fs.DurationVar(&cfg.readTimeout, "read-timeout", 30*time.Second, "time allowed to read a whole request")
	fs.DurationVar(&cfg.idleTimeout, "idle-timeout", 2*time.Minute, "how long an idle keep-alive connection stays open")
	fs.IntVar(&cfg.maxHeaderBytes, "max-header-bytes", 64<<10, "largest request header block, in `bytes`; larger ones get 431")
	fs.IntVar(&cfg.maxConcurrentStreams, "max-concurrent-streams", 250, "HTTP/2 streams one connection may have open at once")
	fs.IntVar(&cfg.compressMinBytes, "compress-min-bytes", 1024, "compress responses only from this many `bytes` on")
	fs.DurationVar(&cfg.cacheMaxAge, "cache-max-age", 5*time.Minute, "max-age of cacheable Connect GET answers")
	fs.IntVar(&cfg.streamLimit, "stream-limit", server.DefaultStreamLimit, "exchanges one ValidateStream takes")
	fs.DurationVar(&cfg.shutdownTimeout, "shutdown-timeout", 10*time.Second, "how long SIGINT/SIGTERM waits for in-flight calls")
	fs.DurationVar(&cfg.drainDelay, "drain-delay", 0, "how long health reports NOT_SERVING before the listener closes, so load balancers can stop sending")
	fs.StringVar(&cfg.tlsCert, "tls-cert", "", "TLS certificate `file` (PEM); with -tls-key, serves HTTPS with HTTP/2 by ALPN")
	fs.StringVar(&cfg.tlsKey, "tls-key", "", "TLS private key `file` (PEM)")
	fs.StringVar(&cfg.grpcAddr, "grpc-addr", "", "also serve gRPC (cleartext HTTP/2) with grpc-go's transport on this `address`, for gRPC clients that need its throughput (empty: off)")
	fs.BoolVar(&cfg.ui, "ui", true, "serve the status explorer page at /")
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
	}
	return cfg, nil
}

// loadCatalog returns the embedded catalog, with file laid over it if set.
func loadCatalog(file string) (*mapping.Catalog, error) {
	base := mapping.DefaultCatalog()
	if file == "" {
		return base, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	overlay, err := mapping.ReadCatalogMessage(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	c, err := base.Overlay(overlay)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return c, nil
}

// run serves until ctx is done, then drains. If ready is not nil it receives
// the bound address once the server accepts connections.
func run(ctx context.Context, args []string, stderr io.Writer, ready chan<- net.Addr) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	var logHandler slog.Handler = slog.NewTextHandler(stderr, nil)
	if cfg.logFormat == "json" {
		logHandler = slog.NewJSONHandler(stderr, nil)
	}
	logger := slog.New(logHandler)
	var accessLog *slog.Logger // nil: no line per RPC
	if cfg.accessLog {
		accessLog = logger
	}

	// The file's stamp is taken before it is read, so a change made while
	// it is being read is seen by -watch.
	catalogStamp := stamp(cfg.catalogFile)
	catalog, err := loadCatalog(cfg.catalogFile)
	if err != nil {
		return err
	}
	metrics := &observe.Metrics{}
	metrics.SetCatalog(catalog.Proto().GetEdition(), catalog.Hash())
	svc := server.New(catalog, server.WithStreamLimit(cfg.streamLimit))
	checker := grpchealth.NewStaticChecker(statusdv1connect.StatusServiceName)

	srv := &http.Server{
		Handler:           newHandler(svc, checker, metrics, accessLog, cfg),
		ReadHeaderTimeout: cfg.readHeaderTimeout,
		ReadTimeout:       cfg.readTimeout,
		IdleTimeout:       cfg.idleTimeout,
		MaxHeaderBytes:    cfg.maxHeaderBytes,
		Protocols:         new(http.Protocols),
		HTTP2:             &http.HTTP2Config{MaxConcurrentStreams: cfg.maxConcurrentStreams},
		ErrorLog:          slog.NewLogLogger(logHandler, slog.LevelWarn),
	}
	srv.Protocols.SetHTTP1(true)
	if cfg.tlsCert != "" {
		srv.Protocols.SetHTTP2(true)
		cert, err := tls.LoadX509KeyPair(cfg.tlsCert, cfg.tlsKey)
		if err != nil {
			return fmt.Errorf("tls: %w", err)
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	} else {
		srv.Protocols.SetUnencryptedHTTP2(true)
	}

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	if cfg.debugAddr != "" {
		stopDebug, err := serveDebug(cfg.debugAddr, logger)
		if err != nil {
			ln.Close()
			return err
		}
		defer stopDebug()
	}
	var grpcServer *grpcserve.Server
	grpcServed := make(chan error, 1)
	if cfg.grpcAddr != "" {
		gln, err := net.Listen("tcp", cfg.grpcAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("-grpc-addr: %w", err)
		}
		grpcServer = grpcserve.New(svc, metrics, accessLog, grpc.MaxRecvMsgSize(cfg.readMaxBytes),
			grpc.MaxConcurrentStreams(uint32(cfg.maxConcurrentStreams)))
		logger.Info("statusd gRPC (grpc-go) listening", "addr", gln.Addr().String())
		go func() { grpcServed <- grpcServer.Serve(gln) }()
	}
	// Ready only once every listener is open and SIGHUP is handled.
	reloads := make(chan os.Signal, 1)
	signal.Notify(reloads, syscall.SIGHUP)
	defer signal.Stop(reloads)
	logger.Info("statusd listening", "addr", ln.Addr().String(), "tls", cfg.tlsCert != "",
		"catalog", catalog.Proto().GetEdition(), "catalog_hash", catalog.Hash()[:12])
	if ready != nil {
		ready <- ln.Addr()
	}
	served := make(chan error, 1)
	go func() {
		if srv.TLSConfig != nil {
			served <- srv.ServeTLS(ln, "", "")
		} else {
			served <- srv.Serve(ln)
		}
	}()

	stopWatch := watchCatalog(cfg, catalogStamp, svc, metrics, logger)
	defer stopWatch()

	for {
		select {
		case err := <-served:
			return err
		case <-reloads:
			reloadCatalog(cfg.catalogFile, svc, metrics, logger)
			continue
		case <-ctx.Done():
		}
		break
	}
	logger.Info("statusd shutting down", "drain_delay", cfg.drainDelay, "timeout", cfg.shutdownTimeout)
	checker.SetStatus(statusdv1connect.StatusServiceName, grpchealth.StatusNotServing)
	checker.SetStatus("", grpchealth.StatusNotServing)
	if grpcServer != nil {
		grpcServer.Drain()
	}
	time.Sleep(cfg.drainDelay)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	if grpcServer != nil {
		stopped := make(chan struct{})
		go func() { grpcServer.GracefulStop(); close(stopped) }()
		select {
		case <-stopped:
		case <-shutdownCtx.Done():
			grpcServer.Stop()
		}
		if err := <-grpcServed; err != nil && !errors.Is(err, grpc.ErrServerStopped) {
			return fmt.Errorf("grpc: %w", err)
		}
	}
	if err := srv.Shutdown(shutdownCtx); err != nil {
		_ = srv.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("statusd stopped")
	return nil
}

// reloadCatalog loads the catalog file again and swaps it in; a bad file is
// logged and the last good catalog keeps serving.
func reloadCatalog(file string, svc *server.Service, metrics *observe.Metrics, logger *slog.Logger) {
	c, err := loadCatalog(file)
	if err != nil {
		metrics.CatalogLoaded(false, "", "")
		logger.Error("catalog reload failed; still serving the last good catalog", "error", err.Error(),
			"catalog_hash", svc.Catalog().Hash()[:12])
		return
	}
	svc.SetCatalog(c)
	metrics.CatalogLoaded(true, c.Proto().GetEdition(), c.Hash())
	logger.Info("catalog reloaded", "file", file, "edition", c.Proto().GetEdition(), "catalog_hash", c.Hash()[:12])
}

// watchCatalog reloads the catalog when its file's stamp changes from last,
// if -watch is set. It returns a function that stops it.
func watchCatalog(cfg config, last string, svc *server.Service, metrics *observe.Metrics, logger *slog.Logger) func() {
	if cfg.watch <= 0 {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		ticker := time.NewTicker(cfg.watch)
		defer ticker.Stop()
		for {
			select {
			case <-done:
				return
			case <-ticker.C:
				if now := stamp(cfg.catalogFile); now != last {
					last = now
					reloadCatalog(cfg.catalogFile, svc, metrics, logger)
				}
			}
		}
	}()
	return func() { close(done) }
}

// stamp summarises a file's state for change detection: size, modification
// time and, where the system has one, the inode, because file times are
// only as fine as the kernel's clock tick and a file replaced by rename
// (as editors and config tools do) gets a new inode.
func stamp(file string) string {
	fi, err := os.Stat(file)
	if err != nil {
		return "missing"
	}
	var ino uint64
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		ino = st.Ino
	}
	return fmt.Sprint(fi.Size(), fi.ModTime().UnixNano(), ino)
}

// newHandler routes StatusService, health, reflection and /metrics, with
// caching, CORS and observation.
func newHandler(svc *server.Service, checker grpchealth.Checker, metrics *observe.Metrics, accessLog *slog.Logger, cfg config) http.Handler {
	observed := connect.WithInterceptors(observe.Interceptor(metrics, accessLog))
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
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		_ = metrics.WritePrometheus(w)
	})
	if cfg.ui {
		ui.Mount(mux)
	}
	handler := svc.Cacheable(mux, cfg.cacheMaxAge)
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

// serveDebug serves the profiling and runtime endpoints that net/http/pprof
// and expvar register on http.DefaultServeMux, on their own listener so
// that they are never exposed on the API port.
func serveDebug(addr string, logger *slog.Logger) (func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("-debug-addr: %w", err)
	}
	srv := &http.Server{Handler: http.DefaultServeMux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	logger.Info("debug endpoints listening", "addr", ln.Addr().String())
	return func() { _ = srv.Close() }, nil
}
