package gateway

import (
	"context"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	grpcstatus "google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
)

// methodMetadata is the metadata key under which ServeMuxOptions forwards
// the REST method of a grpc-gateway request to the gRPC backend, so the
// backend's interceptor computes the status the gateway would.
const methodMetadata = "statusd-http-method"

// UnaryServerInterceptor returns a grpc-go interceptor that does for grpc-go
// servers what Interceptor does for connect-go handlers: every error
// returned gets an HttpStatusDetail in its status details (as a copy; the
// handler's error is never modified), for the request headers in the
// incoming metadata (grpc-gateway's "grpcgateway-" prefix removed) and the
// REST method ServeMuxOptions forwards, if any. A plain Go error becomes
// Unknown with its message withheld (see WithRedaction).
func (t *Translator) UnaryServerInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		res, err := handler(ctx, req)
		if _, _, isErr := classify(err); !isErr {
			return res, nil
		}
		return res, t.in(ctx).annotateGRPC(ctx, err)
	}
}

// StreamServerInterceptor is UnaryServerInterceptor for streams.
func (t *Translator) StreamServerInterceptor() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		err := handler(srv, ss)
		if _, _, isErr := classify(err); !isErr {
			return nil
		}
		return t.in(ss.Context()).annotateGRPC(ss.Context(), err)
	}
}

// annotateGRPC returns a grpc-go status error: err's code, message (after
// redaction) and details, plus the HttpStatusDetail if it had none.
func (t *Translator) annotateGRPC(ctx context.Context, err error) error {
	method, headers := incoming(ctx)
	v := inspect(err)
	status := v.detailStatus()
	if status == 0 {
		status = t.codeStatus(v.code, method, headers)
	}
	message := t.clientMessage(err, v, status)
	if _, isGRPC := grpcstatus.FromError(err); isGRPC && v.detail != nil && message == v.message {
		return err
	}
	p := grpcstatus.New(grpcCode(v.code), message).Proto()
	if cerr := asConnect(err); cerr != nil {
		for _, d := range cerr.Details() {
			p.Details = append(p.Details, detailAny(d))
		}
	} else {
		p.Details = append(p.Details, grpcDetails(err)...)
	}
	if v.detail == nil {
		if a, aerr := anypb.New(&statusdv1.HttpStatusDetail{HttpStatus: int32(status)}); aerr == nil {
			p.Details = append(p.Details, a)
		}
	}
	return grpcstatus.ErrorProto(p)
}

// incoming reads the REST method and request headers from the incoming
// metadata.
func incoming(ctx context.Context) (string, []*statusdv1.Header) {
	md, _ := metadata.FromIncomingContext(ctx)
	var method string
	var out []*statusdv1.Header
	for k, values := range md {
		if k == methodMetadata {
			if len(values) > 0 {
				method = values[0]
			}
			continue
		}
		name := strings.TrimPrefix(k, runtime.MetadataPrefix)
		for _, v := range values {
			out = append(out, &statusdv1.Header{Name: name, Value: v})
		}
	}
	return method, out
}
