package grpcserve

import (
	"errors"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	grpcstatus "google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/anypb"
)

// toStatus turns a Connect error into a gRPC status with the same code,
// message and details (Connect and gRPC codes share their numbers); a gRPC
// status passes as it is.
func toStatus(err error) error {
	if err == nil {
		return nil
	}
	var cerr *connect.Error
	if !errors.As(err, &cerr) {
		if _, ok := grpcstatus.FromError(err); ok {
			return err
		}
		return grpcstatus.Error(codes.Unknown, err.Error())
	}
	st := &status.Status{Code: int32(cerr.Code()), Message: cerr.Message()}
	for _, d := range cerr.Details() {
		st.Details = append(st.Details, &anypb.Any{TypeUrl: "type.googleapis.com/" + d.Type(), Value: d.Bytes()})
	}
	return grpcstatus.ErrorProto(st)
}
