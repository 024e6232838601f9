package report

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
)

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func items() []Item {
	finding := func(sev statusdv1.Severity) *statusdv1.Finding {
		return &statusdv1.Finding{Rule: "r", Severity: sev, Message: "m", Citations: []*statusdv1.Citation{{Url: "https://x"}}}
	}
	return []Item{
		{&statusdv1.Exchange{Method: "GET", Status: 200, Target: "https://a/x?page=1"}, &statusdv1.ValidateResponse{Conforms: true,
			Findings: []*statusdv1.Finding{finding(statusdv1.Severity_SEVERITY_INFO)}, Profiles: []string{"https://level3.rest/patterns/list#list-resource"}}},
		{&statusdv1.Exchange{Method: "GET", Status: 202}, &statusdv1.ValidateResponse{
			Findings: []*statusdv1.Finding{finding(statusdv1.Severity_SEVERITY_ERROR), finding(statusdv1.Severity_SEVERITY_WARNING)}}},
		{&statusdv1.Exchange{Method: "PUT", Status: 204, Target: "https://a/x?page=2"}, &statusdv1.ValidateResponse{Conforms: true}},
	}
}

func TestText(t *testing.T) {
	var b strings.Builder
	if err := Text(&b, items(), []string{"n1"}, false); err != nil {
		t.Fatal(err)
	}
	want := "https://a/x\n  GET 200: conforms (list#list-resource)\n    info    r: m\n            see https://x\n  PUT 204: conforms\n" +
		"(no target)\n  GET 202: does not conform\n    error   r: m\n            see https://x\n    warning r: m\n            see https://x\n" +
		"note: n1\n3 exchanges, 2 conform; 1 errors, 1 warnings, 1 infos\n"
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
