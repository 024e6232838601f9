package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/mapping"
	"google.golang.org/protobuf/encoding/protojson"
)

// statusd runs dispatch as main does and returns the exit code and output.
func statusd(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = dispatch(context.Background(), args, strings.NewReader(""), &out, &errOut, false)
	return code, out.String(), errOut.String()
}

func TestHelpListsEveryVerb(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}, {"help", "help"}} {
		code, out, _ := statusd(args...)
		if code != exitOK {
			t.Errorf("%v: exit %d", args, code)
		}
		for _, v := range verbs {
			if !strings.Contains(out, "\n  "+v.name+" ") || !strings.Contains(out, v.summary) {
				t.Errorf("%v does not list %s with its summary:\n%s", args, v.name, out)
			}
		}
		for _, c := range []int{exitOK, exitFindings, exitUsage} {
			if !strings.Contains(out, "\n  "+string(rune('0'+c))+"  ") {
				t.Errorf("%v does not document exit code %d:\n%s", args, c, out)
			}
		}
	}
}

// TestOneUsageStyle: every verb's -h (and `help VERB`) starts with
// "usage: statusd VERB", exits 0, and lists its flags the same way.
func TestOneUsageStyle(t *testing.T) {
	for _, v := range verbs {
		args := []string{v.name, "-h"}
		if v.name == "catalog" {
			args = []string{"catalog", "export", "-h"}
		}
		for _, a := range [][]string{args, {"help", v.name}} {
			code, out, errOut := statusd(a...)
			usage := out + errOut
			want := "usage: statusd " + strings.Join(args[:len(args)-1], " ")
			if v.name == "help" {
				want = "usage: statusd VERB"
			}
			if code != exitOK || !strings.HasPrefix(usage, want) || strings.Contains(usage, "Usage of") {
				t.Errorf("%v: exit %d, usage %q; want it to start with %q", a, code, usage, want)
			}
		}
	}
}

// TestErrorsPrintedOnce: a bad flag is reported once on every verb, with
// exit 2, and nothing on stdout.
func TestErrorsPrintedOnce(t *testing.T) {
	for _, args := range [][]string{
		{"-nope"}, {"serve", "-nope"}, {"lookup", "429", "-nope"}, {"validate", "-nope"},
		{"catalog", "export", "-nope"}, {"version", "-nope"}, {"completion", "-nope"},
	} {
		code, out, errOut := statusd(args...)
		if n := strings.Count(errOut, "flag provided but not defined: -nope"); code != exitUsage || n != 1 || out != "" {
			t.Errorf("%v: exit %d, error printed %d times, stdout %q:\n%s", args, code, n, out, errOut)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"nope"}, `statusd: unknown verb "nope"`},
		{[]string{"help", "nope"}, `statusd: help: unknown verb "nope"`},
		{[]string{"help", "lookup", "serve"}, `unexpected argument "serve"`},
		{[]string{"catalog"}, "missing verb export"},
		{[]string{"catalog", "import"}, `unknown verb "import"`},
		{[]string{"catalog", "export", "-format", "yaml"}, "-format must be text or json"},
		{[]string{"catalog", "export", "extra"}, `unexpected argument "extra"`},
		{[]string{"version", "extra"}, `unexpected argument "extra"`},
		{[]string{"completion"}, "give one shell"},
		{[]string{"completion", "fish"}, `unknown shell "fish"`},
		{[]string{"lookup"}, "give one HTTP status or code"},
		{[]string{"lookup", "404", "500"}, `unexpected argument "500"`},
		{[]string{"lookup", "600"}, "http_status: must be greater than or equal to 100"},
		{[]string{"lookup", "teapot"}, `"teapot" is neither an HTTP status nor a code`},
		{[]string{"lookup", "404", "-dialect", "soap"}, `-dialect: unknown dialect "soap"`},
		{[]string{"lookup", "404", "-profile", "foo"}, `profiles[0]: unknown profile "foo"`},
		{[]string{"lookup", "404", "-catalog", "/nonexistent/catalog.txtpb"}, "no such file"},
		{[]string{"lookup", "404", "-H", "no colon"}, `want "Name: value"`},
	} {
		code, out, errOut := statusd(tc.args...)
		if code != exitUsage || strings.Count(errOut, tc.want) != 1 || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and %q once", tc.args, code, out, errOut, tc.want)
		}
	}
}

