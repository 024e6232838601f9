// Command statusd serves the status catalog and its translations over
// Connect, gRPC and gRPC-Web on one port (HTTP/1.1 and cleartext HTTP/2),
// and checks HTTP exchanges from the command line.
//
//	go run ./cmd/statusd                 # serve on 127.0.0.1:8080
//	go run ./cmd/statusd serve -addr :9090
//	go run ./cmd/statusd validate -har session.har
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"
	"connectrpc.com/grpcreflect"
	"github.com/statusd/statusd/gen/statusd/v1/statusdv1connect"
	"github.com/statusd/statusd/mapping"
	"github.com/statusd/statusd/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := dispatch(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, isTerminal(os.Stdout))
	stop()
	os.Exit(code)
}

// dispatch runs a verb (serve, the default, or validate) and returns the
// exit code: 0 success, 1 an exchange does not conform, 2 bad input or a
// failure.
func dispatch(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, terminal bool) int {
	var err error
	switch {
	case len(args) > 0 && args[0] == "validate":
		err = runValidate(args[1:], stdin, stdout, stderr, terminal)
	case len(args) > 0 && args[0] == "serve":
		err = run(ctx, args[1:], stderr, nil)
	default:
		err = run(ctx, args, stderr, nil)
	}
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errNotConforming):
		return 1
	default:
		fmt.Fprintln(stderr, "statusd:", err)
		return 2
	}
}

// isTerminal reports whether f is a character device, such as a terminal.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// config is what the flags set.
type config struct {
	addr            string
	shutdownTimeout time.Duration
	readMaxBytes    int
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("statusd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "`address` to listen on (host:port)")
	fs.DurationVar(&cfg.shutdownTimeout, "shutdown-timeout", 10*time.Second, "how long to drain in-flight calls on SIGINT or SIGTERM")
	fs.IntVar(&cfg.readMaxBytes, "read-max-bytes", 1<<20, "largest request message accepted, in `bytes`")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if cfg.readMaxBytes <= 0 {
		return cfg, fmt.Errorf("-read-max-bytes must be positive, got %d", cfg.readMaxBytes)
	}
	return cfg, nil
}

// run serves until ctx is done, then drains. If ready is not nil it receives
// the bound address once the server accepts connections.
func run(ctx context.Context, args []string, stderr io.Writer, ready chan<- net.Addr) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))

	checker := grpchealth.NewStaticChecker(statusdv1connect.StatusServiceName)
	srv := &http.Server{
		Handler:           newHandler(mapping.DefaultCatalog(), checker, cfg),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		Protocols:         new(http.Protocols),
	}
	srv.Protocols.SetHTTP1(true)
	srv.Protocols.SetUnencryptedHTTP2(true)

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	logger.Info("statusd listening", "addr", ln.Addr().String())
	if ready != nil {
		ready <- ln.Addr()
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	logger.Info("statusd shutting down", "timeout", cfg.shutdownTimeout)
	checker.SetStatus(statusdv1connect.StatusServiceName, grpchealth.StatusNotServing)
	checker.SetStatus("", grpchealth.StatusNotServing)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newHandler routes StatusService, health and reflection.
func newHandler(catalog *mapping.Catalog, checker grpchealth.Checker, cfg config) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(server.NewHandler(server.New(catalog), connect.WithReadMaxBytes(cfg.readMaxBytes)))
	mux.Handle(grpchealth.NewHandler(checker))
	reflector := grpcreflect.NewStaticReflector(statusdv1connect.StatusServiceName, grpchealth.HealthV1ServiceName)
	mux.Handle(grpcreflect.NewHandlerV1(reflector))
	mux.Handle(grpcreflect.NewHandlerV1Alpha(reflector))
	return mux
}
