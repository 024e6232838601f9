package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

// docExample is a shell command in README.md followed by the output the
// README shows for it.
type docExample struct {
	line     int
	command  string
	lang     string // "json" or "" (plain text)
	expected string
}

// readmeExamples pairs each ```sh block with the output block right after it.
func readmeExamples(t *testing.T, path string) []docExample {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	type block struct {
		line       int
		lang, body string
		end        int
	}
	var blocks []block
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		fence, ok := strings.CutPrefix(lines[i], "```")
		if !ok {
			continue
		}
		b := block{line: i + 1, lang: strings.TrimSpace(fence)}
		var body []string
		for i++; i < len(lines) && !strings.HasPrefix(lines[i], "```"); i++ {
			body = append(body, lines[i])
		}
		b.body, b.end = strings.Join(body, "\n"), i
		blocks = append(blocks, b)
	}
	var out []docExample
	for i := 0; i+1 < len(blocks); i++ {
		cmd, next := blocks[i], blocks[i+1]
		if cmd.lang != "sh" || next.line != cmd.end+2 || (next.lang != "json" && next.lang != "") {
			continue // a command block without an output block right after it
		}
		out = append(out, docExample{line: cmd.line, command: cmd.body, lang: next.lang, expected: next.body})
	}
	return out
}

// TestREADMEExamples runs every command of README.md that shows its output
// against a fresh statusd and compares the output with the README's: JSON
// by value (protojson's spacing and field order vary on purpose), text
// exactly. Only the address and `go run ./cmd/statusd` are replaced.
func TestREADMEExamples(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl not installed")
	}
	if raceEnabled {
		t.Skip("the README examples run once per CI run, in the run without -race")
	}
	bin := statusdBinary(t)
	d := startDaemon(t, "-access-log=false")
	examples := readmeExamples(t, "../../README.md")
	if len(examples) < 6 {
		t.Fatalf("found %d examples with output in README.md; the parser or the README is off", len(examples))
	}
	tools := os.Getenv("STATUSD_TOOL_TESTS") == "1"
	for _, ex := range examples {
		if strings.HasPrefix(ex.command, "go tool") && !tools {
			t.Logf("README.md:%d: skipped (grpcurl and buf curl run with STATUSD_TOOL_TESTS=1)", ex.line)
			continue
		}
		if missing := readmeMissingTool(ex.command); missing != "" {
			if os.Getenv("CI") == "true" {
				t.Errorf("README.md:%d: %s is needed under CI=true (.ci/run installs it)", ex.line, missing)
			} else {
				t.Logf("README.md:%d: skipped: %s not installed", ex.line, missing)
			}
			continue
		}
		command := strings.ReplaceAll(ex.command, "localhost:8080", d.addr)
		command = strings.ReplaceAll(command, "go run ./cmd/statusd", bin)
		cmd := exec.Command("sh", "-c", command)
		cmd.Dir = "../.."
		got, err := cmd.Output()
		var exit *exec.ExitError
		if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) { // statusd validate exits 1 on errors
			t.Errorf("README.md:%d: %s: %v", ex.line, ex.command, err)
			continue
		}
		if ex.lang == "json" {
			var want, have any
			if err := json.Unmarshal([]byte(ex.expected), &want); err != nil {
				t.Errorf("README.md:%d: the README's output is not JSON: %v", ex.line, err)
				continue
			}
			if err := json.Unmarshal(got, &have); err != nil {
				t.Errorf("README.md:%d: the output is not JSON: %v\n%s", ex.line, err, got)
				continue
			}
			if !reflect.DeepEqual(want, have) {
				t.Errorf("README.md:%d: %s\n--- README\n%s\n--- now\n%s", ex.line, ex.command, ex.expected, got)
			}
			continue
		}
		if strings.TrimRight(string(got), "\n") != strings.TrimRight(ex.expected, "\n") {
			t.Errorf("README.md:%d: %s\n--- README\n%s\n--- now\n%s", ex.line, ex.command, ex.expected, got)
		}
	}
}

// readmeMissingTool names the tool a README command needs beyond Go and
// curl (jq; Debian's python3 with grpcio for the Python SDK's examples) when
// it is not installed, so that go test passes with Go alone.
func readmeMissingTool(command string) string {
	if strings.Contains(command, "| jq") {
		if _, err := exec.LookPath("jq"); err != nil {
			return "jq"
		}
	}
	if strings.Contains(command, "/usr/bin/python3") {
		check := "import json"
		if strings.Contains(command, "import grpc") {
			check = "import grpc, google.protobuf"
		}
		if exec.Command("/usr/bin/python3", "-c", check).Run() != nil {
			return "/usr/bin/python3 (" + check + ")"
		}
	}
	return ""
}
