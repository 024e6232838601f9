package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
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
		"https://api.example.com/\n  HEAD 200: conforms (home) [entry 0]",
		"https://api.example.com/orders/form\n  POST 201: conforms (form) [entry 1]\n  POST 201: does not conform (form) [entry 2]",
		"l3.action.post.location", "l3.profile.legacy",
		"GET 304: conforms (data, entity) [entry 4]",
		"note: entry 5 (https://tracker.example.net/pixel) skipped",
		"5 exchanges, 3 conform; 3 errors, 0 warnings, 1 info",
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
		{"unknown profile", "", []string{"-method", "GET", "-status", "200", "-profile", "forms"}, `-profile "forms": unknown profile`},
		{"-har with -method", "", []string{"-har", "x.har", "-method", "GET"}, "-har checks the exchanges of a file; -method describe"},
		{"-har with -status and -R", "", []string{"-har", "x.har", "-status", "200", "-R", "a: b"}, "-R, -status describe one exchange"},
		{"stdin with -H", `{"method":"GET","status":200}`, []string{"-H", "accept: x"}, "-H describe an exchange given by -method and -status"},
		{"stdin profiles and -profile", `{"exchange":{"method":"GET","status":200},"profiles":["data"]}`, []string{"-profile", "home"}, "give them in one place"},
		{"bad -fail-on", "", []string{"-fail-on", "never"}, "-fail-on must be error, warning or info"},
		{"bad -format", "", []string{"-format", "xml"}, "-format must be text, json or junit"},
		{"-json and -format junit", "", []string{"-json", "-format", "junit"}, "contradict"},
		{"missing catalog", "", []string{"-catalog", filepath.Join(dir, "none.txtpb"), "-method", "GET", "-status", "200"}, "no such file"},
		{"bad catalog", "", []string{"-catalog", notHAR, "-method", "GET", "-status", "200"}, notHAR},
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

// TestValidateFailOnAndFormats: -fail-on moves the exit code, -format junit
// writes JUnit XML, -json carries the HAR entry and conforms explicitly.
func TestValidateFailOnAndFormats(t *testing.T) {
	warnOnly := []string{"-method", "POST", "-status", "201"} // rfc9110.created.location (warning), l3.profile.none (info)
	for failOn, want := range map[string]int{"error": 0, "warning": 1, "info": 1} {
		if code, out, errOut := validate(t, "", append(warnOnly, "-fail-on", failOn)...); code != want {
			t.Errorf("-fail-on %s: exit %d, want %d\n%s%s", failOn, code, want, out, errOut)
		}
	}
	infoOnly := []string{"-method", "GET", "-status", "404"}
	if code, _, _ := validate(t, "", append(infoOnly, "-fail-on", "warning")...); code != 0 {
		t.Errorf("an info under -fail-on warning: exit %d", code)
	}
	if code, _, _ := validate(t, "", append(infoOnly, "-fail-on", "info")...); code != 1 {
		t.Errorf("an info under -fail-on info: exit %d", code)
	}
	code, out, _ := validate(t, "", "-har", filepath.Join("testdata", "orders.har"), "-format", "junit")
	var suites struct {
		Suites []struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(out), &suites); err != nil || code != 1 || len(suites.Suites) != 4 {
		t.Fatalf("junit: exit %d, %v\n%s", code, err, out)
	}
	failures := 0
	for _, s := range suites.Suites {
		failures += s.Failures
	}
	if failures != 2 || !strings.Contains(out, `name="POST 303 [entry 3]"`) {
		t.Errorf("junit: %d failures\n%s", failures, out)
	}
	_, out, _ = validate(t, "", "-har", filepath.Join("testdata", "orders.har"), "-json")
	var doc struct {
		Results []struct {
			Entry    *int                     `json:"entry"`
			Conforms *bool                    `json:"conforms"`
			Result   struct{ Conforms *bool } `json:"result"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Results) != 5 {
		t.Fatalf("%v\n%s", err, out)
	}
	for i, r := range doc.Results {
		if r.Entry == nil || *r.Entry != i || r.Conforms == nil || r.Result.Conforms == nil || *r.Conforms != *r.Result.Conforms {
			t.Errorf("result %d: entry and conforms must be explicit\n%s", i, out)
		}
	}
}

// TestValidateEmptyHAR: a HAR file with nothing to check says so.
func TestValidateEmptyHAR(t *testing.T) {
	file := filepath.Join(t.TempDir(), "empty.har")
	if err := os.WriteFile(file, []byte(`{"log":{"version":"1.2","entries":[{"request":{"method":"GET","url":"https://x"},"response":{"status":0}}]}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := validate(t, "", "-har", file)
	if code != 0 || !strings.Contains(errOut, "warning: "+file+" has no exchange to check (1 entries, 1 skipped)") ||
		!strings.Contains(out, "0 exchanges, 0 conform") {
		t.Errorf("exit %d\n%s\n%s", code, out, errOut)
	}
}

// TestValidateCatalog: -catalog lays a file over the embedded catalog, as
// for serve: a status the organisation registers is no longer unknown.
func TestValidateCatalog(t *testing.T) {
	file := filepath.Join(t.TempDir(), "acme.txtpb")
	if err := os.WriteFile(file, []byte(`statuses { code: 299 reason: "Acme Partial" status_class: STATUS_CLASS_SUCCESSFUL meaning: "Acme."}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-method", "GET", "-status", "299", "-fail-on", "warning"}
	if code, out, _ := validate(t, "", args...); code != 1 || !strings.Contains(out, "rfc9110.status.unregistered") {
		t.Errorf("without -catalog: exit %d\n%s", code, out)
	}
	if code, out, errOut := validate(t, "", append(args, "-catalog", file)...); code != 0 || strings.Contains(out, "unregistered") {
		t.Errorf("with -catalog: exit %d\n%s%s", code, out, errOut)
	}
}
