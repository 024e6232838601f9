package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
)

// JUnit XML, the format CI systems (GitLab, Jenkins, GitHub actions with a
// test reporter) read: one test case per exchange, failed when it has a
// finding at least as severe as failOn, with every finding in the text.
type (
	junitSuites struct {
		XMLName xml.Name     `xml:"testsuites"`
		Suites  []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name     string      `xml:"name,attr"`
		Tests    int         `xml:"tests,attr"`
		Failures int         `xml:"failures,attr"`
		Cases    []junitCase `xml:"testcase"`
	}
	junitCase struct {
		ClassName string        `xml:"classname,attr"`
		Name      string        `xml:"name,attr"`
		Failure   *junitFailure `xml:"failure,omitempty"`
		SystemOut string        `xml:"system-out,omitempty"`
	}
	junitFailure struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
)

// JUnit writes items as JUnit XML, one test suite per resource.
func JUnit(w io.Writer, items []Item, failOn statusdv1.Severity) error {
	order, byResource := groups(items)
	doc := junitSuites{}
	for _, r := range order {
		suite := junitSuite{Name: r}
		for _, it := range byResource[r] {
			name := fmt.Sprintf("%s %d", it.Exchange.GetMethod(), it.Exchange.GetStatus())
			if it.Entry >= 0 {
				name += fmt.Sprintf(" [entry %d]", it.Entry)
			}
			tc := junitCase{ClassName: r, Name: name}
			var text strings.Builder
			worst := statusdv1.Severity_SEVERITY_UNSPECIFIED
			for _, f := range it.Result.GetFindings() {
				label, _ := severityLabel(f.GetSeverity())
				fmt.Fprintf(&text, "%s %s: %s\n", label, f.GetRule(), f.GetMessage())
				if cs := f.GetCitations(); len(cs) > 0 {
					fmt.Fprintf(&text, "  see %s\n", cs[0].GetUrl())
				}
				if worst == statusdv1.Severity_SEVERITY_UNSPECIFIED || f.GetSeverity() < worst {
					worst = f.GetSeverity()
				}
			}
			if Fails(it, failOn) {
				label, _ := severityLabel(worst)
				c := Count([]Item{it})
				tc.Failure = &junitFailure{Type: label, Text: text.String(),
					Message: fmt.Sprintf("%s, %s, %s", plural(c.Errors, "error", "errors"), plural(c.Warnings, "warning", "warnings"), plural(c.Infos, "info", "infos"))}
				suite.Failures++
			} else {
				tc.SystemOut = text.String()
			}
			suite.Cases = append(suite.Cases, tc)
			suite.Tests++
		}
		doc.Suites = append(doc.Suites, suite)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
