package gateway

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
)

func TestTransport(t *testing.T) {
	tr := mustNew(t, WithProfiles("data", "entity"))
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			w.WriteHeader(204)
		case "/moved":
			http.Redirect(w, r, "/ok", http.StatusFound)
		case "/slow":
			time.Sleep(200 * time.Millisecond)
		default:
			w.Header().Set("Content-Type", "application/problem+json")
			w.Header().Set("Retry-After", "4")
			w.WriteHeader(503)
			_, _ = w.Write([]byte(`{"title":"Down","detail":"maintenance"}` + strings.Repeat(" ", 3*maxErrorBody)))
		}
	}))
	defer upstream.Close()
	client := &http.Client{Transport: tr.Transport(nil)}

	resp, err := client.Get(upstream.URL + "/moved")
	if err != nil || resp.StatusCode != 204 {
		t.Fatalf("redirect then success: %v %v", resp, err)
	}
	resp.Body.Close()

	_, err = client.Get(upstream.URL + "/down")
	if s, _ := HTTPStatus(err); connect.CodeOf(err) != connect.CodeUnavailable || s != 503 || asConnect(err).Message() != "maintenance" {
		t.Errorf("503: %v (status %d)", err, s)
	}
	w := httptest.NewRecorder()
	tr.WriteError(w, nil, err)
	if w.Code != 503 || w.Header().Get("Retry-After") != "4" {
		t.Errorf("503 written as %d %v", w.Code, w.Header())
	}

	// Nothing listens: unavailable, 502, no address in the message.
	lis, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := lis.Addr().String()
	lis.Close()
	_, err = client.Get("http://" + addr + "/")
	var opErr *net.OpError
	if s, _ := HTTPStatus(err); connect.CodeOf(err) != connect.CodeUnavailable || s != 502 || !errors.As(err, &opErr) ||
		strings.Contains(asConnect(err).Message(), addr) {
		t.Errorf("refused: %v (status %d)", err, s)
	}
	// Timeout and cancel.
	// (http.Client.Timeout replaces the error with its own string: use a
	// context deadline.)
	tctx, tcancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer tcancel()
	req, _ := http.NewRequestWithContext(tctx, "GET", upstream.URL+"/slow", nil)
	_, err = client.Do(req)
	if s, _ := HTTPStatus(err); connect.CodeOf(err) != connect.CodeDeadlineExceeded || s != 504 {
		t.Errorf("timeout: %v (status %d)", err, s)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ = http.NewRequestWithContext(ctx, "GET", upstream.URL+"/ok", nil)
	_, err = client.Do(req)
	if connect.CodeOf(err) != connect.CodeCanceled || !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: %v", err)
	}
}
