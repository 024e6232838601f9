package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCatalogOverlayEdgeCases reproduces the overlay faults of issue 14
// against a running statusd: an empty (truncated) file, duplicates in one
// overlay and a FIFO at the path are each rejected, logged with the
// overlay's own index, and the last good catalog keeps serving; the FIFO
// does not block the loop that handles signals.
func TestCatalogOverlayEdgeCases(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "acme.txtpb")
	writeFile(t, file, overlay412("acme 1"))
	d := startDaemon(t, "-catalog", file, "-log-format", "json")
	reload := func(what string, failures int) {
		t.Helper()
		if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		waitFor(t, what, func() bool { return reloadCount(t, d.base, "error") >= failures })
		if got := meaning412(t, d.base); got != "acme 1" {
			t.Fatalf("after %s: serving %q, want the last good catalog", what, got)
		}
	}

	writeFile(t, file, "")
	reload("an empty file", 1)
	if !strings.Contains(d.logs.String(), "the overlay is empty") {
		t.Errorf("empty file not named in the log:\n%s", d.logs.String())
	}

	writeFile(t, file, overlay412("a")+"statuses { code: 412 reason: \"Precondition Failed\" status_class: STATUS_CLASS_CLIENT_ERROR meaning: \"b\" }\n")
	reload("duplicate statuses", 2)
	if !strings.Contains(d.logs.String(), "statuses[1] (code 412): duplicate status (also statuses[0])") {
		t.Errorf("duplicate not named by its overlay index:\n%s", d.logs.String())
	}

	writeFile(t, file, "statuses { code: 418 reason: \"x\" status_class: STATUS_CLASS_CLIENT_ERROR profiles: \"nope\" }\n")
	reload("an unknown profile", 3)
	if !strings.Contains(d.logs.String(), "overlay statuses[0] (code 418)") {
		t.Errorf("error not named by the overlay's index:\n%s", d.logs.String())
	}

	// A FIFO with no writer: opening it for reading would block for ever.
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(file, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	start := time.Now()
	reload("a FIFO", 4)
	if !strings.Contains(d.logs.String(), "not a regular file") {
		t.Errorf("FIFO not reported:\n%s", d.logs.String())
	}
	// The signal loop is free: another reload is handled.
	os.Remove(file)
	writeFile(t, file, overlay412("acme 2"))
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a reload after the FIFO", func() bool { return meaning412(t, d.base) == "acme 2" })
	t.Logf("FIFO rejected and next reload served in %v", time.Since(start).Round(time.Millisecond))
}
