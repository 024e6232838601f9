// Package loopback starts test servers the way statusd serves (HTTP/1.1 and
// cleartext HTTP/2 on one loopback port) and makes clients for them.
package loopback

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// Serve starts h on a 127.0.0.1 port with HTTP/1.1 and h2c, and closes it
// when the test ends.
func Serve(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.Protocols = new(http.Protocols)
	srv.Config.Protocols.SetHTTP1(true)
	srv.Config.Protocols.SetUnencryptedHTTP2(true)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// H2CClient returns a client that speaks cleartext HTTP/2 with prior
// knowledge, as gRPC and bidirectional Connect streams need.
func H2CClient() *http.Client {
	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	return &http.Client{Transport: tr}
}
