package conformance

import (
	"os"
	"strings"
	"testing"
)

// ruleTable renders Rules as the README's rule table rows.
func ruleTable() string {
	var b strings.Builder
	b.WriteString("| rule | severity | source | what |\n|---|---|---|---|\n")
	for _, r := range Rules() {
		sev := strings.ToLower(strings.TrimPrefix(r.Severity.String(), "SEVERITY_"))
		if strings.HasSuffix(r.ID, "<header>") {
			sev = "error / warning"
		}
		b.WriteString("| `" + r.ID + "` | " + sev + " | " + r.Sources() + " | " + r.What + " |\n")
	}
	return b.String()
}

// TestREADMERuleTable keeps the README's rule table (between the
// rule-table markers) the same as Rules: every rule, its severity and its
// sources.
func TestREADMERuleTable(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- rule-table -->\n", "<!-- /rule-table -->"
	_, rest, ok := strings.Cut(string(data), begin)
	table, _, ok2 := strings.Cut(rest, end)
	if !ok || !ok2 {
		t.Fatalf("README.md has no %q ... %q section", begin, end)
	}
	if want := ruleTable(); table != want {
		t.Errorf("README.md's rule table is out of step with conformance.Rules; it should read:\n%s", want)
	}
}
