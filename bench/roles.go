package main

import (
	"context"
	_ "expvar" // /debug/vars on -debug-addr, for allocation counts
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/gen/statusd/v1/statusdv1connect"
	"github.com/statusd/statusd/mapping"
	"github.com/statusd/statusd/server"
	"google.golang.org/grpc"
)

// serveRole runs the ceiling or the peer until SIGINT or SIGTERM.
func serveRole(role, addr, debugAddr, upstream string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if debugAddr != "" {
		dln, err := net.Listen("tcp", debugAddr)
		if err != nil {
			return err
		}
		go func() { _ = http.Serve(dln, http.DefaultServeMux) }()
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	switch role {
	case "ceiling":
		return serveCeiling(ctx, ln, upstream)
	case "peer":
		return servePeer(ctx, ln)
	}
	return fmt.Errorf("unknown role %q", role)
}

// serveCeiling answers each HTTP target with the status, content-type and
// body statusd gave for it, fetched once from upstream: the cost of
// net/http alone, on the same listener setup (HTTP/1.1 and h2c) and
// timeouts as statusd.
func serveCeiling(ctx context.Context, ln net.Listener, upstream string) error {
	mux := http.NewServeMux()
	for _, t := range httpTargets {
		status, header, body, err := fetch(upstream, t)
		if err != nil {
			return err
		}
		header.Del("Date") // net/http adds both, as for statusd
		header.Del("Content-Length")
		path, _, _ := strings.Cut(t.path, "?")
		mux.HandleFunc(t.method+" "+path, func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			for k, v := range header {
				w.Header()[k] = v
			}
			w.WriteHeader(status)
			_, _ = w.Write(body)
		})
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
		IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10, Protocols: new(http.Protocols)}
	srv.Protocols.SetHTTP1(true)
	srv.Protocols.SetUnencryptedHTTP2(true)
	go func() { <-ctx.Done(); _ = srv.Close() }()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}

// lookuper is the part of StatusService the peer serves.
type lookuper interface {
	Lookup(context.Context, *statusdv1.LookupRequest) (*statusdv1.LookupResponse, error)
}

// servePeer serves StatusService.Lookup with grpc-go, calling the same
// server.Service code statusd runs (without protovalidate, metrics or
// logging).
func servePeer(ctx context.Context, ln net.Listener) error {
	svc := server.New(mapping.DefaultCatalog())
	s := grpc.NewServer()
	s.RegisterService(&grpc.ServiceDesc{
		ServiceName: statusdv1connect.StatusServiceName,
		HandlerType: (*lookuper)(nil),
		Methods: []grpc.MethodDesc{{
			MethodName: "Lookup",
			Handler: func(srv any, ctx context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
				req := &statusdv1.LookupRequest{}
				if err := dec(req); err != nil {
					return nil, err
				}
				return srv.(lookuper).Lookup(ctx, req)
			},
		}},
	}, svc)
	go func() { <-ctx.Done(); s.GracefulStop() }()
	return s.Serve(ln)
}
