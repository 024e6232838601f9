package grpcserve

import (
	"context"
	"fmt"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding"
	protocodec "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	grpcstatus "google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// grpc-go answers a message its codec cannot decode with INTERNAL, as if
// the server were at fault; the main port (connect-go) answers
// INVALID_ARGUMENT, which is right: the client sent bad bytes. grpc-go
// decides the code itself, after the codec returns, so strictCodec does not
// return the error: it resets the message and notes the error against it,
// and the interceptors below, which see every request before any handler,
// answer INVALID_ARGUMENT for a message so noted.
type strictCodec struct{}

var protoCodec = encoding.GetCodecV2(protocodec.Name)

// undecodable maps a message the codec could not decode to its error; the
// interceptors remove each entry as they see the message.
var undecodable sync.Map

func (strictCodec) Name() string                           { return protocodec.Name }
func (strictCodec) Marshal(v any) (mem.BufferSlice, error) { return protoCodec.Marshal(v) }

func (strictCodec) Unmarshal(data mem.BufferSlice, v any) error {
	err := protoCodec.Unmarshal(data, v)
	if err == nil {
		return nil
	}
	if m, ok := v.(proto.Message); ok {
		proto.Reset(m)
	}
	undecodable.Store(v, fmt.Errorf("unmarshal into %T: %w", v, err))
	return nil
}

// decodeError returns the invalid_argument status of a message the codec
// could not decode, or nil.
func decodeError(msg any) error {
	if err, ok := undecodable.LoadAndDelete(msg); ok {
		return grpcstatus.Error(codes.InvalidArgument, err.(error).Error())
	}
	return nil
}

func rejectUndecodable(ctx context.Context, req any, _ *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
	if err := decodeError(req); err != nil {
		return nil, err
	}
	return next(ctx, req)
}

func rejectUndecodableStream(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, next grpc.StreamHandler) error {
	return next(srv, decodingStream{ss})
}

type decodingStream struct{ grpc.ServerStream }

func (s decodingStream) RecvMsg(m any) error {
	if err := s.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	return decodeError(m)
}
