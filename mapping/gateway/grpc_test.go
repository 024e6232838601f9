package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	grpcstatus "google.golang.org/grpc/status"
)

const grpcMethod = "/test.v1.Test/Unary"

// startGRPC serves one unary method, taking and returning the same
// messages as the Connect test service, on a loopback grpc-go server with
// tr's interceptor, and returns a client connection to it.
func startGRPC(t *testing.T, tr *Translator, h func(ctx context.Context, req *statusdv1.LookupRequest) error) *grpc.ClientConn {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(grpc.UnaryInterceptor(tr.UnaryServerInterceptor()))
	srv.RegisterService(&grpc.ServiceDesc{
		ServiceName: "test.v1.Test",
		HandlerType: (*any)(nil),
		Methods: []grpc.MethodDesc{{MethodName: "Unary", Handler: func(_ any, ctx context.Context, dec func(any) error, ic grpc.UnaryServerInterceptor) (any, error) {
			in := new(statusdv1.LookupRequest)
			if err := dec(in); err != nil {
				return nil, err
			}
			call := func(ctx context.Context, req any) (any, error) {
				if err := h(ctx, req.(*statusdv1.LookupRequest)); err != nil {
					return nil, err
				}
				return &statusdv1.LookupResponse{HttpStatus: 200}, nil
			}
			return ic(ctx, in, &grpc.UnaryServerInfo{FullMethod: grpcMethod}, call)
		}}},
	}, struct{}{})
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// startGRPCGateway serves GET /v1/status/{status} on a grpc-gateway mux
// with tr's options, calling the gRPC method as generated code does.
func startGRPCGateway(t *testing.T, tr *Translator, conn *grpc.ClientConn) *httptest.Server {
	t.Helper()
	mux := runtime.NewServeMux(tr.ServeMuxOptions()...)
	const pattern = "/v1/status/{status}"
	handle := func(w http.ResponseWriter, r *http.Request, params map[string]string) {
		m := &runtime.JSONPb{}
		ctx, err := runtime.AnnotateContext(r.Context(), mux, r, grpcMethod, runtime.WithHTTPPathPattern(pattern))
		if err != nil {
			runtime.HTTPError(ctx, mux, m, w, r, err)
			return
		}
		status, _ := strconv.Atoi(params["status"])
		in := &statusdv1.LookupRequest{Key: &statusdv1.LookupRequest_HttpStatus{HttpStatus: int32(status)}, Method: r.URL.Query().Get("how")}
		var md runtime.ServerMetadata
		out := new(statusdv1.LookupResponse)
		if err := conn.Invoke(ctx, grpcMethod, in, out, grpc.Header(&md.HeaderMD), grpc.Trailer(&md.TrailerMD)); err != nil {
			runtime.HTTPError(runtime.NewServerMetadataContext(ctx, md), mux, m, w, r, err)
			return
		}
		runtime.ForwardResponseMessage(ctx, mux, m, w, r, out)
	}
	for _, method := range []string{"GET", "PUT"} {
		if err := mux.HandlePath(method, pattern, handle); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestGRPCRoundTrip: HTTP status → error in a grpc-go handler → grpc-go
// client and grpc-gateway front end, for every status 400-599: the client
// reads the exact status from GRPCStatus, the gateway answers it, with the
// upstream's message and carried headers.
func TestGRPCRoundTrip(t *testing.T) {
	tr := mustNew(t, WithProfiles("data", "entity"))
	conn := startGRPC(t, tr, func(ctx context.Context, req *statusdv1.LookupRequest) error {
		status := int(req.GetHttpStatus())
		switch req.GetMethod() {
		case "code":
			// A plain grpc-go error: the interceptor computes the status
			// for the REST method the gateway forwarded.
			return grpcstatus.Error(codes.Code(tr.CodeForStatus(status, "", nil)), "plain")
		case "header":
			md, _ := metadata.FromIncomingContext(ctx)
			return grpcstatus.Errorf(codes.NotFound, "method %v", md.Get(methodMetadata))
		case "plain":
			return errors.New("dial tcp 10.9.9.9:5432")
		}
		resp := response(status, "application/problem+json", fmt.Sprintf(`{"title":"t","detail":"upstream %d"}`, status))
		resp.Header.Set("Retry-After", "9")
		resp.Header.Set("Www-Authenticate", `Basic realm="r"`)
		return tr.ErrorFromResponse(resp)
	})
	front := startGRPCGateway(t, tr, conn)
	for status := 400; status <= 599; status++ {
		in := &statusdv1.LookupRequest{Key: &statusdv1.LookupRequest_HttpStatus{HttpStatus: int32(status)}}
		err := conn.Invoke(context.Background(), grpcMethod, in, new(statusdv1.LookupResponse))
		if got := tr.StatusOf(err, "", nil); got != status {
			t.Errorf("grpc-go client: %d came back as %d (%v)", status, got, err)
		}
		if got := grpcstatus.Code(err); got != codes.Code(tr.CodeForStatus(status, "", nil)) {
			t.Errorf("grpc-go client: %d: code %v", status, got)
		}
		resp, err := http.Get(fmt.Sprintf("%s/v1/status/%d", front.URL, status))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var gw struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(body, &gw)
		if resp.StatusCode != status || gw.Message != fmt.Sprintf("upstream %d", status) {
			t.Errorf("grpc-gateway: %d answered %d %s", status, resp.StatusCode, body)
		}
		if resp.Header.Get("Retry-After") != "9" || resp.Header.Get("Www-Authenticate") != `Basic realm="r"` {
			t.Errorf("grpc-gateway %d: headers %v", status, resp.Header)
		}
	}
	// Without a detail from the handler, backend and gateway agree on the
	// REST method: a PATCH... is not known to the backend unless forwarded.
	resp, err := http.Get(front.URL + "/v1/status/412?how=code")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 409 { // aborted, no if-match: 409 on both sides
		t.Errorf("plain grpc error: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("PUT", front.URL+"/v1/status/412?how=code", nil)
	req.Header.Set("If-Match", `"v1"`)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 412 { // the gateway forwarded PUT and if-match: Entity says 412
		t.Errorf("plain grpc error, PUT with if-match: %d", resp.StatusCode)
	}
	// The REST method reaches the backend; a plain error's message does
	// not reach the client.
	resp, err = http.Get(front.URL + "/v1/status/500?how=header")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 404 || !strings.Contains(string(body), "method [GET]") {
		t.Errorf("method forwarding: %d %s", resp.StatusCode, body)
	}
	resp, err = http.Get(front.URL + "/v1/status/500?how=plain")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 || !json.Valid(body) || strings.Contains(string(body), "10.9.9.9") {
		t.Errorf("plain error through the gateway: %d %s", resp.StatusCode, body)
	}
	// problem+json on request.
	req, _ = http.NewRequest("GET", front.URL+"/v1/status/422", nil)
	req.Header.Set("Accept", "application/problem+json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	var p problemDoc
	_ = json.Unmarshal(body, &p)
	if resp.StatusCode != 422 || p.Status != 422 || p.Detail != "upstream 422" || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("problem through the gateway: %d %s", resp.StatusCode, body)
	}
}

// The grpc-go interceptor copies: a shared status error is not modified.
func TestGRPCInterceptorCopies(t *testing.T) {
	tr := mustNew(t)
	shared := grpcstatus.Error(codes.NotFound, "gone")
	conn := startGRPC(t, tr, func(context.Context, *statusdv1.LookupRequest) error { return shared })
	for range 3 {
		err := conn.Invoke(context.Background(), grpcMethod, &statusdv1.LookupRequest{}, new(statusdv1.LookupResponse))
		if s, _ := HTTPStatus(err); s != 404 {
			t.Errorf("status %d (%v)", s, err)
		}
	}
	if st, _ := grpcstatus.FromError(shared); len(st.Proto().GetDetails()) != 0 {
		t.Errorf("shared error got %d details", len(st.Proto().GetDetails()))
	}
	// A Connect error returned by a grpc-go handler keeps its code.
	conn = startGRPC(t, tr, func(context.Context, *statusdv1.LookupRequest) error {
		return connect.NewError(connect.CodePermissionDenied, errors.New("no"))
	})
	err := conn.Invoke(context.Background(), grpcMethod, &statusdv1.LookupRequest{}, new(statusdv1.LookupResponse))
	if s, _ := HTTPStatus(err); grpcstatus.Code(err) != codes.PermissionDenied || s != 403 {
		t.Errorf("connect error in grpc-go: %v %d", err, s)
	}
}
