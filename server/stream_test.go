package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/internal/loopback"
	"github.com/statusd/statusd/mapping"
)

// idleStream opens a ValidateStream, has one exchange answered, then sends
// nothing more and returns the error that ends the stream and how long that
// took.
func idleStream(t *testing.T, svc *Service, opts ...connect.ClientOption) (time.Duration, error) {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle(NewHandler(svc))
	srv := loopback.Serve(t, mux)
	stream, err := bidiClient(srv, opts...).ValidateStream(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer stream.CloseResponse()
	start := time.Now()
	ok := &statusdv1.ValidateStreamRequest{Request: &statusdv1.ValidateRequest{Exchange: &statusdv1.Exchange{Method: "GET", Status: 200}}}
	if err := stream.Send(ok); err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Receive(); err != nil {
		t.Fatalf("first result: %v", err)
	}
	_, err = stream.Receive()
	return time.Since(start), err
}

func TestStreamMaxAgeEndsPolitely(t *testing.T) {
	for name, opts := range map[string][]connect.ClientOption{"connect": nil, "grpc": {connect.WithGRPC()}} {
		took, err := idleStream(t, New(mapping.DefaultCatalog(), WithStreamMaxAge(300*time.Millisecond)), opts...)
		if connect.CodeOf(err) != connect.CodeUnavailable || !strings.Contains(err.Error(), "open a new stream") {
			t.Errorf("%s: %v", name, err)
		}
		if took < 300*time.Millisecond || took > 5*time.Second {
			t.Errorf("%s: ended after %v, want about 300ms", name, took)
		}
	}
}

func TestEndStreams(t *testing.T) {
	svc := New(mapping.DefaultCatalog())
	time.AfterFunc(200*time.Millisecond, svc.EndStreams)
	took, err := idleStream(t, svc, connect.WithGRPC())
	if connect.CodeOf(err) != connect.CodeUnavailable || !strings.Contains(err.Error(), "shutting down") || took > 5*time.Second {
		t.Errorf("after %v: %v", took, err)
	}
	svc.EndStreams() // twice is fine
	// A stream opened after EndStreams ends at once, after no exchange.
	mux := http.NewServeMux()
	mux.Handle(NewHandler(svc))
	stream, err := bidiClient(loopback.Serve(t, mux)).ValidateStream(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_ = stream.CloseRequest()
	if _, err := stream.Receive(); connect.CodeOf(err) != connect.CodeUnavailable {
		t.Errorf("a stream opened while shutting down: %v", err)
	}
	_ = stream.CloseResponse()
}

// fakeConn is a StreamConn that fails Send, to check the loop returns the
// transport's error as it is.
type fakeConn struct{ sent int }

var errSend = errors.New("send failed")

func (f *fakeConn) Receive() (*statusdv1.ValidateStreamRequest, error) {
	return &statusdv1.ValidateStreamRequest{Request: &statusdv1.ValidateRequest{Exchange: &statusdv1.Exchange{Method: "GET", Status: 200}}}, nil
}
func (f *fakeConn) Send(*statusdv1.ValidateStreamResponse) error { f.sent++; return errSend }

func TestServeValidateStreamErrors(t *testing.T) {
	svc := New(mapping.DefaultCatalog())
	if err := svc.ServeValidateStream(context.Background(), &fakeConn{}); !errors.Is(err, errSend) {
		t.Errorf("send error: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	blocked := &blockingConn{release: make(chan struct{})}
	defer close(blocked.release)
	if err := svc.ServeValidateStream(ctx, blocked); connect.CodeOf(err) != connect.CodeCanceled {
		t.Errorf("canceled: %v", err)
	}
}

type blockingConn struct{ release chan struct{} }

func (b *blockingConn) Receive() (*statusdv1.ValidateStreamRequest, error) {
	<-b.release
	return nil, io.EOF
}
func (b *blockingConn) Send(*statusdv1.ValidateStreamResponse) error { return nil }
