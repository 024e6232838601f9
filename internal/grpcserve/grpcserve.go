// Package grpcserve serves StatusService over gRPC with grpc-go's own
// transport, for gRPC clients that need its throughput: connect-go serves
// gRPC through net/http's HTTP/2 server, which writes each frame with its
// own syscall (see the README's Performance section). The answers are
// server.Service's, checked by the same protovalidate rules, observed by
// the same metrics and access log.
package grpcserve

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"time"

	"buf.build/go/protovalidate"
	"connectrpc.com/connect"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/gen/statusd/v1/statusdv1connect"
	"github.com/statusd/statusd/internal/observe"
	"github.com/statusd/statusd/server"
	"google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/reflection"
	grpcstatus "google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

// Server is a grpc-go server of StatusService, health and reflection.
type Server struct {
	*grpc.Server
	health *health.Server
}

// New returns a Server answering from svc. metrics and logger may be nil.
func New(svc *server.Service, metrics *observe.Metrics, logger *slog.Logger, opts ...grpc.ServerOption) *Server {
	o := &observer{m: metrics, log: logger}
	opts = append(opts, grpc.ChainUnaryInterceptor(o.unary, validateUnary), grpc.ChainStreamInterceptor(o.stream))
	s := &Server{Server: grpc.NewServer(opts...), health: health.NewServer()}
	s.RegisterService(&serviceDesc, svc)
	healthpb.RegisterHealthServer(s.Server, s.health)
	s.health.SetServingStatus(statusdv1connect.StatusServiceName, healthpb.HealthCheckResponse_SERVING)
	reflection.Register(s.Server)
	return s
}

// Drain makes health report NOT_SERVING, as shutdown starts.
func (s *Server) Drain() { s.health.Shutdown() }

// methods is the part of server.Service the descriptor calls.
type methods interface {
	Lookup(context.Context, *statusdv1.LookupRequest) (*statusdv1.LookupResponse, error)
	ListStatuses(context.Context, *statusdv1.ListStatusesRequest) (*statusdv1.ListStatusesResponse, error)
	ListProfiles(context.Context, *statusdv1.ListProfilesRequest) (*statusdv1.ListProfilesResponse, error)
	Validate(context.Context, *statusdv1.ValidateRequest) (*statusdv1.ValidateResponse, error)
	StreamLimit() int
}

func unary[Req any, PReq interface {
	*Req
	proto.Message
}, Res proto.Message](call func(methods, context.Context, PReq) (Res, error)) grpc.MethodHandler {
	return func(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
		req := PReq(new(Req))
		if err := dec(req); err != nil {
			return nil, err
		}
		handler := func(ctx context.Context, r any) (any, error) {
			res, err := call(srv.(methods), ctx, r.(PReq))
			return res, toStatus(err)
		}
		if interceptor == nil {
			return handler(ctx, req)
		}
		return interceptor(ctx, req, &grpc.UnaryServerInfo{Server: srv, FullMethod: fullMethod(ctx)}, handler)
	}
}

func fullMethod(ctx context.Context) string {
	m, _ := grpc.Method(ctx)
	return m
}

var serviceDesc = grpc.ServiceDesc{
	ServiceName: statusdv1connect.StatusServiceName,
	HandlerType: (*methods)(nil),
	Methods: []grpc.MethodDesc{
		{MethodName: "Lookup", Handler: unary(methods.Lookup)},
		{MethodName: "ListStatuses", Handler: unary(methods.ListStatuses)},
		{MethodName: "ListProfiles", Handler: unary(methods.ListProfiles)},
		{MethodName: "Validate", Handler: unary(methods.Validate)},
	},
	Streams: []grpc.StreamDesc{{
		StreamName:    "ValidateStream",
		Handler:       validateStream,
		ServerStreams: true,
		ClientStreams: true,
	}},
	Metadata: "statusd/v1/status_service.proto",
}

// validateStream answers each exchange in order, one at a time, up to the
// service's stream limit, as the Connect handler does.
func validateStream(srv any, stream grpc.ServerStream) error {
	svc := srv.(methods)
	for index := uint64(0); ; index++ {
		req := &statusdv1.ValidateStreamRequest{}
		if err := stream.RecvMsg(req); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
		if index >= uint64(svc.StreamLimit()) {
			return grpcstatus.Errorf(codes.ResourceExhausted, "stream limit of %d exchanges reached; open a new stream", svc.StreamLimit())
		}
		if err := protovalidate.Validate(req); err != nil {
			return invalid(err)
		}
		res, err := svc.Validate(stream.Context(), req.GetRequest())
		if err != nil {
			return toStatus(prefixField(err, "request."))
		}
		if err := stream.SendMsg(&statusdv1.ValidateStreamResponse{Index: index, Result: res}); err != nil {
			return err
		}
	}
}

// prefixField names the stream's field in a profiles error, as the Connect
// handler does ("request.profiles[0]").
func prefixField(err error, prefix string) error {
	var cerr *connect.Error
	if errors.As(err, &cerr) && cerr.Code() == connect.CodeInvalidArgument {
		return connect.NewError(cerr.Code(), errors.New(prefix+cerr.Message()))
	}
	return err
}

// validateUnary applies the protos' protovalidate rules to every request;
// the message is protovalidate's, as connectrpc.com/validate sends it, so
// both transports name fields the same.
func validateUnary(ctx context.Context, req any, _ *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
	if msg, ok := req.(proto.Message); ok {
		if err := protovalidate.Validate(msg); err != nil {
			return nil, invalid(err)
		}
	}
	return next(ctx, req)
}

// invalid is the invalid_argument status of a protovalidate error, with the
// buf.validate.Violations detail that connectrpc.com/validate attaches too.
func invalid(err error) error {
	st := &status.Status{Code: int32(codes.InvalidArgument), Message: err.Error()}
	var verr *protovalidate.ValidationError
	if errors.As(err, &verr) {
		if detail, anyErr := anypb.New(verr.ToProto()); anyErr == nil {
			st.Details = append(st.Details, detail)
		}
	}
	return grpcstatus.ErrorProto(st)
}

// toStatus turns a Connect error into a gRPC status with the same code,
// message and details; Connect and gRPC codes share their numbers.
func toStatus(err error) error {
	if err == nil {
		return nil
	}
	var cerr *connect.Error
	if !errors.As(err, &cerr) {
		return grpcstatus.Error(codes.Unknown, err.Error())
	}
	st := &status.Status{Code: int32(cerr.Code()), Message: cerr.Message()}
	for _, d := range cerr.Details() {
		st.Details = append(st.Details, &anypb.Any{TypeUrl: "type.googleapis.com/" + d.Type(), Value: d.Bytes()})
	}
	return grpcstatus.ErrorProto(st)
}

// observer records RPCs in the metrics and the access log.
type observer struct {
	m   *observe.Metrics
	log *slog.Logger
}

func (o *observer) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
	start := time.Now()
	res, err := next(ctx, req)
	o.record(ctx, info.FullMethod, err, time.Since(start))
	return res, err
}

func (o *observer) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, next grpc.StreamHandler) error {
	start := time.Now()
	err := next(srv, ss)
	o.record(ss.Context(), info.FullMethod, err, time.Since(start))
	return err
}

func (o *observer) record(ctx context.Context, method string, err error, d time.Duration) {
	addr := ""
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		addr = p.Addr.String()
	}
	observe.Record(ctx, o.m, o.log, method, "grpc-go", addr, connect.Code(grpcstatus.Code(err)), d)
}