// TestLookup checks the CLI's answers against the library's, for a
// status, a code in another dialect, and a status with method and profile.
func TestLookup(t *testing.T) {
	cat := mapping.DefaultCatalog()
	form, _, _ := cat.Profile("form")
	for _, tc := range []struct {
		args []string
		want func() (mapping.Translation, error)
	}{
		{[]string{"lookup", "429"}, func() (mapping.Translation, error) {
			return mapping.HTTPToCode(statusdv1.Dialect_DIALECT_LEVEL3, 429, mapping.Context{})
		}},
		{[]string{"lookup", "unavailable", "-dialect", "grpc"}, func() (mapping.Translation, error) {
			return mapping.CodeToHTTP(statusdv1.Dialect_DIALECT_GRPC, statusdv1.Code_CODE_UNAVAILABLE, mapping.Context{})
		}},
		{[]string{"lookup", "CODE_UNAVAILABLE", "-dialect", "DIALECT_GRPC"}, func() (mapping.Translation, error) {
			return mapping.CodeToHTTP(statusdv1.Dialect_DIALECT_GRPC, statusdv1.Code_CODE_UNAVAILABLE, mapping.Context{})
		}},
		{[]string{"lookup", "200", "-method", "POST", "-profile", "form"}, func() (mapping.Translation, error) {
			return mapping.HTTPToCode(statusdv1.Dialect_DIALECT_LEVEL3, 200, mapping.Context{Method: "POST", Profiles: []*statusdv1.Profile{form}})
		}},
		{[]string{"lookup", "-method", "POST", "ok", "-profile", "form"}, func() (mapping.Translation, error) {
			return mapping.CodeToHTTP(statusdv1.Dialect_DIALECT_LEVEL3, statusdv1.Code_CODE_OK, mapping.Context{Method: "POST", Profiles: []*statusdv1.Profile{form}})
		}},
	} {
		want, err := tc.want()
		if err != nil {
			t.Fatal(err)
		}
		code, out, errOut := statusd(tc.args...)
		if code != exitOK {
			t.Fatalf("%v: exit %d: %s", tc.args, code, errOut)
		}
		st, _ := cat.Status(want.HTTPStatus)
		name := mapping.ConnectName(want.Code)
		if name == "" {
			name = "ok"
		}
		for _, part := range []string{name, st.GetReason(), want.Rationale, "dialect:   " + dialectName(want.Dialect), st.GetMeaning()} {
			if !strings.Contains(out, part) {
				t.Errorf("%v: no %q in\n%s", tc.args, part, out)
			}
		}
		for _, c := range want.Citations {
			if !strings.Contains(out, c.GetUrl()) {
				t.Errorf("%v: citation %s missing from\n%s", tc.args, c.GetUrl(), out)
			}
		}

		code, out, _ = statusd(append(tc.args, "-json")...)
		res := &statusdv1.LookupResponse{}
		if err := protojson.Unmarshal([]byte(out), res); code != exitOK || err != nil {
			t.Fatalf("%v -json: exit %d, %v:\n%s", tc.args, code, err, out)
		}
		if int(res.GetHttpStatus()) != want.HTTPStatus || res.GetCode() != want.Code || res.GetRationale() != want.Rationale ||
			res.GetDialect() != want.Dialect || len(res.GetCitations()) != len(want.Citations) || res.GetStatus().GetReason() != st.GetReason() {
			t.Errorf("%v -json: %v; want %+v", tc.args, res, want)
		}
	}
}

// TestLookupCatalogOverlay: -catalog answers from the organisation's
// catalog, as serve would.
func TestLookupCatalogOverlay(t *testing.T) {
	file := filepath.Join(t.TempDir(), "acme.txtpb")
	writeFile(t, file, overlay412("acme's own words for 412"))
	code, out, errOut := statusd("lookup", "412", "-catalog", file)
	if code != exitOK || !strings.Contains(out, "meaning:   acme's own words for 412") {
		t.Errorf("exit %d: %s%s", code, out, errOut)
	}
}

func TestVersionText(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: "github.com/statusd/statusd", Version: "v1.2.3"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.time", Value: "2026-11-26T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	if got, want := versionText(bi), "statusd v1.2.3\nrevision: abc123 (modified)\ncommit time: 2026-11-26T10:00:00Z\ngo: go1.26.0\n"; got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	bi = &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}}
	if got := versionText(bi); !strings.HasPrefix(got, "statusd (devel)\nrevision: unknown") {
		t.Errorf("no VCS: %q", got)
	}
}

