// Package report renders validation results for people (text, grouped by
// resource, optionally in colour) and for machines (JSON).
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
	// Exchange is what was checked.
	Exchange *statusdv1.Exchange
	// Result is the verdict.
	Result *statusdv1.ValidateResponse
}

// Counts sums up a report.
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

// Text writes items grouped by resource, in the order resources first
// appear, then notes (such as skipped entries) and a summary line.
func Text(w io.Writer, items []Item, notes []string, color bool) error {
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return code + s + reset
	}
	var order []string
	groups := map[string][]Item{}
	for _, it := range items {
		r := resource(it.Exchange)
		if _, seen := groups[r]; !seen {
			order = append(order, r)
		}
		groups[r] = append(groups[r], it)
	}
	var b strings.Builder
	for _, r := range order {
		b.WriteString(paint(bold, r) + "\n")
		for _, it := range groups[r] {
			verdict := paint(green, "conforms")
			if !it.Result.GetConforms() {
				verdict = paint(red, "does not conform")
			}
			fmt.Fprintf(&b, "  %s %d: %s", it.Exchange.GetMethod(), it.Exchange.GetStatus(), verdict)
			if ps := it.Result.GetProfiles(); len(ps) > 0 {
				fmt.Fprintf(&b, " (%s)", strings.Join(shortProfiles(ps), ", "))
			}
			b.WriteString("\n")
			for _, f := range it.Result.GetFindings() {
				label, code := "info", cyan
				switch f.GetSeverity() {
				case statusdv1.Severity_SEVERITY_ERROR:
					label, code = "error", red
				case statusdv1.Severity_SEVERITY_WARNING:
					label, code = "warning", yellow
				}
				fmt.Fprintf(&b, "    %s %s: %s\n", paint(code, fmt.Sprintf("%-7s", label)), f.GetRule(), f.GetMessage())
				if cs := f.GetCitations(); len(cs) > 0 {
					fmt.Fprintf(&b, "            see %s\n", cs[0].GetUrl())
				}
			}
		}
	}
	for _, n := range notes {
		b.WriteString("note: " + n + "\n")
	}
	c := Count(items)
	fmt.Fprintf(&b, "%d exchanges, %d conform; %d errors, %d warnings, %d infos\n",
		c.Exchanges, c.Conforming, c.Errors, c.Warnings, c.Infos)
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

// JSON writes {"conforms": bool, "counts": {...}, "results": [{"target",
// "method", "status", "result"}], "notes": [...]}, where result is the
// Validate RPC's response in protobuf JSON.
func JSON(w io.Writer, items []Item, notes []string) error {
	type result struct {
		Target string          `json:"target"`
		Method string          `json:"method"`
		Status int32           `json:"status"`
		Result json.RawMessage `json:"result"`
	}
	c := Count(items)
	doc := struct {
		Conforms bool     `json:"conforms"`
		Counts   Counts   `json:"counts"`
		Results  []result `json:"results"`
		Notes    []string `json:"notes,omitempty"`
	}{Conforms: c.Errors == 0, Counts: c, Results: []result{}, Notes: notes}
	for _, it := range items {
		raw, err := protojson.Marshal(it.Result)
		if err != nil {
			return err
		}
		doc.Results = append(doc.Results, result{Target: it.Exchange.GetTarget(), Method: it.Exchange.GetMethod(),
			Status: it.Exchange.GetStatus(), Result: raw})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
