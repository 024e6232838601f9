package main

import (
	"flag"
	"os"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary play the ceiling and the peer, as the
// bench binary does when benchmark starts it with -role.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "-role" {
		fs := flag.NewFlagSet("role", flag.ExitOnError)
		role := fs.String("role", "", "")
		addr := fs.String("addr", "", "")
		debugAddr := fs.String("debug-addr", "", "")
		_ = fs.Parse(os.Args[1:])
		if err := serveRole(*role, *addr, *debugAddr); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestBenchmarkSmoke runs the whole harness for a moment: it builds and
// starts statusd, the ceiling and the peer, loads each target and prints
// the tables without a failed call.
func TestBenchmarkSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three servers")
	}
	var out strings.Builder
	if err := benchmark(&out, 200*time.Millisecond, 4, 2000, "", ""); err != nil {
		t.Fatal(err)
	}
	table := out.String()
	for _, want := range []string{"| ceiling: net/http", "| statusd Connect JSON POST", "| statusd Connect JSON GET",
		"| statusd Connect binary", "| statusd gRPC (h2c)", "| statusd gRPC on -grpc-addr", "| peer: grpc-go server", "× ceiling", "× grpc-go",
		"| statusd | ", "| ceiling | ", "| peer | "} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	rows := 0
	for _, line := range strings.Split(table, "\n") {
		cells := strings.Split(line, " | ")
		if len(cells) != 7 || !(strings.HasPrefix(cells[0], "| statusd ") || strings.HasPrefix(cells[0], "| ceiling:") || strings.HasPrefix(cells[0], "| peer:")) {
			continue
		}
		rows++
		if cells[6] != "0 |" {
			t.Errorf("failed calls: %s", line)
		}
	}
	if rows != 7 {
		t.Errorf("%d target rows, want 7:\n%s", rows, table)
	}
}
