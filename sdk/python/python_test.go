// Package python runs sdk/python's tests on the package as a user gets it:
// an sdist built from a copy of this folder, installed with pip into a
// temporary folder, imported from there (nothing from the source tree), by
// Debian's /usr/bin/python3 with python3-grpcio and python3-protobuf,
// against a statusd built from this repository.
package python

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

const python = "/usr/bin/python3"

// need skips when a tool is missing, but fails under CI=true, where .ci/run
// installs it.
func need(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s: %v (CI=true: .ci/run installs it)", what, err)
	}
	t.Skipf("%s not available (%v); on Debian: apt-get install python3-grpcio python3-protobuf python3-setuptools python3-pip", what, err)
}

func run(t *testing.T, dir string, env []string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	t.Logf("%s %v:\n%s", name, args, out)
}

func TestPackedSDKAgainstStatusd(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	need(t, "python3 with grpc, protobuf, setuptools and pip",
		exec.Command(python, "-c", "import grpc, google.protobuf, setuptools, pip").Run())
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "statusd")
	run(t, "../..", nil, "go", "build", "-o", bin, "./cmd/statusd")

	// Build the sdist from a copy, so the tree gets no egg-info.
	src := filepath.Join(tmp, "src")
	if err := os.CopyFS(src, os.DirFS(".")); err != nil {
		t.Fatal(err)
	}
	run(t, src, nil, python, "-c", `from setuptools import build_meta as b; b.build_sdist("dist")`)
	sdists, _ := filepath.Glob(filepath.Join(src, "dist", "*.tar.gz"))
	if len(sdists) != 1 {
		t.Fatalf("sdists: %v", sdists)
	}
	site := filepath.Join(tmp, "site")
	run(t, tmp, nil, python, "-m", "pip", "install", "--quiet", "--no-build-isolation", "--no-deps", "--no-index", "--target", site, sdists[0])

	// The tests run from a folder without the sources, importing the
	// installed copy (test_statusd.py checks where each module came from).
	tests := filepath.Join(tmp, "tests")
	if err := os.CopyFS(tests, os.DirFS("tests")); err != nil {
		t.Fatal(err)
	}
	run(t, tests, []string{"PYTHONPATH=" + site, "STATUSD_BIN=" + bin, "STATUSD_SDK_SITE=" + site, "PYTHONDONTWRITEBYTECODE=1"},
		python, "-m", "unittest", "-v", "test_statusd")
}
