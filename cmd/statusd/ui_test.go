package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestExplorerFlag: the explorer is at / by default, and -ui=false leaves
// only the API (and / is 404 again).
func TestExplorerFlag(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		status int
	}{{nil, 200}, {[]string{"-ui=false"}, 404}} {
		base := startStatusd(t, tc.args...)
		resp, err := http.Get(base + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%v: GET / = %d, want %d", tc.args, resp.StatusCode, tc.status)
		}
		if tc.status == 200 && (!strings.Contains(string(body), "statusd explorer") || resp.Header.Get("Content-Security-Policy") == "") {
			t.Errorf("%v: / is not the explorer page", tc.args)
		}
		// The explorer shadows no other route: POST /metrics is still 405.
		post, err := http.Post(base+"/metrics", "text/plain", nil)
		if err != nil {
			t.Fatal(err)
		}
		post.Body.Close()
		if post.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%v: POST /metrics = %d, want 405", tc.args, post.StatusCode)
		}
		// The API is there either way.
		if got := meaning412(t, base); got == "" {
			t.Errorf("%v: no API", tc.args)
		}
	}
}
