package conformance

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/mapping"
	"github.com/statusd/statusd/mapping/header"
	"google.golang.org/protobuf/proto"
)

// The properties of issue 11: Lookup (mapping's Level 3 dialect) and
// Validate (this package) read the same catalog facts, for the embedded
// catalog and for an overlay that changes several outcomes, and every
// citation of an answer points at the status the answer is about.

// changedOutcomes is an overlay an organisation might write: its Forms
// answer 200, its Data PUT answers 200 and its Async DELETE 200 with
// prefer: respond-async, and its Lookups answer GET with accept-profile
// by a 303.
func changedOutcomes(t *testing.T) *mapping.Catalog {
	t.Helper()
	base := mapping.DefaultCatalog()
	overlay := &statusdv1.Catalog{Edition: "overlay"}
	edit := func(id string, f func(p *statusdv1.Profile)) {
		p, _, ok := base.Profile(id)
		if !ok {
			t.Fatalf("no profile %q", id)
		}
		p = proto.CloneOf(p)
		f(p)
		overlay.Profiles = append(overlay.Profiles, p)
	}
	setOutcome := func(p *statusdv1.Profile, method string, statuses ...int32) {
		for _, o := range p.GetOutcomes() {
			if o.GetMethod() == method && len(o.GetWhenRequestHas()) == 0 {
				o.Statuses = statuses
				return
			}
		}
		t.Fatalf("%s has no %s outcome", p.GetId(), method)
	}
	edit("form", func(p *statusdv1.Profile) { setOutcome(p, "POST", 200) })
	edit("data", func(p *statusdv1.Profile) { setOutcome(p, "PUT", 200) })
	edit("async", func(p *statusdv1.Profile) {
		for _, o := range p.GetOutcomes() {
			if o.GetMethod() == "DELETE" {
				o.Statuses = []int32{200}
			}
		}
	})
	edit("lookup", func(p *statusdv1.Profile) {
		p.Outcomes = append(p.Outcomes, &statusdv1.MethodOutcome{Method: "GET", Statuses: []int32{303},
			Condition: "The client asked for a profile the resource redirects to.", WhenRequestHas: []string{"accept-profile"}})
	})
	cat, err := base.Overlay(overlay)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// headerValues are realistic values for the headers catalog conditions
// name, so that Validate's own syntax rules hold.
var headerValues = map[string]string{
	"if-none-match":       `"v1"`,
	"if-match":            `"v1"`,
	"if-modified-since":   "Tue, 24 Nov 2026 10:00:00 GMT",
	"if-unmodified-since": "Tue, 24 Nov 2026 10:00:00 GMT",
	"range":               "bytes=0-99",
	"accept-profile":      "<https://level3.rest/profiles/info>",
}

// conditionHeader returns a header that meets a catalog condition.
func conditionHeader(cond string) *statusdv1.Header {
	c := header.ParseCondition(cond)
	if c.Element != "" {
		return &statusdv1.Header{Name: c.Name, Value: c.Element}
	}
	return &statusdv1.Header{Name: c.Name, Value: headerValues[c.Name]}
}

// outcomeCase is one profile outcome and a request that meets it.
type outcomeCase struct {
	profile *statusdv1.Profile
	outcome *statusdv1.MethodOutcome
	headers []*statusdv1.Header
}

func (oc outcomeCase) String() string {
	return fmt.Sprintf("%s %s %v", oc.profile.GetId(), oc.outcome.GetMethod(), oc.headers)
}

// outcomeCases lists every outcome of every profile and mixin, once per
// condition it may be met by.
func outcomeCases(cat *mapping.Catalog) []outcomeCase {
	var out []outcomeCase
	for _, p := range cat.Profiles() {
		for _, o := range p.GetOutcomes() {
			if len(o.GetWhenRequestHas()) == 0 {
				out = append(out, outcomeCase{p, o, nil})
			}
			for _, cond := range o.GetWhenRequestHas() {
				out = append(out, outcomeCase{p, o, []*statusdv1.Header{conditionHeader(cond)}})
			}
		}
	}
	return out
}

// TestOutcomesAgree: for every profile outcome, Lookup(code OK, its
// method, its profile, headers meeting its condition) answers the outcome's
// status, and Validate of that exchange raises no error from the profile
// rules and reads the status as ok.
func TestOutcomesAgree(t *testing.T) {
	for name, cat := range map[string]*mapping.Catalog{"embedded": mapping.DefaultCatalog(), "overlay": changedOutcomes(t)} {
		n := 0
		for _, oc := range outcomeCases(cat) {
			n++
			ctx := mapping.Context{Method: oc.outcome.GetMethod(), Profiles: []*statusdv1.Profile{oc.profile}, Headers: oc.headers, Catalog: cat}
			tr, err := mapping.CodeToHTTP(statusdv1.Dialect_DIALECT_LEVEL3, statusdv1.Code_CODE_OK, ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := oc.outcome.GetStatuses()[0]
			if int32(tr.HTTPStatus) != want {
				t.Errorf("%s: Lookup %s = %d, want %d (%s)", name, oc, tr.HTTPStatus, want, tr.Rationale)
			}
			ex := &statusdv1.Exchange{Method: oc.outcome.GetMethod(), Target: "/r", Status: want, RequestHeaders: oc.headers}
			rep, err := Check(cat, ex, []string{oc.profile.GetId()})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Code != statusdv1.Code_CODE_OK {
				t.Errorf("%s: Validate %s %d reads %v", name, oc, want, rep.Code)
			}
			for _, f := range rep.Findings {
				if f.Severity == statusdv1.Severity_SEVERITY_ERROR && (strings.HasSuffix(f.Rule, ".status") || f.Rule == "l3.method.allowed") {
					t.Errorf("%s: Validate %s %d: %s %s", name, oc, want, f.Rule, f.Message)
				}
			}
		}
		if n < 40 {
			t.Errorf("%s: only %d outcomes checked", name, n)
		}
	}
}

// TestOverlayChangesLookupAndValidate is found item 1 of issue 11: with an
// overlay whose Form POST outcome is 200, Lookup answers 200 and Validate
// flags the 201 the embedded catalog gives, not the 200.
func TestOverlayChangesLookupAndValidate(t *testing.T) {
	cat := changedOutcomes(t)
	form, _, _ := cat.Profile("form")
	tr, _ := mapping.CodeToHTTP(statusdv1.Dialect_DIALECT_LEVEL3, statusdv1.Code_CODE_OK,
		mapping.Context{Method: "POST", Profiles: []*statusdv1.Profile{form}, Catalog: cat})
	if tr.HTTPStatus != 200 {
		t.Errorf("overlay Form POST: Lookup %d, want 200", tr.HTTPStatus)
	}
	rules := func(status int32) []string {
		rep, _ := Check(cat, &statusdv1.Exchange{Method: "POST", Target: "/f", Status: status}, []string{"form"})
		var out []string
		for _, f := range rep.Findings {
			out = append(out, f.Rule)
		}
		return out
	}
	if r := rules(201); !slices.Contains(r, "l3.form.post.status") {
		t.Errorf("overlay Form POST 201: rules %v, want l3.form.post.status", r)
	}
	if r := rules(200); slices.Contains(r, "l3.form.post.status") {
		t.Errorf("overlay Form POST 200: rules %v", r)
	}
	// The embedded catalog is untouched.
	embedded, _, _ := mapping.DefaultCatalog().Profile("form")
	if tr, _ := mapping.CodeToHTTP(statusdv1.Dialect_DIALECT_LEVEL3, statusdv1.Code_CODE_OK,
		mapping.Context{Method: "POST", Profiles: []*statusdv1.Profile{embedded}}); tr.HTTPStatus != 201 {
		t.Errorf("embedded Form POST: %d, want 201", tr.HTTPStatus)
	}
}

// contexts lists a context for every profile and mixin with every method
// its rules name (and none), bare, with every condition header, and said
// to carry nothing else.
func contexts(cat *mapping.Catalog) []mapping.Context {
	out := []mapping.Context{{Catalog: cat}}
	for _, p := range cat.Profiles() {
		methods := []string{""}
		var all []*statusdv1.Header
		for _, o := range p.GetOutcomes() {
			methods = append(methods, o.GetMethod())
			for _, c := range o.GetWhenRequestHas() {
				all = append(all, conditionHeader(c))
			}
		}
		for _, e := range p.GetErrors() {
			methods = append(methods, e.GetMethods()...)
			for _, c := range e.GetWhenRequestHas() {
				all = append(all, conditionHeader(c))
			}
		}
		slices.Sort(methods)
		for _, m := range slices.Compact(methods) {
			ps := []*statusdv1.Profile{p}
			out = append(out,
				mapping.Context{Method: m, Profiles: ps, Catalog: cat},
				mapping.Context{Method: m, Profiles: ps, Headers: all, Catalog: cat},
				mapping.Context{Method: m, Profiles: ps, HeadersComplete: true, Catalog: cat})
		}
	}
	return out
}

// sectionKey names a section of a document.
type sectionKey struct{ document, section string }

// statusSections maps every section a status entry cites to its status.
func statusSections(cat *mapping.Catalog) map[sectionKey]int32 {
	out := map[sectionKey]int32{}
	for _, st := range cat.Statuses() {
		for _, c := range st.GetCitations() {
			out[sectionKey{c.GetDocument(), c.GetSection()}] = st.GetCode()
		}
	}
	return out
}

// checkCitations: every citation with a section names either a section of
// the catalog entry of the status the answer is about, a section of a
// profile of the context, or RFC 9110 section 15 (how to read a status the
// catalog lacks), never the section of another status.
func checkCitations(t *testing.T, cat *mapping.Catalog, owners map[sectionKey]int32, what func() string, tr mapping.Translation, ctx mapping.Context) {
	t.Helper()
	for _, c := range tr.Citations {
		key := sectionKey{c.GetDocument(), c.GetSection()}
		if key.section == "" {
			continue
		}
		if owner, ok := owners[key]; ok {
			if int(owner) != tr.HTTPStatus {
				t.Errorf("%s: answer about %d cites %s §%s, the section of %d", what(), tr.HTTPStatus, key.document, key.section, owner)
			}
			continue
		}
		if key == (sectionKey{"RFC 9110", "15"}) || profileCites(cat, ctx, key) {
			continue
		}
		t.Errorf("%s: answer about %d cites %s §%s, which is neither its entry's nor a profile's", what(), tr.HTTPStatus, key.document, key.section)
	}
}

// profileCites reports whether a profile of the context, or one it
// presents, cites the section.
func profileCites(cat *mapping.Catalog, ctx mapping.Context, key sectionKey) bool {
	for _, p := range ctx.Profiles {
		ps := []*statusdv1.Profile{p}
		for _, id := range p.GetPresents() {
			q, _, _ := cat.Profile(id)
			ps = append(ps, q)
		}
		for _, q := range ps {
			for _, c := range q.GetCitations() {
				if (sectionKey{c.GetDocument(), c.GetSection()}) == key {
					return true
				}
			}
		}
	}
	return false
}

// TestCitationsNameTheirStatus: for every status × dialect × direction,
// in every context, every citation names the right section.
func TestCitationsNameTheirStatus(t *testing.T) {
	for name, cat := range map[string]*mapping.Catalog{"embedded": mapping.DefaultCatalog(), "overlay": changedOutcomes(t)} {
		owners := statusSections(cat)
		for _, d := range mapping.Dialects() {
			ctxs := []mapping.Context{{Catalog: cat}}
			if d == statusdv1.Dialect_DIALECT_LEVEL3 {
				ctxs = contexts(cat)
			}
			for _, ctx := range ctxs {
				for status := mapping.MinStatus; status <= mapping.MaxStatus; status++ {
					tr, err := mapping.HTTPToCode(d, status, ctx)
					if err != nil {
						t.Fatal(err)
					}
					checkCitations(t, cat, owners, func() string {
						return fmt.Sprintf("%s %v HTTP %d → code (%s %s)", name, d, status, ctx.Method, ids(ctx))
					}, tr, ctx)
				}
				for code := range statusdv1.Code_CODE_UNAUTHENTICATED + 1 {
					tr, err := mapping.CodeToHTTP(d, code, ctx)
					if err != nil {
						t.Fatal(err)
					}
					checkCitations(t, cat, owners, func() string {
						return fmt.Sprintf("%s %v %v → HTTP (%s %s)", name, d, code, ctx.Method, ids(ctx))
					}, tr, ctx)
				}
			}
		}
		if t.Failed() {
			return // one catalog's failures say enough
		}
	}
}

func ids(ctx mapping.Context) string {
	var out []string
	for _, p := range ctx.Profiles {
		out = append(out, p.GetId())
	}
	return strings.Join(out, ",")
}

// TestStatusFindingsCiteTheExpectedStatus: a finding that says which
// status to send cites that status's section, never another's, and no
// Level 3 finding cites RFC 5789 section 4.1 (the IANA registration of
// accept-patch, not a rule).
func TestStatusFindingsCiteTheExpectedStatus(t *testing.T) {
	cat := mapping.DefaultCatalog()
	owners := statusSections(cat)
	n := 0
	for _, oc := range outcomeCases(cat) {
		ex := &statusdv1.Exchange{Method: oc.outcome.GetMethod(), Target: "/r", Status: 299, RequestHeaders: oc.headers}
		rep, err := Check(cat, ex, []string{oc.profile.GetId()})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range rep.Findings {
			for _, c := range f.Citations {
				if c.GetDocument() == "RFC 5789" && c.GetSection() == "4.1" {
					t.Errorf("%s: %s cites RFC 5789 section 4.1", oc, f.Rule)
				}
				if f.ExpectedStatus == 0 || !strings.HasSuffix(f.Rule, ".status") {
					continue
				}
				n++
				if owner, ok := owners[sectionKey{c.GetDocument(), c.GetSection()}]; ok && int(owner) != f.ExpectedStatus {
					t.Errorf("%s: %s expects %d but cites §%s of %d", oc, f.Rule, f.ExpectedStatus, c.GetSection(), owner)
				}
			}
		}
	}
	if n == 0 {
		t.Error("no status finding was checked")
	}
	rep, _ := Check(cat, &statusdv1.Exchange{Method: "DELETE", Target: "/d", Status: 200}, []string{"data"})
	for _, f := range rep.Findings {
		if f.Rule == "l3.data.delete.status" {
			if len(f.Citations) != 2 || f.Citations[1].GetSection() != "15.3.5" {
				t.Errorf("l3.data.delete.status cites %v, want Level 3 Data and RFC 9110 section 15.3.5 (204)", f.Citations)
			}
			return
		}
	}
	t.Errorf("Data DELETE 200: no l3.data.delete.status in %v", rep.Findings)
}

// TestWithContentOutcome: an outcome the catalog marks with_content lets a
// 201 carry the representation, with content-location instead of location;
// without the request that engages it, both rules hold.
func TestWithContentOutcome(t *testing.T) {
	cat := mapping.DefaultCatalog()
	rules := func(req []string) []string {
		ex := exchange("POST", 201, req, []string{"profile: <https://level3.rest/profiles/form>, <https://level3.rest/profiles/mixins/representation>",
			"content-location: /f/1", "preference-applied: return=representation", "content-type: application/json"}, 42)
		rep, err := Check(cat, ex, nil)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range rep.Findings {
			out = append(out, f.Rule)
		}
		return out
	}
	asked := rules([]string{"prefer: return = \"representation\"", "content-type: application/json"})
	if slices.Contains(asked, "l3.body.empty") || slices.Contains(asked, "l3.form.post.location") {
		t.Errorf("representation asked for: %v", asked)
	}
	plain := rules([]string{"content-type: application/json"})
	if !slices.Contains(plain, "l3.body.empty") || !slices.Contains(plain, "l3.form.post.location") {
		t.Errorf("representation not asked for: %v, want l3.body.empty and l3.form.post.location", plain)
	}
}
