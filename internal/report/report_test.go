package report

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"strings"
	"testing"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
)

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func items() []Item {
	finding := func(sev statusdv1.Severity) *statusdv1.Finding {
		return &statusdv1.Finding{Rule: "r", Severity: sev, Message: "m", Count: uint32(sev), Citations: []*statusdv1.Citation{{Url: "https://x"}}}
	}
	return []Item{
		{0, &statusdv1.Exchange{Method: "GET", Status: 200, Target: "https://a/x?page=1"}, &statusdv1.ValidateResponse{Conforms: true,
			Findings: []*statusdv1.Finding{finding(statusdv1.Severity_SEVERITY_INFO)}, Profiles: []string{"https://level3.rest/patterns/list#list-resource"}}},
		{-1, &statusdv1.Exchange{Method: "GET", Status: 202}, &statusdv1.ValidateResponse{FindingsOmitted: 2,
			Findings: []*statusdv1.Finding{finding(statusdv1.Severity_SEVERITY_ERROR), finding(statusdv1.Severity_SEVERITY_WARNING)}}},
		{2, &statusdv1.Exchange{Method: "PUT", Status: 204, Target: "https://a/x?page=2"}, &statusdv1.ValidateResponse{Conforms: true}},
	}
}

func TestText(t *testing.T) {
	var b strings.Builder
	if err := Text(&b, items(), []string{"n1"}, false); err != nil {
		t.Fatal(err)
	}
	want := "https://a/x\n  GET 200: conforms (list#list-resource) [entry 0]\n    info    r: m (3 times)\n            see https://x\n  PUT 204: conforms [entry 2]\n" +
		"(no target)\n  GET 202: does not conform\n    error   r: m\n            see https://x\n    warning r: m (2 times)\n            see https://x\n" +
		"    (2 less severe findings left out)\n" +
		"note: n1\n3 exchanges, 2 conform; 1 error, 1 warning, 1 info\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	if err := Text(failingWriter{}, items(), nil, true); err == nil {
		t.Error("write error lost")
	}
}

func TestJSON(t *testing.T) {
	var b strings.Builder
	if err := JSON(&b, items(), nil); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(b.String()), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["conforms"] != false || len(doc["results"].([]any)) != 3 || doc["notes"] != nil {
		t.Errorf("%s", b.String())
	}
	if err := JSON(failingWriter{}, items(), nil); err == nil {
		t.Error("write error lost")
	}
	b.Reset()
	_ = JSON(&b, nil, nil)
	if !strings.Contains(b.String(), `"results": []`) || !strings.Contains(b.String(), `"conforms": true`) {
		t.Errorf("empty report: %s", b.String())
	}
}

func TestSummaryGrammar(t *testing.T) {
	for c, want := range map[Counts]string{
		{Exchanges: 1, Conforming: 1, Infos: 1}:                         "1 exchange, 1 conforms; 0 errors, 0 warnings, 1 info",
		{Exchanges: 2, Conforming: 0, Errors: 2, Warnings: 1, Infos: 3}: "2 exchanges, 0 conform; 2 errors, 1 warning, 3 infos",
		{}: "0 exchanges, 0 conform; 0 errors, 0 warnings, 0 infos",
	} {
		if got := Summary(c); got != want {
			t.Errorf("Summary(%+v) = %q, want %q", c, got, want)
		}
	}
}

func TestJSONResults(t *testing.T) {
	var b strings.Builder
	if err := JSON(&b, items(), nil); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Results []struct {
			Entry    *int           `json:"entry"`
			Conforms *bool          `json:"conforms"`
			Result   map[string]any `json:"result"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(b.String()), &doc); err != nil {
		t.Fatal(err)
	}
	r := doc.Results
	if len(r) != 3 || r[0].Entry == nil || *r[0].Entry != 0 || r[1].Entry != nil || *r[2].Entry != 2 {
		t.Fatalf("entries: %s", b.String())
	}
	if *r[1].Conforms || r[1].Result["conforms"] != false || r[1].Result["findingsOmitted"] != float64(2) {
		t.Errorf("conforms must be explicit: %s", b.String())
	}
}

func TestJUnit(t *testing.T) {
	for failOn, failures := range map[statusdv1.Severity]int{statusdv1.Severity_SEVERITY_ERROR: 1, statusdv1.Severity_SEVERITY_INFO: 2} {
		var b strings.Builder
		if err := JUnit(&b, items(), failOn); err != nil {
			t.Fatal(err)
		}
		var doc junitSuites
		if err := xml.Unmarshal([]byte(b.String()), &doc); err != nil {
			t.Fatalf("%v\n%s", err, b.String())
		}
		n, tests := 0, 0
		for _, s := range doc.Suites {
			n += s.Failures
			tests += s.Tests
		}
		if n != failures || tests != 3 || len(doc.Suites) != 2 || doc.Suites[0].Cases[0].Name != "GET 200 [entry 0]" {
			t.Errorf("fail on %v: %d failures, %d tests\n%s", failOn, n, tests, b.String())
		}
		if !strings.Contains(b.String(), `<failure message="1 error, 1 warning, 0 infos" type="error">error r: m`) {
			t.Errorf("failure element:\n%s", b.String())
		}
	}
	if err := JUnit(failingWriter{}, items(), statusdv1.Severity_SEVERITY_ERROR); err == nil {
		t.Error("write error lost")
	}
}
