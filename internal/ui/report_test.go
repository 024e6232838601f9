package ui

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/internal/har"
	"github.com/statusd/statusd/internal/report"
	"github.com/statusd/statusd/mapping"
	"github.com/statusd/statusd/server"
)

// cliText is what `statusd validate -har` prints about a file, taken apart:
// the resource headings in order, the notes and the summary line.
type cliText struct {
	resources, notes []string
	summary          string
}

// cliReport runs the command's own pieces (internal/har, the service,
// internal/report) on a HAR file, so the page is compared with them.
func cliReport(t *testing.T, path string) cliText {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries, skipped, err := har.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	svc := server.New(mapping.DefaultCatalog())
	var items []report.Item
	for _, e := range entries {
		res, err := svc.Validate(context.Background(), &statusdv1.ValidateRequest{Exchange: e.Exchange})
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, report.Item{Exchange: e.Exchange, Result: res})
	}
	var notes []string
	for _, s := range skipped {
		notes = append(notes, fmt.Sprintf("entry %d (%s) skipped: %s", s.Index, s.URL, s.Reason))
	}
	var buf bytes.Buffer
	if err := report.Text(&buf, items, notes, false); err != nil {
		t.Fatal(err)
	}
	var out cliText
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	for _, l := range lines[:len(lines)-1] {
		switch {
		case strings.HasPrefix(l, "note: "):
			out.notes = append(out.notes, l)
		case !strings.HasPrefix(l, " "):
			out.resources = append(out.resources, l)
		}
	}
	out.summary = lines[len(lines)-1]
	return out
}
