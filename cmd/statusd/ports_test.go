package main

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/gen/statusd/v1/statusdv1connect"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding/gzip"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"
)

// rawCodec sends a []byte as the message as it is, to offer the server
// bytes no protobuf decoder accepts.
type rawCodec struct{}

func (rawCodec) Name() string { return "proto" }
func (rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	return mem.BufferSlice{mem.SliceBuffer(*v.(*[]byte))}, nil
}
func (rawCodec) Unmarshal(data mem.BufferSlice, v any) error {
	*v.(*[]byte) = data.Materialize()
	return nil
}

// bothPorts starts statusd with -grpc-addr and returns a grpc-go client
// connection to each port: the main port serves gRPC over h2c too.
func bothPorts(t *testing.T, args ...string) (*daemon, map[string]*grpc.ClientConn) {
	t.Helper()
	grpcAddr := freeLoopbackAddr(t)
	d := startDaemon(t, append([]string{"-grpc-addr", grpcAddr}, args...)...)
	conns := map[string]*grpc.ClientConn{}
	for name, addr := range map[string]string{"main port": d.addr, "grpc-go port": grpcAddr} {
		conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		conns[name] = conn
	}
	return d, conns
}

// call makes one call of method (unary or stream) with msg and returns its
// status.
func call(ctx context.Context, conn *grpc.ClientConn, m protoreflect.MethodDescriptor, msg any, opts ...grpc.CallOption) *status.Status {
	name := "/" + string(m.Parent().FullName()) + "/" + string(m.Name())
	if !m.IsStreamingClient() && !m.IsStreamingServer() {
		out := dynamicpb.NewMessage(m.Output())
		var err error
		if raw, ok := msg.(*[]byte); ok {
			var res []byte
			err = conn.Invoke(ctx, name, raw, &res, append(opts, grpc.ForceCodecV2(rawCodec{}))...)
		} else {
			err = conn.Invoke(ctx, name, msg, out, opts...)
		}
		return status.Convert(err)
	}
	if raw, ok := msg.(*[]byte); ok {
		opts = append(opts, grpc.ForceCodecV2(rawCodec{}))
		msg = raw
	}
	stream, err := conn.NewStream(ctx, &grpc.StreamDesc{ClientStreams: m.IsStreamingClient(), ServerStreams: m.IsStreamingServer()}, name, opts...)
	if err != nil {
		return status.Convert(err)
	}
	if err := stream.SendMsg(msg); err == nil {
		_ = stream.CloseSend()
	}
	for {
		var res []byte
		var err error
		if _, ok := msg.(*[]byte); ok {
			err = stream.RecvMsg(&res)
		} else {
			err = stream.RecvMsg(dynamicpb.NewMessage(m.Output()))
		}
		if errors.Is(err, io.EOF) {
			return status.New(codes.OK, "")
		}
		if err != nil {
			return status.Convert(err)
		}
	}
}

// TestEveryRPCServedOnBothPorts walks the proto's service, so that an RPC
// added to the proto but not served on a port fails here: an empty request
// is answered (or rejected by protovalidate) but never Unimplemented, bytes
// that are not protobuf are invalid_argument (grpc-go said INTERNAL), and
// gzip requests are accepted on both ports.
func TestEveryRPCServedOnBothPorts(t *testing.T) {
	_, conns := bothPorts(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	methods := statusdv1.File_statusd_v1_status_service_proto.Services().ByName("StatusService").Methods()
	if methods.Len() < 5 {
		t.Fatalf("%d methods in the proto", methods.Len())
	}
	garbage := []byte{0xff, 0xff, 0xff, 0xff} // field 0 / bad varint: no message decodes it
	for port, conn := range conns {
		for i := range methods.Len() {
			m := methods.Get(i)
			if st := call(ctx, conn, m, dynamicpb.NewMessage(m.Input())); st.Code() == codes.Unimplemented {
				t.Errorf("%s: %s is not served: %v", port, m.Name(), st)
			}
			if st := call(ctx, conn, m, &garbage); st.Code() != codes.InvalidArgument {
				t.Errorf("%s: %s with bytes that are not protobuf: %v, want invalid_argument", port, m.Name(), st)
			}
		}
		res := &statusdv1.LookupResponse{}
		if err := conn.Invoke(ctx, statusdv1connect.StatusServiceLookupProcedure, lookup412, res, grpc.UseCompressor(gzip.Name)); err != nil ||
			res.GetHttpStatus() != 412 {
			t.Errorf("%s: gzip request: %v", port, err)
		}
	}
}

// TestIdleStreamEndsPolitely: a ValidateStream that stays open past
// -read-timeout ends, on both ports, with unavailable and a message telling
// the client to open a new one, not a cut connection.
func TestIdleStreamEndsPolitely(t *testing.T) {
	_, conns := bothPorts(t, "-read-timeout", "1500ms")
	for port, conn := range conns {
		stream, err := statusdv1.NewStatusServiceClient(conn).ValidateStream(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := stream.Send(&statusdv1.ValidateStreamRequest{Request: &statusdv1.ValidateRequest{Exchange: &statusdv1.Exchange{Method: "GET", Status: 200}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := stream.Recv(); err != nil {
			t.Fatalf("%s: %v", port, err)
		}
		_, err = stream.Recv()
		took := time.Since(start)
		if st := status.Convert(err); st.Code() != codes.Unavailable || !strings.Contains(st.Message(), "open a new stream") {
			t.Errorf("%s: idle stream ended with %v", port, st)
		}
		// The message above proves the server ended the stream before its
		// read timeout cut it; the client's clock adds the stream's setup and
		// scheduling on a loaded machine, so only a gross lateness is an error.
		if took < time.Second || took > 3*time.Second {
			t.Errorf("%s: ended after %v, want about 1 s (before the 1.5s read timeout)", port, took)
		}
	}
}
