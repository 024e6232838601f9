package mapping

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/internal/loopback"
	"github.com/twitchtv/twirp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// The anchor tables, copied from the sources named in each dialect's doc
// comment (see also the reference notes the tables were taken from). Each
// row: dialect, then the statuses for codes 0-16 (code → HTTP), then
// "status=code" pairs for HTTP → code (every other status in 100-599 is
// unknown), with "3xx=..." for a whole class.
var anchorCodeToHTTP = map[statusdv1.Dialect]string{
	statusdv1.Dialect_DIALECT_CONNECT:        "200 499 500 400 504 404 409 403 429 400 409 400 501 500 503 500 401",
	statusdv1.Dialect_DIALECT_CONNECT_LEGACY: "200 408 500 400 408 404 409 403 429 412 409 400 404 500 503 500 401",
	statusdv1.Dialect_DIALECT_GRPC:           "200 499 500 400 504 404 409 403 429 400 409 400 501 500 503 500 401",
	statusdv1.Dialect_DIALECT_GRPC_GATEWAY:   "200 499 500 400 504 404 409 403 429 400 409 400 501 500 503 500 401",
	statusdv1.Dialect_DIALECT_ENVOY:          "200 499 500 400 504 404 409 403 429 400 409 400 501 500 503 500 401",
	statusdv1.Dialect_DIALECT_TWIRP:          "200 408 500 400 408 404 409 403 429 412 409 400 501 500 503 500 401",
}

var anchorHTTPToCode = map[statusdv1.Dialect]string{
	statusdv1.Dialect_DIALECT_CONNECT: "200=ok 400=internal 401=unauthenticated 403=permission_denied 404=unimplemented " +
		"429=unavailable 502=unavailable 503=unavailable 504=unavailable",
	statusdv1.Dialect_DIALECT_CONNECT_LEGACY: "200=ok 400=invalid_argument 401=unauthenticated 403=permission_denied 404=unimplemented " +
		"408=deadline_exceeded 409=aborted 412=failed_precondition 413=resource_exhausted 415=internal 429=unavailable " +
		"431=resource_exhausted 502=unavailable 503=unavailable 504=unavailable",
	statusdv1.Dialect_DIALECT_GRPC: "400=internal 401=unauthenticated 403=permission_denied 404=unimplemented " +
		"429=unavailable 431=internal 502=unavailable 503=unavailable 504=unavailable",
	statusdv1.Dialect_DIALECT_GRPC_GATEWAY: "400=internal 401=unauthenticated 403=permission_denied 404=unimplemented " +
		"429=unavailable 502=unavailable 503=unavailable 504=unavailable",
	statusdv1.Dialect_DIALECT_ENVOY: "400=internal 401=unauthenticated 403=permission_denied 404=unimplemented " +
		"429=unavailable 502=unavailable 503=unavailable 504=unavailable",
	statusdv1.Dialect_DIALECT_TWIRP: "200=ok 3xx=internal 400=internal 401=unauthenticated 403=permission_denied 404=unimplemented " +
		"429=resource_exhausted 502=unavailable 503=unavailable 504=unavailable",
}

func anchorCode(t *testing.T, d statusdv1.Dialect, status int) statusdv1.Code {
	t.Helper()
	want := statusdv1.Code_CODE_UNKNOWN
	for _, pair := range strings.Fields(anchorHTTPToCode[d]) {
		key, name, _ := strings.Cut(pair, "=")
		match := key == strconv.Itoa(status) || (strings.HasSuffix(key, "xx") && key[0] == byte('0'+status/100))
		if !match {
			continue
		}
		want = statusdv1.Code_CODE_OK
		if name != "ok" {
			var ok bool
			if want, ok = CodeForConnectName(name); !ok {
				t.Fatalf("bad anchor %q", pair)
			}
		}
		if !strings.HasSuffix(key, "xx") {
			break // an exact row wins over a class row
		}
	}
	return want
}

func TestTableDialectsAgainstAnchors(t *testing.T) {
	for d, row := range anchorCodeToHTTP {
		for i, field := range strings.Fields(row) {
			want, _ := strconv.Atoi(field)
			code := statusdv1.Code(i)
			tr, err := CodeToHTTP(d, code, Context{})
			if err != nil || tr.HTTPStatus != want || StatusForCode(d, code) != want {
				t.Errorf("%v: code %v → %d (fast %d), want %d (%v)", d, code, tr.HTTPStatus, StatusForCode(d, code), want, err)
			}
			if tr.Rationale == "" || len(tr.Citations) == 0 {
				t.Errorf("%v: code %v has no rationale or citation", d, code)
			}
		}
		for _, bad := range []statusdv1.Code{17, 99, -1} {
			tr, _ := CodeToHTTP(d, bad, Context{})
			if tr.HTTPStatus != 500 || StatusForCode(d, bad) != 500 || tr.Code != bad {
				t.Errorf("%v: code %d → %d, want 500", d, bad, tr.HTTPStatus)
			}
		}
	}
	for d := range anchorHTTPToCode {
		for s := MinStatus; s <= MaxStatus; s++ {
			want := anchorCode(t, d, s)
			tr, err := HTTPToCode(d, s, Context{})
			if err != nil || tr.Code != want || CodeForStatus(d, s) != want || tr.HTTPStatus != s {
				t.Errorf("%v: HTTP %d → %v (fast %v), want %v", d, s, tr.Code, CodeForStatus(d, s), want)
			}
			if !strings.Contains(tr.Rationale, strconv.Itoa(s)) || len(tr.Citations) == 0 {
				t.Errorf("%v: HTTP %d: rationale %q", d, s, tr.Rationale)
			}
		}
		for _, bad := range []int{-1, 0, 99, 600, 1000} {
			tr, _ := HTTPToCode(d, bad, Context{})
			if tr.Code != statusdv1.Code_CODE_UNKNOWN || CodeForStatus(d, bad) != statusdv1.Code_CODE_UNKNOWN || tr.HTTPStatus != bad {
				t.Errorf("%v: HTTP %d → %v, want unknown", d, bad, tr.Code)
			}
		}
	}
	if len(anchorCodeToHTTP) != numDialects-2 || len(anchorHTTPToCode) != numDialects-2 {
		t.Error("an anchor table is missing for a table dialect")
	}
}

