package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"connectrpc.com/connect"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
)

// StreamConn is what one ValidateStream needs from its transport: Connect's
// BidiStream is one as it is; the grpc-go port adapts its stream to it.
// Receive returns io.EOF once the client has closed its side.
type StreamConn interface {
	Receive() (*statusdv1.ValidateStreamRequest, error)
	Send(*statusdv1.ValidateStreamResponse) error
}

// WithStreamMaxAge ends a ValidateStream with unavailable, telling the
// client to open a new one, once it has been open for d: set it a little
// below the transport's own read limit (-read-timeout) so that a long
// stream ends with a clear error instead of a cut connection. 0: no limit.
func WithStreamMaxAge(d time.Duration) Option {
	return func(s *Service) { s.streamMaxAge = d }
}

// EndStreams ends every open ValidateStream, and every later one at its
// first read, with unavailable: statusd is shutting down. Unary calls are
// not affected. It may be called more than once.
func (s *Service) EndStreams() { s.endStreams() }

// ServeValidateStream is the one ValidateStream loop of every transport: one
// result per exchange, in order, up to the stream limit. Each exchange is
// answered before the next is read, so a client that stops reading holds
// the stream back (HTTP/2 flow control) instead of filling memory. Errors
// are Connect errors.
func (s *Service) ServeValidateStream(ctx context.Context, conn StreamConn) error {
	cat := s.catalogFor(ctx) // one catalog for the whole stream
	var tooOld chan struct{} // closed once the stream is too old
	if s.streamMaxAge > 0 {
		tooOld = make(chan struct{})
		timer := time.AfterFunc(s.streamMaxAge, func() { close(tooOld) })
		defer timer.Stop()
	}
	r := newReceiver(conn)
	defer r.stop()
	for index := uint64(0); ; index++ {
		if err := s.streamEnd(tooOld); err != nil { // before waiting, so a stream opened while shutting down ends at once
			return err
		}
		var got received
		select {
		case got = <-r.next():
		case <-tooOld:
		case <-s.ending:
		case <-ctx.Done():
			return contextError(ctx.Err())
		}
		if err := s.streamEnd(tooOld); err != nil {
			return err
		}
		req, err := got.req, got.err
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if index >= uint64(s.streamLimit) {
			return connect.NewError(connect.CodeResourceExhausted, fmt.Errorf(
				"stream limit of %d exchanges reached; open a new stream", s.streamLimit))
		}
		res, err := check(cat, req.GetRequest(), "request.profiles")
		if err != nil {
			return err
		}
		if err := conn.Send(&statusdv1.ValidateStreamResponse{Index: index, Result: res}); err != nil {
			return err
		}
	}
}

// streamEnd returns the error that ends a stream now, if one does: the
// server is shutting down, or the stream is too old.
func (s *Service) streamEnd(tooOld <-chan struct{}) error {
	select {
	case <-s.ending:
		return connect.NewError(connect.CodeUnavailable, errors.New(
			"statusd is shutting down; open a new stream (to another instance)"))
	case <-tooOld:
		return connect.NewError(connect.CodeUnavailable, fmt.Errorf(
			"stream open for %v, the server's limit for one stream; open a new stream to go on", s.streamMaxAge))
	default:
		return nil
	}
}

// contextError is the Connect error of a context's end.
func contextError(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return connect.NewError(connect.CodeDeadlineExceeded, err)
	}
	return connect.NewError(connect.CodeCanceled, err)
}

type received struct {
	req *statusdv1.ValidateStreamRequest
	err error
}

// receiver reads the stream in its own goroutine, one message when asked,
// so that the loop can stop waiting for a message (shutdown, the stream's
// age limit) without reading ahead of its answers. The goroutine ends at
// the first error or, when the loop has stopped, once the transport ends
// the stream, which it does when the handler returns.
type receiver struct {
	ask  chan struct{}
	out  chan received
	done chan struct{}
}

func newReceiver(conn StreamConn) *receiver {
	r := &receiver{ask: make(chan struct{}), out: make(chan received), done: make(chan struct{})}
	go func() {
		for {
			select {
			case <-r.ask:
			case <-r.done:
				return
			}
			req, err := conn.Receive()
			select {
			case r.out <- received{req, err}:
			case <-r.done:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return r
}

// next asks for the next message and returns the channel it arrives on;
// call it again only once that message has arrived.
func (r *receiver) next() <-chan received {
	r.ask <- struct{}{}
	return r.out
}

func (r *receiver) stop() { close(r.done) }
