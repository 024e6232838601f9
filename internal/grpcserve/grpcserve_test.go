package grpcserve

import (
	"errors"
	"testing"

	"connectrpc.com/connect"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"google.golang.org/grpc/codes"
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
