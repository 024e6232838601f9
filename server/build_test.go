package server

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestBuildID checks that the test binary (built without VCS stamping) is
// named by its Go build ID, which is quick to read, and that the ID is
// stable within the process.
func TestBuildID(t *testing.T) {
	id := BuildID()
	if !strings.HasPrefix(id, "go:") && !strings.HasPrefix(id, "vcs:") || len(id) < 20 {
		t.Errorf("BuildID() = %q", id)
	}
	if BuildID() != id {
		t.Error("BuildID changed")
	}
	g, err := goBuildID()
	if err != nil || strings.Count(g, "/") < 1 {
		t.Errorf("goBuildID: %q %v", g, err)
	}
	if exe, err := os.Executable(); err == nil {
		if out, err := exec.Command("go", "tool", "buildid", exe).Output(); err == nil && strings.TrimSpace(string(out)) != g {
			t.Errorf("goBuildID %q, go tool buildid %q", g, out)
		}
	}
	h, err := executableHash()
	if err != nil || len(h) != 32 {
		t.Errorf("executableHash: %q %v", h, err)
	}
}
