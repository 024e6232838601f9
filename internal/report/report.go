// Package report renders validation results for people (text, grouped by
// resource, optionally in colour), for machines (JSON) and for CI systems
// (JUnit XML).
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// Item is one checked exchange.
type Item struct {
	// Entry is the exchange's index in the HAR file's log.entries, or -1
	// when it did not come from a HAR file.
	Entry int
	// Exchange is what was checked.
	Exchange *statusdv1.Exchange
	// Result is the verdict.
	Result *statusdv1.ValidateResponse
}

// Counts sums up a report. Findings count once per rule and exchange.
type Counts struct {
	Exchanges  int `json:"exchanges"`
	Conforming int `json:"conforming"`
	Errors     int `json:"errors"`
	Warnings   int `json:"warnings"`
	Infos      int `json:"infos"`
}

// Count tallies items.
func Count(items []Item) Counts {
	var c Counts
	for _, it := range items {
		c.Exchanges++
		if it.Result.GetConforms() {
			c.Conforming++
		}
		for _, f := range it.Result.GetFindings() {
			switch f.GetSeverity() {
			case statusdv1.Severity_SEVERITY_ERROR:
				c.Errors++
			case statusdv1.Severity_SEVERITY_WARNING:
				c.Warnings++
			default:
				c.Infos++
			}
		}
	}
	return c
}

// Fails reports whether an item has a finding at least as severe as
// failOn (SEVERITY_ERROR: only errors fail; SEVERITY_INFO: any finding).
func Fails(it Item, failOn statusdv1.Severity) bool {
	for _, f := range it.Result.GetFindings() {
		if f.GetSeverity() <= failOn {
			return true
		}
	}
	return false
}

// plural writes "1 exchange" or "2 exchanges".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Summary is the last line of the text report, such as
// "5 exchanges, 3 conform; 3 errors, 0 warnings, 1 info".
func Summary(c Counts) string {
	verb := "conform"
	if c.Conforming == 1 {
		verb = "conforms"
	}
	return fmt.Sprintf("%s, %d %s; %s, %s, %s", plural(c.Exchanges, "exchange", "exchanges"), c.Conforming, verb,
		plural(c.Errors, "error", "errors"), plural(c.Warnings, "warning", "warnings"), plural(c.Infos, "info", "infos"))
}

// resource names the resource of an exchange: its target without query or
// fragment, or "(no target)".
func resource(ex *statusdv1.Exchange) string {
	t := ex.GetTarget()
	if t == "" {
		return "(no target)"
	}
	if u, err := url.Parse(t); err == nil {
		u.RawQuery, u.Fragment = "", ""
		return u.String()
	}
	return t
}

// ANSI colours, used only when asked for.
const (
	red    = "\x1b[31m"
	yellow = "\x1b[33m"
	cyan   = "\x1b[36m"
	green  = "\x1b[32m"
	bold   = "\x1b[1m"
	reset  = "\x1b[0m"
)

func severityLabel(s statusdv1.Severity) (label, colour string) {
	switch s {
	case statusdv1.Severity_SEVERITY_ERROR:
		return "error", red
	case statusdv1.Severity_SEVERITY_WARNING:
		return "warning", yellow
	}
	return "info", cyan
}

// groups orders items by resource, in the order resources first appear.
func groups(items []Item) ([]string, map[string][]Item) {
	var order []string
	byResource := map[string][]Item{}
	for _, it := range items {
		r := resource(it.Exchange)
		if _, seen := byResource[r]; !seen {
			order = append(order, r)
		}
		byResource[r] = append(byResource[r], it)
	}
	return order, byResource
}

// Text writes items grouped by resource, then notes (such as skipped
// entries) and a summary line.
func Text(w io.Writer, items []Item, notes []string, color bool) error {
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return code + s + reset
	}
	order, byResource := groups(items)
	var b strings.Builder
	for _, r := range order {
		b.WriteString(paint(bold, r) + "\n")
		for _, it := range byResource[r] {
			verdict := paint(green, "conforms")
			if !it.Result.GetConforms() {
				verdict = paint(red, "does not conform")
			}
			fmt.Fprintf(&b, "  %s %d: %s", it.Exchange.GetMethod(), it.Exchange.GetStatus(), verdict)
			if ps := it.Result.GetProfiles(); len(ps) > 0 {
				fmt.Fprintf(&b, " (%s)", strings.Join(shortProfiles(ps), ", "))
			}
			if it.Entry >= 0 {
				fmt.Fprintf(&b, " [entry %d]", it.Entry)
			}
			b.WriteString("\n")
			for _, f := range it.Result.GetFindings() {
				label, code := severityLabel(f.GetSeverity())
				fmt.Fprintf(&b, "    %s %s: %s", paint(code, fmt.Sprintf("%-7s", label)), f.GetRule(), f.GetMessage())
				if n := f.GetCount(); n > 1 {
					fmt.Fprintf(&b, " (%d times)", n)
				}
				b.WriteString("\n")
				if cs := f.GetCitations(); len(cs) > 0 {
					fmt.Fprintf(&b, "            see %s\n", cs[0].GetUrl())
				}
			}
			if n := it.Result.GetFindingsOmitted(); n > 0 {
				fmt.Fprintf(&b, "    (%s left out)\n", plural(int(n), "less severe finding", "less severe findings"))
			}
		}
	}
	for _, n := range notes {
		b.WriteString("note: " + n + "\n")
	}
	b.WriteString(Summary(Count(items)) + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// shortProfiles turns level3.rest URIs into short names for the text report.
func shortProfiles(uris []string) []string {
	out := make([]string, len(uris))
	for i, u := range uris {
		s := strings.TrimPrefix(u, "https://level3.rest/")
		s = strings.TrimPrefix(s, "profiles/mixins/")
		s = strings.TrimPrefix(s, "profiles/")
		out[i] = strings.TrimPrefix(s, "patterns/")
	}
	return out
}

// JSON writes {"conforms": bool, "counts": {...}, "results": [{"entry",
// "target", "method", "status", "conforms", "result"}], "notes": [...]},
// where result is the Validate RPC's response in protobuf JSON with every
// field present (conforms: false included), and entry is the HAR entry
// index (absent for an exchange that did not come from a HAR file).
func JSON(w io.Writer, items []Item, notes []string) error {
	type result struct {
		Entry    *int            `json:"entry,omitempty"`
		Target   string          `json:"target"`
		Method   string          `json:"method"`
		Status   int32           `json:"status"`
		Conforms bool            `json:"conforms"`
		Result   json.RawMessage `json:"result"`
	}
	c := Count(items)
	doc := struct {
		Conforms bool     `json:"conforms"`
		Counts   Counts   `json:"counts"`
		Results  []result `json:"results"`
		Notes    []string `json:"notes,omitempty"`
	}{Conforms: c.Errors == 0, Counts: c, Results: []result{}, Notes: notes}
	for _, it := range items {
		raw, err := protojson.MarshalOptions{EmitDefaultValues: true}.Marshal(it.Result)
		if err != nil {
			return err
		}
		r := result{Target: it.Exchange.GetTarget(), Method: it.Exchange.GetMethod(),
			Status: it.Exchange.GetStatus(), Conforms: it.Result.GetConforms(), Result: raw}
		if it.Entry >= 0 {
			r.Entry = &it.Entry
		}
		doc.Results = append(doc.Results, r)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
