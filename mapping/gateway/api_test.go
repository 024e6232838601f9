package gateway

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"

	"connectrpc.com/connect"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	grpcstatus "google.golang.org/grpc/status"
)

func TestForProfilesAndContext(t *testing.T) {
	tr := mustNew(t)
	if _, err := tr.ForProfiles("nope"); err == nil {
		t.Error("unknown profile accepted")
	}
	form, err := tr.ForProfiles("form")
	if err != nil {
		t.Fatal(err)
	}
	rule := connect.NewError(connect.CodeFailedPrecondition, nil)
	if tr.StatusOf(rule, "", nil) != 400 || form.StatusOf(rule, "", nil) != 403 {
		t.Errorf("ForProfiles: %d %d", tr.StatusOf(rule, "", nil), form.StatusOf(rule, "", nil))
	}
	var nilCtx context.Context
	if _, ok := FromContext(nilCtx); ok {
		t.Error("nil context")
	}
	ctx := NewContext(context.Background(), form)
	r, _ := http.NewRequestWithContext(ctx, "POST", "/", nil)
	if got := tr.StatusOfRequest(rule, r); got != 403 {
		t.Errorf("StatusOfRequest with a context Translator: %d", got)
	}
	if got := tr.StatusOfRequest(rule, nil); got != 400 {
		t.Errorf("StatusOfRequest(nil): %d", got)
	}
}

func TestWithHTTPStatus(t *testing.T) {
	gerr := grpcstatus.Error(codes.NotFound, "gone")
	out := WithHTTPStatus(gerr, 410, http.Header{"Retry-After": {"1"}, "Content-Length": {"9"}})
	if _, ok := grpcstatus.FromError(out); !ok {
		t.Errorf("a grpc-go error stopped being one: %T", out)
	}
	d, ok := HTTPStatusDetail(out)
	if !ok || d.GetHttpStatus() != 410 || len(d.GetHeaders()) != 1 || d.GetHeaders()[0].GetName() != "retry-after" {
		t.Errorf("detail %v", d)
	}
	if st, _ := grpcstatus.FromError(gerr); len(st.Proto().GetDetails()) != 0 {
		t.Error("the original was modified")
	}
	plain := errors.New("boom")
	if got := WithHTTPStatus(plain, 200, nil); got != plain {
		t.Errorf("200 attached: %v", got)
	}
	if got := WithHTTPStatus(plain, 503, nil); connect.CodeOf(got) != connect.CodeUnknown || !errors.Is(got, plain) {
		t.Errorf("plain: %v", got)
	}
	if WithHTTPStatus(nil, 503, nil) != nil {
		t.Error("nil got an error")
	}
	has := WithHTTPStatus(connect.NewError(connect.CodeAborted, nil), 409, nil)
	if WithHTTPStatus(has, 412, nil) != has {
		t.Error("a second detail was added")
	}
}

// The stream interceptor gives stream errors the detail too.
func TestGRPCStreamInterceptor(t *testing.T) {
	tr := mustNew(t, WithProfiles("data"))
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(grpc.StreamInterceptor(tr.StreamServerInterceptor()))
	srv.RegisterService(&grpc.ServiceDesc{
		ServiceName: "test.v1.Test",
		HandlerType: (*any)(nil),
		Streams: []grpc.StreamDesc{{StreamName: "Stream", ServerStreams: true, Handler: func(any, grpc.ServerStream) error {
			return grpcstatus.Error(codes.FailedPrecondition, "closed")
		}}},
	}, struct{}{})
	go func() { _ = srv.Serve(lis) }()
	defer srv.Stop()
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	stream, err := conn.NewStream(context.Background(), &grpc.StreamDesc{ServerStreams: true}, "/test.v1.Test/Stream")
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.SendMsg(&statusdv1.LookupRequest{}); err != nil {
		t.Fatal(err)
	}
	_ = stream.CloseSend()
	err = stream.RecvMsg(new(statusdv1.LookupResponse))
	if s, _ := HTTPStatus(err); s != 403 || grpcstatus.Code(err) != codes.FailedPrecondition {
		t.Errorf("stream error: %v (status %d)", err, s)
	}
}
