// Package grpcserve serves StatusService over gRPC with grpc-go's own
// transport, for gRPC clients that need its throughput: connect-go serves
// gRPC through net/http's HTTP/2 server, which writes each frame with its
// own syscall (see the README's Performance section). The answers are
// server.Service's (its ValidateStream loop included), checked by the same
// protovalidate rules, observed by the same observe.Recorder, and bounded
// as the main port is.
package grpcserve

import (
	"context"
	"time"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/gen/statusd/v1/statusdv1connect"
	"github.com/statusd/statusd/internal/observe"
	"github.com/statusd/statusd/server"
	"google.golang.org/grpc"
	_ "google.golang.org/grpc/encoding/gzip" // accept gzip, as the main port does
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/tap"
)

// Limits bound what one client can hold on the port; statusd sets them from
// the same flags as the main port's.
type Limits struct {
	// MaxRecvMsgSize is the largest request message (-read-max-bytes).
	MaxRecvMsgSize int
	// MaxConcurrentStreams is per connection (-max-concurrent-streams).
	MaxConcurrentStreams uint32
	// HandshakeTimeout bounds the time from accept to the client's HTTP/2
	// preface and settings (-read-header-timeout).
	HandshakeTimeout time.Duration
	// IdleTimeout closes a connection that has had no call for this long
	// (-idle-timeout).
	IdleTimeout time.Duration
	// CallTimeout bounds every call, as -read-timeout bounds a request on
	// the main port; streams end politely a little before it (server's
	// WithStreamMaxAge).
	CallTimeout time.Duration
}

// keepalivePolicy is the pings the server tolerates: a client pinging more
// often than every 10 s, or at all without a call open, is sent GOAWAY
// (ENHANCE_YOUR_CALM), as a PING flood should be.
var keepalivePolicy = keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: false}

// Server is a grpc-go server of StatusService, health and reflection.
type Server struct {
	*grpc.Server
	health *health.Server
}

// New returns a Server answering from svc, recording every call in rec
// (which may be nil).
func New(svc *server.Service, rec *observe.Recorder, limits Limits, opts ...grpc.ServerOption) *Server {
	o := &observer{rec: rec}
	opts = append([]grpc.ServerOption{
		grpc.ForceServerCodecV2(strictCodec{}),
		grpc.MaxRecvMsgSize(limits.MaxRecvMsgSize),
		grpc.MaxConcurrentStreams(limits.MaxConcurrentStreams),
		grpc.ConnectionTimeout(limits.HandshakeTimeout),
		grpc.KeepaliveParams(keepalive.ServerParameters{MaxConnectionIdle: limits.IdleTimeout, Timeout: 20 * time.Second}),
		grpc.KeepaliveEnforcementPolicy(keepalivePolicy),
		grpc.InTapHandle(callTimeout(limits.CallTimeout)),
		grpc.ChainUnaryInterceptor(o.unary, rejectUndecodable, validateUnary),
		grpc.ChainStreamInterceptor(o.stream, rejectUndecodableStream),
	}, opts...)
	s := &Server{Server: grpc.NewServer(opts...), health: health.NewServer()}
	statusdv1.RegisterStatusServiceServer(s.Server, service{svc})
	healthpb.RegisterHealthServer(s.Server, s.health)
	s.health.SetServingStatus(statusdv1connect.StatusServiceName, healthpb.HealthCheckResponse_SERVING)
	reflection.Register(s.Server)
	return s
}

// Drain makes health report NOT_SERVING, as shutdown starts.
func (s *Server) Drain() { s.health.Shutdown() }

// callTimeout gives every call a deadline d after its headers arrive, so
// that a slow or idle client cannot hold a stream (and its memory) for
// ever: net/http's ReadTimeout does the same on the main port. The
// transport cancels the call's context when the call ends, which releases
// the timer.
func callTimeout(d time.Duration) tap.ServerInHandle {
	return func(ctx context.Context, _ *tap.Info) (context.Context, error) {
		if d <= 0 {
			return ctx, nil
		}
		ctx, cancel := context.WithTimeout(ctx, d)
		context.AfterFunc(ctx, cancel)
		return ctx, nil
	}
}
