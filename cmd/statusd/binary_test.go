package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// binDir holds the statusd binary built for this package run.
var binDir string

// TestMain gives the package one temporary directory for the statusd
// binary, so that the tests that run statusd as a process (README examples,
// version, completion, the nginx replicas, the container image) share one
// build, and removes it at the end.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "statusd-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var built struct {
	once sync.Once
	path string
	err  error
	out  []byte
}

// statusdBinary builds ./cmd/statusd the first time a test asks for it in
// this package run, and returns its path. It is built with the test's own
// settings, so that it reuses the build cache, and stamped with the VCS
// revision when built from a git checkout (the -buildvcs=false some
// environments set would hide it).
func statusdBinary(t testing.TB) string {
	t.Helper()
	built.once.Do(func() {
		path := filepath.Join(binDir, "statusd")
		cmd := exec.Command("go", "build", "-buildvcs=auto", "-o", path, ".")
		built.out, built.err = cmd.CombinedOutput()
		built.path = path
	})
	if built.err != nil {
		t.Fatalf("go build: %v\n%s", built.err, built.out)
	}
	return built.path
}
