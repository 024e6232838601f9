package grpcserve

import (
	"errors"
	"strings"
	"testing"

	"connectrpc.com/connect"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/mem"
	grpcstatus "google.golang.org/grpc/status"
)

func TestToStatus(t *testing.T) {
	if toStatus(nil) != nil {
		t.Error("nil error became a status")
	}
	if st := grpcstatus.Convert(toStatus(errors.New("boom"))); st.Code() != codes.Unknown || st.Message() != "boom" {
		t.Errorf("plain error: %v", st)
	}
	cerr := connect.NewError(connect.CodeAborted, errors.New("stale"))
	detail, _ := connect.NewErrorDetail(&statusdv1.HttpStatusDetail{HttpStatus: 412})
	cerr.AddDetail(detail)
	st := grpcstatus.Convert(toStatus(cerr))
	if st.Code() != codes.Aborted || st.Message() != "stale" || len(st.Details()) != 1 {
		t.Fatalf("connect error: %v %v", st, st.Details())
	}
	if d, ok := st.Details()[0].(*statusdv1.HttpStatusDetail); !ok || d.GetHttpStatus() != 412 {
		t.Errorf("detail: %v", st.Details()[0])
	}
}

func TestToStatusPassesGRPCStatus(t *testing.T) {
	in := grpcstatus.Error(codes.InvalidArgument, "bad bytes")
	if got := toStatus(in); got != in {
		t.Errorf("a gRPC status changed: %v", got)
	}
}

// TestStrictCodec: a message that does not decode is reset and noted, and
// decodeError reports it once as invalid_argument.
func TestStrictCodec(t *testing.T) {
	msg := &statusdv1.LookupRequest{Method: "stale"}
	if err := (strictCodec{}).Unmarshal(mem.BufferSlice{mem.SliceBuffer([]byte{0xff, 0xff})}, msg); err != nil {
		t.Fatalf("Unmarshal returned %v; grpc-go would make it INTERNAL", err)
	}
	if msg.GetMethod() != "" {
		t.Error("the message was not reset")
	}
	st := grpcstatus.Convert(decodeError(msg))
	if st.Code() != codes.InvalidArgument || !strings.Contains(st.Message(), "LookupRequest") {
		t.Errorf("decodeError: %v", st)
	}
	if decodeError(msg) != nil {
		t.Error("the note was not removed")
	}
	good := &statusdv1.LookupRequest{}
	data, _ := (strictCodec{}).Marshal(&statusdv1.LookupRequest{Method: "GET"})
	if err := (strictCodec{}).Unmarshal(data, good); err != nil || good.GetMethod() != "GET" || decodeError(good) != nil {
		t.Errorf("a good message: %v %v", err, good)
	}
}