func TestFastPathsMatchTranslations(t *testing.T) {
	for _, d := range append(Dialects(), statusdv1.Dialect_DIALECT_UNSPECIFIED) {
		for s := -1; s <= MaxStatus+1; s++ {
			tr, _ := HTTPToCode(d, s, Context{})
			if CodeForStatus(d, s) != tr.Code {
				t.Errorf("%v: CodeForStatus(%d) = %v, HTTPToCode says %v", d, s, CodeForStatus(d, s), tr.Code)
			}
		}
		for c := -1; c <= numCodes; c++ {
			tr, _ := CodeToHTTP(d, statusdv1.Code(c), Context{})
			if StatusForCode(d, statusdv1.Code(c)) != tr.HTTPStatus {
				t.Errorf("%v: StatusForCode(%d) = %d, CodeToHTTP says %d", d, c, StatusForCode(d, statusdv1.Code(c)), tr.HTTPStatus)
			}
		}
	}
	for _, bad := range []statusdv1.Dialect{-1, 8, 99} {
		if CodeOf(bad, 404) != statusdv1.Code_CODE_UNKNOWN || StatusOf(bad, 5) != 500 || Supported(bad) {
			t.Errorf("dialect %d: not treated as undefined", bad)
		}
		if _, err := HTTPToCode(bad, 404, Context{}); err == nil {
			t.Errorf("HTTPToCode with dialect %d: no error", bad)
		}
		if _, err := CodeToHTTP(bad, 5, Context{}); err == nil {
			t.Errorf("CodeToHTTP with dialect %d: no error", bad)
		}
	}
	if got := len(Dialects()); got != 7 {
		t.Errorf("Dialects() has %d, want 7", got)
	}
}

// TestGRPCGatewayAgreesWithGRPCGateway checks code → HTTP against
// grpc-gateway's runtime.HTTPStatusFromCode itself.
func TestGRPCGatewayAgreesWithGRPCGateway(t *testing.T) {
	for i := range numCodes {
		want := runtime.HTTPStatusFromCode(codes.Code(i))
		if got := StatusForCode(statusdv1.Dialect_DIALECT_GRPC_GATEWAY, statusdv1.Code(i)); got != want {
			t.Errorf("code %d: %d, grpc-gateway says %d", i, got, want)
		}
	}
}

// TestTwirpAgreesWithTwirp checks code → HTTP against Twirp's
// ServerHTTPStatusFromErrorCode itself.
func TestTwirpAgreesWithTwirp(t *testing.T) {
	for i := range numCodes {
		name := twirp.ErrorCode(ConnectName(statusdv1.Code(i)))
		if i == 0 {
			name = twirp.NoError
		}
		want := twirp.ServerHTTPStatusFromErrorCode(name)
		if got := StatusForCode(statusdv1.Dialect_DIALECT_TWIRP, statusdv1.Code(i)); got != want {
			t.Errorf("code %d (%s): %d, Twirp says %d", i, name, got, want)
		}
	}
}

// TestGRPCGoAgreesWithGRPCGo checks grpc-gateway's HTTP → code table (grpc-go's
// HTTPStatusConvTab) against a real grpc-go client that receives each status
// without grpc-status from an h2c server on loopback.
func TestGRPCGoAgreesWithGRPCGo(t *testing.T) {
	srv := loopback.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := strconv.Atoi(r.Header.Get("x-status"))
		w.Header().Set("content-type", "text/plain")
		w.WriteHeader(s)
	}))
	conn, err := grpc.NewClient(strings.TrimPrefix(srv.URL, "http://"), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for s := 201; s <= MaxStatus; s++ {
		if s == 204 || s == 304 {
			continue // HTTP/2 forbids a body, and grpc-go rejects the frame differently
		}
		ctx := contextWithStatus(s)
		err := conn.Invoke(ctx, "/x.Y/Z", &statusdv1.HttpStatusDetail{}, &statusdv1.HttpStatusDetail{})
		got := status.Code(err)
		if want := CodeForStatus(statusdv1.Dialect_DIALECT_GRPC_GATEWAY, s); int(got) != int(want) {
			t.Errorf("HTTP %d: grpc-go says %v, table says %v", s, got, ConnectName(want))
		}
	}
}

func contextWithStatus(s int) context.Context {
	return metadata.AppendToOutgoingContext(context.Background(), "x-status", fmt.Sprint(s))
}
