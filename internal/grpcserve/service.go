package grpcserve

import (
	"context"
	"errors"

	"buf.build/go/protovalidate"
	"connectrpc.com/connect"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/server"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
)

// service adapts server.Service to the generated grpc-go interface: the
// generated descriptor lists every RPC of the proto, and a new one fails to
// compile here until it is served.
type service struct{ svc *server.Service }

var _ statusdv1.StatusServiceServer = service{}

func (s service) Lookup(ctx context.Context, req *statusdv1.LookupRequest) (*statusdv1.LookupResponse, error) {
	res, err := s.svc.Lookup(ctx, req)
	return res, toStatus(err)
}

func (s service) ListStatuses(ctx context.Context, req *statusdv1.ListStatusesRequest) (*statusdv1.ListStatusesResponse, error) {
	res, err := s.svc.ListStatuses(ctx, req)
	return res, toStatus(err)
}

func (s service) ListProfiles(ctx context.Context, req *statusdv1.ListProfilesRequest) (*statusdv1.ListProfilesResponse, error) {
	res, err := s.svc.ListProfiles(ctx, req)
	return res, toStatus(err)
}

func (s service) Validate(ctx context.Context, req *statusdv1.ValidateRequest) (*statusdv1.ValidateResponse, error) {
	res, err := s.svc.Validate(ctx, req)
	return res, toStatus(err)
}

// ValidateStream runs server's stream loop, the one the Connect handler runs.
func (s service) ValidateStream(stream grpc.BidiStreamingServer[statusdv1.ValidateStreamRequest, statusdv1.ValidateStreamResponse]) error {
	return toStatus(s.svc.ServeValidateStream(stream.Context(), streamConn{stream}))
}

// streamConn applies the protovalidate rules to each message, as
// connectrpc.com/validate does on the Connect port.
type streamConn struct {
	grpc.BidiStreamingServer[statusdv1.ValidateStreamRequest, statusdv1.ValidateStreamResponse]
}

func (c streamConn) Receive() (*statusdv1.ValidateStreamRequest, error) {
	req, err := c.Recv()
	if err != nil {
		return nil, err
	}
	if err := protovalidate.Validate(req); err != nil {
		return nil, invalid(err)
	}
	return req, nil
}

// validateUnary applies the protos' protovalidate rules to every request;
// the message is protovalidate's, as connectrpc.com/validate sends it, so
// both transports name fields the same.
func validateUnary(ctx context.Context, req any, _ *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
	if msg, ok := req.(proto.Message); ok {
		if err := protovalidate.Validate(msg); err != nil {
			return nil, toStatus(invalid(err))
		}
	}
	return next(ctx, req)
}

// invalid is the invalid_argument error of a protovalidate error, with the
// buf.validate.Violations detail that connectrpc.com/validate attaches too.
func invalid(err error) error {
	cerr := connect.NewError(connect.CodeInvalidArgument, err)
	var verr *protovalidate.ValidationError
	if errors.As(err, &verr) {
		if detail, derr := connect.NewErrorDetail(verr.ToProto()); derr == nil {
			cerr.AddDetail(detail)
		}
	}
	return cerr
}
