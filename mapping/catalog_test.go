package mapping

import (
	"bufio"
	"errors"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// seedRow is one row of the Level 3 status table (testdata/
// level3-status-codes.txt, a verbatim copy of the site's table).
type seedRow struct {
	code     int
	reason   string
	meaning  string
	profiles string
	source   string
}

func readSeed(t *testing.T) []seedRow {
	t.Helper()
	f, err := os.Open("testdata/level3-status-codes.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []seedRow
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cells := strings.Split(sc.Text(), "|")
		if len(cells) < 5 {
			continue
		}
		first := strings.TrimSpace(cells[1])
		codeText, reason, _ := strings.Cut(first, " ")
		code, err := strconv.Atoi(codeText)
		if err != nil {
			continue // header or separator row
		}
		rows = append(rows, seedRow{
			code:     code,
			reason:   reason,
			meaning:  strings.TrimSpace(cells[2]),
			profiles: strings.TrimSpace(cells[3]),
			source:   strings.TrimSpace(cells[4]),
		})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// squeeze drops all white space: the seed lost the spaces around its code
// spans ("aPOSToperation"), which the catalog restores.
func squeeze(s string) string {
	return strings.Join(strings.Fields(s), "")
}

func formatCitation(c *statusdv1.Citation) string {
	if c.GetSection() == "" {
		return c.GetDocument()
	}
	return c.GetDocument() + ", section " + c.GetSection()
}

func TestCatalogReproducesSeedTable(t *testing.T) {
	cat := DefaultCatalog()
	rows := readSeed(t)
	if len(rows) != 21 {
		t.Fatalf("seed table has %d rows, want 21", len(rows))
	}
	level3 := 0
	for _, s := range cat.Statuses() {
		if s.GetLevel3() {
			level3++
		}
	}
	if level3 != len(rows) {
		t.Errorf("catalog marks %d statuses level3, the seed table has %d", level3, len(rows))
	}
	for _, row := range rows {
		s, ok := cat.Status(row.code)
		if !ok {
			t.Errorf("%d: missing from catalog", row.code)
			continue
		}
		if !s.GetLevel3() {
			t.Errorf("%d: not marked level3", row.code)
		}
		if !slices.Contains(append([]string{s.GetReason()}, s.GetFormerReasons()...), row.reason) {
			t.Errorf("%d: seed reason %q is neither the reason %q nor a former one %q", row.code, row.reason, s.GetReason(), s.GetFormerReasons())
		}
		if squeeze(s.GetMeaning()) != squeeze(row.meaning) {
			t.Errorf("%d: meaning\n got %q\nwant %q", row.code, s.GetMeaning(), row.meaning)
		}
		errata := map[string]*statusdv1.Erratum{}
		for _, e := range s.GetErrata() {
			errata[e.GetField()] = e
		}

		// Profiles: the catalog's list, or what an erratum says the seed had.
		got := formatProfiles(t, cat, s)
		if e := errata["profiles"]; e != nil {
			if e.GetCorrectedValue() != got {
				t.Errorf("%d: erratum corrects profiles to %q, catalog has %q", row.code, e.GetCorrectedValue(), got)
			}
			got = e.GetSourceValue()
		}
		if got != row.profiles {
			t.Errorf("%d: profiles %q, seed %q", row.code, got, row.profiles)
		}

		// Source: one of the citations, or what an erratum says the seed had.
		var cites []string
		for _, c := range s.GetCitations() {
			cites = append(cites, formatCitation(c))
		}
		if e := errata["citations"]; e != nil {
			if !slices.Contains(cites, e.GetCorrectedValue()) {
				t.Errorf("%d: erratum corrects the source to %q, citations are %q", row.code, e.GetCorrectedValue(), cites)
			}
			if slices.Contains(cites, e.GetSourceValue()) {
				t.Errorf("%d: the wrong source %q is still cited", row.code, e.GetSourceValue())
			}
			cites = append(cites, e.GetSourceValue())
		}
		if !slices.Contains(cites, row.source) {
			t.Errorf("%d: seed source %q not among citations %q", row.code, row.source, cites)
		}
		if len(s.GetCitations()) == 0 || !strings.HasPrefix(s.GetCitations()[0].GetDocument(), "RFC ") || s.GetCitations()[0].GetLegacy() {
			t.Errorf("%d: first citation %v is not a current RFC", row.code, s.GetCitations())
		}
	}
}

func formatProfiles(t *testing.T, cat *Catalog, s *statusdv1.HttpStatus) string {
	if s.GetAllProfiles() {
		return "All profiles"
	}
	var names []string
	for _, id := range s.GetProfiles() {
		p, _, ok := cat.Profile(id)
		if !ok {
			t.Fatalf("%d: unknown profile %q", s.GetCode(), id)
		}
		names = append(names, p.GetName())
	}
	return strings.Join(names, ", ")
}

// TestCatalogErrata pins the known seed errata as data, so they cannot be
// dropped silently.
func TestCatalogErrata(t *testing.T) {
	cat := DefaultCatalog()
	for _, tc := range []struct {
		code  int
		field string
		from  string
		to    string
	}{
		{404, "citations", "RFC 7231, section 6.5.8", "RFC 7231, section 6.5.4"},
		{204, "profiles", "Form, Home, Nexus, Representation", "Form, Nexus, Representation"},
		{409, "profiles", "Entity", "Content, Data, Form"},
	} {
		s, _ := cat.Status(tc.code)
		i := slices.IndexFunc(s.GetErrata(), func(e *statusdv1.Erratum) bool { return e.GetField() == tc.field })
		if i < 0 {
			t.Errorf("%d: no erratum for %s", tc.code, tc.field)
			continue
		}
		e := s.GetErrata()[i]
		if e.GetSourceValue() != tc.from || e.GetCorrectedValue() != tc.to || e.GetReason() == "" {
			t.Errorf("%d: erratum %v, want %q → %q with a reason", tc.code, e, tc.from, tc.to)
		}
	}
}

func TestCatalogKnowsEveryGoStatus(t *testing.T) {
	cat := DefaultCatalog()
	// RFC 9110 renamed these; Go's net/http keeps the older phrase, which
	// the catalog records as a former reason.
	renamed := map[int]string{
		413: "Content Too Large",
		414: "URI Too Long",
		416: "Range Not Satisfiable",
		418: "(Unused)",
		422: "Unprocessable Content",
	}
	for code := MinStatus; code <= MaxStatus; code++ {
		goText := http.StatusText(code)
		if goText == "" {
			continue
		}
		s, ok := cat.Status(code)
		if !ok {
			t.Errorf("%d %q: missing from catalog", code, goText)
			continue
		}
		if want, ok := renamed[code]; ok {
			if s.GetReason() != want || !slices.Contains(s.GetFormerReasons(), goText) {
				t.Errorf("%d: reason %q former %q, want %q with former %q", code, s.GetReason(), s.GetFormerReasons(), want, goText)
			}
			continue
		}
		if s.GetReason() != goText {
			t.Errorf("%d: reason %q, Go says %q", code, s.GetReason(), goText)
		}
	}
	if n := len(cat.Statuses()); n < 60 {
		t.Errorf("catalog has %d statuses, want at least 60", n)
	}
}

func TestCatalogStatusEntries(t *testing.T) {
	cat := DefaultCatalog()
	prev := 0
	for _, s := range cat.Statuses() {
		if int(s.GetCode()) <= prev {
			t.Errorf("Statuses not ascending at %d", s.GetCode())
		}
		prev = int(s.GetCode())
		if s.GetMeaning() == "" || len(s.GetCitations()) == 0 {
			t.Errorf("%d: needs a meaning and a citation", s.GetCode())
		}
		for _, c := range s.GetCitations() {
			if !strings.HasPrefix(c.GetUrl(), "https://") {
				t.Errorf("%d: citation %v has no https URL", s.GetCode(), c)
			}
		}
	}
	s, ok := cat.Status(412)
	if !ok {
		t.Fatal("412 missing")
	}
	var cites []string
	for _, c := range s.GetCitations() {
		cites = append(cites, formatCitation(c))
	}
	if want := []string{"RFC 9110, section 15.5.13", "RFC 7232, section 4.2"}; !slices.Equal(cites, want) {
		t.Errorf("412 citations %q, want %q", cites, want)
	}
	if !slices.Equal(s.GetProfiles(), []string{"entity"}) {
		t.Errorf("412 profiles %q, want entity", s.GetProfiles())
	}
	for _, code := range []int{-1, 0, 99, 104, 419, 600, 1000} {
		if _, ok := cat.Status(code); ok {
			t.Errorf("Status(%d) found an entry", code)
		}
	}
}

func TestCatalogProfiles(t *testing.T) {
	cat := DefaultCatalog()
	var standalone, mixins, roles []string
	for _, p := range cat.Profiles() {
		switch p.GetKind() {
		case statusdv1.ProfileKind_PROFILE_KIND_RESOURCE, statusdv1.ProfileKind_PROFILE_KIND_CONTROL:
			standalone = append(standalone, p.GetId())
		case statusdv1.ProfileKind_PROFILE_KIND_MIXIN:
			mixins = append(mixins, p.GetId())
		case statusdv1.ProfileKind_PROFILE_KIND_PATTERN_ROLE:
			roles = append(roles, p.GetId())
		}
	}
	if want := []string{"home", "nexus", "info", "data", "content", "alias", "action", "form", "lookup", "upload"}; !slices.Equal(standalone, want) {
		t.Errorf("profiles %q, want %q", standalone, want)
	}
	if want := []string{"entity", "preflight", "representation", "async"}; !slices.Equal(mixins, want) {
		t.Errorf("mixins %q, want %q", mixins, want)
	}
	if len(roles) != 30 {
		t.Errorf("%d pattern roles, want 30", len(roles))
	}
	for _, p := range cat.Profiles() {
		if p.GetKind() == statusdv1.ProfileKind_PROFILE_KIND_MIXIN != strings.Contains(p.GetUri(), "/profiles/mixins/") {
			t.Errorf("%s: uri %s does not match kind %s", p.GetId(), p.GetUri(), p.GetKind())
		}
		if len(p.GetCitations()) == 0 || p.GetSummary() == "" || p.GetName() == "" {
			t.Errorf("%s: needs a name, a summary and a citation", p.GetId())
		}
	}
}

func TestCatalogProfileIdentifiers(t *testing.T) {
	cat := DefaultCatalog()
	for _, tc := range []struct {
		in     string
		id     string
		legacy bool
	}{
		{"form", "form", false},
		{"https://level3.rest/profiles/form", "form", false},
		{"<https://level3.rest/profiles/form>", "form", false},
		{" https://level3.rest/profiles/form/ ", "form", false},
		{"http://level3.rest/profiles/form", "form", true},
		{"entity", "entity", false},
		{"https://level3.rest/profiles/mixins/entity", "entity", false},
		{"http://level3.rest/profiles/mixins/preflight", "preflight", true},
		{"https://level3.rest/profiles/root", "home", true},
		{"http://level3.rest/profiles/root", "home", true},
		{"list#list-resource", "list#list-resource", false},
		{"https://level3.rest/patterns/list#list-resource", "list#list-resource", false},
		{"http://level3.rest/patterns/list/pageable#pagination-resource", "page/offset#pagination-resource", true},
	} {
		p, legacy, ok := cat.Profile(tc.in)
		if !ok || p.GetId() != tc.id || legacy != tc.legacy {
			t.Errorf("Profile(%q) = %q legacy=%v ok=%v, want %q legacy=%v", tc.in, p.GetId(), legacy, ok, tc.id, tc.legacy)
		}
	}
	for _, in := range []string{"", "foo", "Form", "https://level3.rest/profiles/entity", "https://example.com/profiles/form", "<>"} {
		if p, _, ok := cat.Profile(in); ok {
			t.Errorf("Profile(%q) = %q, want not found", in, p.GetId())
		}
	}
}

// validCatalog is a small catalog that passes validation; each bad-catalog
// case breaks one thing in a copy of it.
func validCatalog() *statusdv1.Catalog {
	return &statusdv1.Catalog{
		Statuses: []*statusdv1.HttpStatus{
			{Code: 200, Reason: "OK", StatusClass: statusdv1.StatusClass_STATUS_CLASS_SUCCESSFUL, Profiles: []string{"form"}},
			{Code: 412, Reason: "Precondition Failed", StatusClass: statusdv1.StatusClass_STATUS_CLASS_CLIENT_ERROR, Profiles: []string{"entity"}},
		},
		Profiles: []*statusdv1.Profile{
			{Id: "form", Uri: "https://level3.rest/profiles/form", Kind: statusdv1.ProfileKind_PROFILE_KIND_CONTROL, Mixins: []string{"entity"},
				Outcomes: []*statusdv1.MethodOutcome{{Method: "POST", Statuses: []int32{201}}}},
			{Id: "entity", Uri: "https://level3.rest/profiles/mixins/entity", Kind: statusdv1.ProfileKind_PROFILE_KIND_MIXIN},
		},
	}
}

func TestNewCatalogRejectsBadEntries(t *testing.T) {
	if _, err := NewCatalog(validCatalog()); err != nil {
		t.Fatalf("valid catalog rejected: %v", err)
	}
	for _, tc := range []struct {
		name   string
		break_ func(c *statusdv1.Catalog)
		entry  string
		want   string
	}{
		{"duplicate status", func(c *statusdv1.Catalog) { c.Statuses[1].Code = 200; c.Statuses[1].StatusClass = 2 }, "statuses[1] (code 200)", "duplicate status"},
		{"status below range", func(c *statusdv1.Catalog) { c.Statuses[0].Code = 99 }, "statuses[0] (code 99)", "outside 100-599"},
		{"status above range", func(c *statusdv1.Catalog) { c.Statuses[1].Code = 600 }, "statuses[1] (code 600)", "outside 100-599"},
		{"missing reason", func(c *statusdv1.Catalog) { c.Statuses[0].Reason = "" }, "statuses[0] (code 200)", "missing reason"},
		{"wrong class", func(c *statusdv1.Catalog) {
			c.Statuses[1].StatusClass = statusdv1.StatusClass_STATUS_CLASS_SERVER_ERROR
		}, "statuses[1] (code 412)", "status_class"},
		{"unknown profile referenced", func(c *statusdv1.Catalog) { c.Statuses[1].Profiles = []string{"entiti"} }, "statuses[1] (code 412)", `unknown profile "entiti"`},
		{"missing uri", func(c *statusdv1.Catalog) { c.Profiles[0].Uri = "" }, `profiles[0] (id "form")`, "missing uri"},
		{"missing id", func(c *statusdv1.Catalog) { c.Profiles[1].Id = "" }, `profiles[1] (id "")`, "missing id"},
		{"missing kind", func(c *statusdv1.Catalog) { c.Profiles[1].Kind = 0 }, `profiles[1] (id "entity")`, "missing kind"},
		{"duplicate uri", func(c *statusdv1.Catalog) { c.Profiles[1].Uri = c.Profiles[0].Uri }, `profiles[1] (id "entity")`, `already used by profile "form"`},
		{"empty legacy uri", func(c *statusdv1.Catalog) { c.Profiles[1].LegacyUris = []string{"x", " "} }, `profiles[1] (id "entity")`, "legacy_uris[1] is empty"},
		{"legacy uri clash", func(c *statusdv1.Catalog) { c.Profiles[1].LegacyUris = []string{"form"} }, `profiles[1] (id "entity")`, `"form" is already used`},
		{"mixin not a mixin", func(c *statusdv1.Catalog) { c.Profiles[0].Mixins = []string{"form"} }, `profiles[0] (id "form")`, `"form" is not a mixin`},
		{"presents unknown", func(c *statusdv1.Catalog) { c.Profiles[0].Presents = []string{"nope"} }, `profiles[0] (id "form")`, `unknown profile "nope"`},
		{"outcome status", func(c *statusdv1.Catalog) { c.Profiles[0].Outcomes[0].Statuses = []int32{2010} }, `profiles[0] (id "form")`, "status 2010"},
		{"outcome method", func(c *statusdv1.Catalog) { c.Profiles[0].Outcomes[0].Method = "post" }, `profiles[0] (id "form")`, "upper case"},
		{"error status", func(c *statusdv1.Catalog) {
			c.Profiles[0].Errors = []*statusdv1.ErrorStatus{{Status: 201}}
		}, `profiles[0] (id "form")`, "status 201 is outside 400-599"},
		{"header name", func(c *statusdv1.Catalog) {
			c.Profiles[0].ResponseHeaders = []*statusdv1.HeaderRule{{Name: "Location"}}
		}, `profiles[0] (id "form")`, "lower case"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := validCatalog()
			tc.break_(msg)
			_, err := NewCatalog(msg)
			var ce *CatalogError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a *CatalogError", err)
			}
			if ce.Entry != tc.entry || !strings.Contains(ce.Problem, tc.want) {
				t.Errorf("err = %v, want entry %s and %q", err, tc.entry, tc.want)
			}
		})
	}
}

func TestNewCatalogCopiesItsInput(t *testing.T) {
	msg := validCatalog()
	cat, err := NewCatalog(msg)
	if err != nil {
		t.Fatal(err)
	}
	msg.Statuses[0].Reason = "changed"
	if s, _ := cat.Status(200); s.GetReason() != "OK" {
		t.Errorf("catalog changed with its input: %q", s.GetReason())
	}
}

func TestLoadCatalogFormats(t *testing.T) {
	jsonData, err := protojson.Marshal(DefaultCatalog().Proto())
	if err != nil {
		t.Fatal(err)
	}
	fromJSON, err := LoadCatalog(strings.NewReader("\n  " + string(jsonData)))
	if err != nil {
		t.Fatalf("JSON catalog: %v", err)
	}
	if !proto.Equal(fromJSON.Proto(), DefaultCatalog().Proto()) {
		t.Error("JSON round trip changed the catalog")
	}
	fromText, err := LoadCatalog(strings.NewReader(string(defaultCatalogText)))
	if err != nil || !proto.Equal(fromText.Proto(), DefaultCatalog().Proto()) {
		t.Errorf("text catalog: %v", err)
	}

	for _, tc := range []struct {
		name string
		in   string
		want string
	}{
		{"bad text", "statuses { code: 200 ", "catalog: parse"},
		{"bad json", `{"statuses": [{"code": "x"}]}`, "catalog: parse"},
		{"unknown field", "colour: 1", "catalog: parse"},
		{"invalid entry", "statuses { code: 700 reason: \"x\" }", "statuses[0] (code 700)"},
	} {
		if _, err := LoadCatalog(strings.NewReader(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
	if _, err := LoadCatalog(iotest.ErrReader(errors.New("disk on fire"))); err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("read error: err = %v", err)
	}
	big := strings.NewReader(strings.Repeat(" ", maxCatalogBytes+1))
	if _, err := LoadCatalog(big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("oversized catalog: err = %v", err)
	}
}

func TestCatalogOverlayAndHash(t *testing.T) {
	base := DefaultCatalog()
	if len(base.Hash()) != 64 {
		t.Fatalf("hash %q", base.Hash())
	}
	again, err := ParseCatalog(defaultCatalogText)
	if err != nil || again.Hash() != base.Hash() {
		t.Fatalf("the same catalog hashed differently: %v", err)
	}
	overlay, err := ParseCatalogMessage([]byte(`
edition: "acme-1"
statuses { code: 422 reason: "Unprocessable Content" status_class: STATUS_CLASS_CLIENT_ERROR meaning: "ACME: the order is invalid." profiles: "acme-orders" }
statuses { code: 499 reason: "Client Closed Request" status_class: STATUS_CLASS_CLIENT_ERROR meaning: "nginx: the client went away." }
profiles { id: "acme-orders" uri: "https://acme.example/profiles/orders" name: "Orders" kind: PROFILE_KIND_RESOURCE mixins: "entity" }
profiles { id: "form" uri: "https://level3.rest/profiles/form" name: "Form (ACME)" kind: PROFILE_KIND_CONTROL }
`))
	if err != nil {
		t.Fatal(err)
	}
	merged, err := base.Overlay(overlay)
	if err != nil {
		t.Fatal(err)
	}
	if merged.Proto().GetEdition() != "acme-1" || merged.Hash() == base.Hash() {
		t.Errorf("edition %q, hash unchanged: %v", merged.Proto().GetEdition(), merged.Hash() == base.Hash())
	}
	if s, _ := merged.Status(422); s.GetMeaning() != "ACME: the order is invalid." {
		t.Errorf("422 not replaced: %q", s.GetMeaning())
	}
	if s, ok := merged.Status(499); !ok || s.GetReason() != "Client Closed Request" {
		t.Error("499 not added")
	}
	if p, _, _ := merged.Profile("form"); p.GetName() != "Form (ACME)" {
		t.Errorf("form not replaced: %q", p.GetName())
	}
	if _, _, ok := merged.Profile("https://acme.example/profiles/orders"); !ok {
		t.Error("acme-orders not added")
	}
	if len(merged.Statuses()) != len(base.Statuses())+1 || len(merged.Profiles()) != len(base.Profiles())+1 {
		t.Errorf("%d statuses, %d profiles", len(merged.Statuses()), len(merged.Profiles()))
	}
	// The base is untouched.
	if s, _ := base.Status(422); s.GetMeaning() == "ACME: the order is invalid." {
		t.Error("Overlay changed its base")
	}
	// A bad overlay is rejected naming the entry.
	bad, _ := ParseCatalogMessage([]byte(`statuses { code: 418 reason: "x" status_class: STATUS_CLASS_CLIENT_ERROR profiles: "nope" }`))
	if _, err := base.Overlay(bad); err == nil || !strings.Contains(err.Error(), `unknown profile "nope"`) {
		t.Errorf("bad overlay: %v", err)
	}
	if _, err := ReadCatalogMessage(iotest.ErrReader(errors.New("gone"))); err == nil {
		t.Error("read error lost")
	}
}

// TestOverlayStrict checks what an overlay may not do: be empty (a file
// truncated by a writer), give a code or id twice, and name entries by
// anything but their place in the overlay.
func TestOverlayStrict(t *testing.T) {
	base := DefaultCatalog()
	for _, tc := range []struct{ name, overlay, want string }{
		{"empty", ``, "the overlay is empty"},
		{"only comments", "# nothing yet\n", "the overlay is empty"},
		{"duplicate status", `
statuses { code: 499 reason: "A" status_class: STATUS_CLASS_CLIENT_ERROR }
statuses { code: 499 reason: "B" status_class: STATUS_CLASS_CLIENT_ERROR }`, "statuses[1] (code 499): duplicate status (also statuses[0])"},
		{"duplicate profile", `
profiles { id: "x" uri: "https://x.example/a" kind: PROFILE_KIND_RESOURCE }
profiles { id: "x" uri: "https://x.example/b" kind: PROFILE_KIND_RESOURCE }`, `profiles[1] (id "x"): duplicate profile id (also profiles[0])`},
		// Only the merged catalog can tell the reference is unknown; the
		// error still names the overlay's first status, not the merged
		// catalog's index.
		{"overlay index", `statuses { code: 418 reason: "x" status_class: STATUS_CLASS_CLIENT_ERROR profiles: "nope" }`,
			`catalog: overlay statuses[0] (code 418): profiles: unknown profile "nope"`},
		{"overlay index of a new profile", `
profiles { id: "ok" uri: "https://x.example/ok" kind: PROFILE_KIND_RESOURCE }
profiles { id: "bad" uri: "https://x.example/bad" kind: PROFILE_KIND_RESOURCE mixins: "nope" }`,
			`catalog: overlay profiles[1] (id "bad"): mixins`},
		// A profile that takes a URI the base uses: the error is reported
		// against the overlay entry that brought it.
		{"uri clash", `profiles { id: "mine" uri: "https://level3.rest/profiles/form" kind: PROFILE_KIND_RESOURCE }`,
			`overlay profiles[0] (id "mine")`},
	} {
		msg, err := ParseCatalogMessage([]byte(tc.overlay))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if _, err := base.Overlay(msg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	// An overlay with just an edition is not empty.
	msg, _ := ParseCatalogMessage([]byte(`edition: "acme-2"`))
	if c, err := base.Overlay(msg); err != nil || c.Proto().GetEdition() != "acme-2" {
		t.Errorf("edition-only overlay: %v", err)
	}
}
