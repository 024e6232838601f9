package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// validate runs `statusd validate args...` and returns its exit code and
// output.
func validate(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := dispatch(context.Background(), append([]string{"validate"}, args...), strings.NewReader(stdin), &stdout, &stderr, false)
	return code, stdout.String(), stderr.String()
}

func TestValidateFlags(t *testing.T) {
	code, out, _ := validate(t, "", "-method", "POST", "-status", "201", "-target", "/orders",
		"-R", "profile: <https://level3.rest/profiles/form>", "-R", "location: /orders/42", "-H", "content-type: application/json")
	if code != 0 || !strings.Contains(out, "/orders\n  POST 201: conforms (form)") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	code, out, _ = validate(t, "", "-method", "POST", "-status", "201", "-profile", "form", "-response-body-size", "12")
	if code != 1 || !strings.Contains(out, "l3.body.empty") || !strings.Contains(out, "l3.profile.missing") || strings.Contains(out, "\x1b[") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	code, out, _ = validate(t, "", "-method", "GET", "-status", "202", "-R", "profile: <https://level3.rest/profiles/data>", "-color", "always")
	if code != 1 || !strings.Contains(out, "\x1b[31m") {
		t.Errorf("colour always: exit %d:\n%q", code, out)
	}
}

func TestValidateStdin(t *testing.T) {
	for name, in := range map[string]string{
		"ValidateRequest": `{"exchange":{"method":"POST","status":303,"responseHeaders":[{"name":"location","value":"/a"}]},"profiles":["action"]}`,
		"Exchange":        `{"method":"POST","status":303,"responseHeaders":[{"name":"location","value":"/a"}]}`,
	} {
		code, out, errOut := validate(t, in, "-json")
		var doc struct {
			Conforms bool `json:"conforms"`
			Counts   struct {
				Exchanges int `json:"exchanges"`
			} `json:"counts"`
			Results []struct {
				Method string          `json:"method"`
				Status int             `json:"status"`
				Result json.RawMessage `json:"result"`
			} `json:"results"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("%s: %v\n%s%s", name, err, out, errOut)
		}
		if doc.Counts.Exchanges != 1 || len(doc.Results) != 1 || doc.Results[0].Status != 303 {
			t.Errorf("%s: %s", name, out)
		}
		// Given as a request, the Action profile is missing from the
		// response: not conforming. As a bare exchange it has no profile.
		wantConforms := name == "Exchange"
		if doc.Conforms != wantConforms || (code == 0) != wantConforms {
			t.Errorf("%s: exit %d, conforms %v\n%s", name, code, doc.Conforms, out)
		}
	}
}

func TestValidateHAR(t *testing.T) {
	code, out, _ := validate(t, "", "-har", filepath.Join("testdata", "orders.har"))
	for _, want := range []string{
		"https://api.example.com/\n  HEAD 200: conforms (home)",
		"https://api.example.com/orders/form\n  POST 201: conforms (form)\n  POST 201: does not conform (form)",
		"l3.action.post.location", "l3.profile.legacy",
		"GET 304: conforms (data, entity)",
		"note: entry 5 (https://tracker.example.net/pixel) skipped",
		"5 exchanges, 3 conform; 3 errors, 0 warnings, 1 infos",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
}

func TestValidateBadInput(t *testing.T) {
	dir := t.TempDir()
	notHAR := filepath.Join(dir, "x.har")
	if err := os.WriteFile(notHAR, []byte(`{"entries": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"no input", "", nil, "no exchange: give -har FILE"},
		{"bad JSON", "{", nil, "neither a statusd.v1.ValidateRequest nor an Exchange"},
		{"status 700", "", []string{"-method", "GET", "-status", "700"}, "exchange.status: must be greater than or equal to 100"},
		{"no method", "", []string{"-status", "200"}, "exchange.method: must be at least 1 characters"},
		{"header without colon", "", []string{"-R", "allow GET"}, `want "Name: value"`},
		{"header name with space", "", []string{"-method", "GET", "-status", "200", "-R", "content type: x"}, "exchange.response_headers[0].name: must be an HTTP token"},
		{"unknown profile", "", []string{"-method", "GET", "-status", "200", "-profile", "forms"}, `profiles[0]: unknown profile "forms"`},
		{"bad colour", "", []string{"-color", "pink"}, "-color must be auto, always or never"},
		{"missing HAR", "", []string{"-har", filepath.Join(dir, "none.har")}, "no such file"},
		{"not a HAR", "", []string{"-har", notHAR}, `no "log" object`},
		{"extra argument", "", []string{"x"}, `unexpected argument "x"`},
		{"unknown flag", "", []string{"-nope"}, "flag provided but not defined"},
	} {
		code, _, errOut := validate(t, tc.stdin, tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", tc.name, code, errOut, tc.want)
		}
	}
	code, _, errOut := validate(t, "", "-h")
	if code != 0 || !strings.Contains(errOut, "usage: statusd validate") {
		t.Errorf("-h: exit %d %q", code, errOut)
	}
}