// TestVersionOfBinary runs `statusd version` and `-version` on a built
// binary: the revision is the checkout's HEAD when there is one.
func TestVersionOfBinary(t *testing.T) {
	bin := statusdBinary(t)
	// The go command stamps the revision only where .git is a directory:
	// not in a `git worktree`, whose .git is a file.
	head, gitErr := exec.Command("git", "rev-parse", "HEAD").Output()
	if fi, err := os.Stat("../../.git"); err != nil || !fi.IsDir() {
		gitErr = errors.New("not a git checkout with a .git directory")
	}
	for _, arg := range []string{"version", "-version"} {
		out, err := exec.Command(bin, arg).Output()
		if err != nil || !strings.HasPrefix(string(out), "statusd ") || !strings.Contains(string(out), "\ngo: go1.") {
			t.Fatalf("%s: %v\n%s", arg, err, out)
		}
		want := "revision: " + strings.TrimSpace(string(head))
		if gitErr != nil {
			want = "revision: unknown"
		}
		if !strings.Contains(string(out), want) {
			t.Errorf("%s: want %q:\n%s", arg, want, out)
		}
	}
}

// TestCompletion loads the bash script and asks it what a person typing
// would get; with zsh installed, the zsh script loads too.
func TestCompletion(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		skipOrFail(t, "bash not installed")
	}
	bin := statusdBinary(t)
	script := filepath.Join(t.TempDir(), "statusd.bash")
	out, err := exec.Command(bin, "completion", "bash").Output()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(script, out, 0o644); err != nil {
		t.Fatal(err)
	}
	var verbNames []string
	for _, v := range verbs {
		verbNames = append(verbNames, v.name)
	}
	for _, tc := range []struct {
		words []string
		want  string
	}{
		{[]string{"statusd", ""}, strings.Join(verbNames, " ") + " -h -version"},
		{[]string{"statusd", "lo"}, "lookup"},
		{[]string{"statusd", "lookup", "429", "-d"}, "-dialect"},
		{[]string{"statusd", "lookup", "unavailable", "-dialect", "grpc"}, "grpc grpc_gateway"},
		{[]string{"statusd", "serve", "-ad"}, "-addr"},
		{[]string{"statusd", "-ad"}, "-addr"},
		{[]string{"statusd", "validate", "-ha"}, "-har"},
		{[]string{"statusd", "catalog", ""}, "export"},
		{[]string{"statusd", "catalog", "export", "-f"}, "-format"},
		{[]string{"statusd", "completion", ""}, "bash zsh"},
		{[]string{"statusd", "help", "ver"}, "version"},
		{[]string{"statusd", "serve", "-catalog", filepath.Join(filepath.Dir(script), "statusd.b")}, script},
	} {
		quoted := make([]string, len(tc.words))
		for i, w := range tc.words {
			quoted[i] = "'" + w + "'"
		}
		prog := "source " + script + "; COMP_WORDS=(" + strings.Join(quoted, " ") + "); COMP_CWORD=" +
			string(rune('0'+len(tc.words)-1)) + `; _statusd; echo "${COMPREPLY[*]}"`
		got, err := exec.Command(bash, "--norc", "-c", prog).CombinedOutput()
		if err != nil || strings.TrimSpace(string(got)) != tc.want {
			t.Errorf("%v: %v %q, want %q", tc.words, err, got, tc.want)
		}
	}

	zsh, err := exec.LookPath("zsh")
	if err != nil {
		skipOrFail(t, "zsh not installed: the zsh script is not checked")
	}
	out, err = exec.Command(bin, "completion", "zsh").Output()
	if err != nil {
		t.Fatal(err)
	}
	zshScript := filepath.Join(t.TempDir(), "statusd.zsh")
	if err := os.WriteFile(zshScript, out, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := exec.Command(zsh, "-f", "-c", "autoload -U compinit && compinit -u -D; source "+zshScript+
		`; setopt ksharrays; COMP_WORDS=(statusd lookup 429 -d); COMP_CWORD=3; _statusd; echo "${COMPREPLY[*]}"`).CombinedOutput()
	// zsh's compgen leaves the filtering by prefix to zsh's completion
	// system, so the script offers every flag of lookup.
	lookupVerb, _ := findVerb("lookup")
	var want []string
	for _, f := range flagsOf(lookupVerb) {
		want = append(want, f.name)
	}
	if err != nil || strings.TrimSpace(string(got)) != strings.Join(want, " ") {
		t.Errorf("zsh: %v %q; want %q", err, got, want)
	}
}

// skipOrFail skips a test that needs an absent tool, except in CI
// (CI=true), where the tool must be there.
func skipOrFail(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(why + " (CI=true: .ci/run installs it)")
	}
	t.Skip(why)
}
