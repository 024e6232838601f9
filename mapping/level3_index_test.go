package mapping

import (
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/mapping/header"
)

// The Level 3 lookups with a context run on an index of the catalog's
// profiles (level3_profiles.go). This test holds the straightforward
// reference they replaced, which walks the profiles' messages and folds
// methods rule by rule, and compares the two over every status, every
// code, every context of at most two profiles, methods in any case and a
// few header sets.

// raceDetector is set under -race (race_test.go), where
// level3Contexts takes every seventh profile pair only.
var raceDetector bool

// refCtx gives the reference its own methods on a Context.
type refCtx struct{ *Context }

// eachProfile calls f with every profile of the context and every profile
// a pattern role of it presents, until f returns false.
func (c refCtx) eachProfile(f func(*statusdv1.Profile) bool) {
	cat := c.catalog()
	for _, p := range c.Profiles {
		if !f(p) {
			return
		}
		for _, id := range p.GetPresents() {
			if q, _, ok := cat.Profile(id); ok && !f(q) {
				return
			}
		}
	}
}

// method reports whether the request method is m, case-insensitively as
// Context says; the exact comparison first is the common case and costs far
// less than EqualFold.
func (c refCtx) method(m string) bool { return c.Method == m || strings.EqualFold(c.Method, m) }

// anyMethod reports whether every per-method rule of profile p applies to
// the request: the method is not said, or p does not serve it at all (a
// gateway in front of an RPC sees POST on every resource), so p's
// per-method rules cannot tell it apart. A mixin serves what its profile
// serves, so for a mixin only an unsaid method counts. Callers compute it
// once per profile.
func (c refCtx) anyMethod(p *statusdv1.Profile) bool {
	return c.Method == "" || len(p.GetMethods()) > 0 && !c.serves(p)
}

// listed reports whether a rule limited to methods (none: every method)
// names the request method.
func (c refCtx) listed(methods []string) bool {
	if len(methods) == 0 {
		return true
	}
	for _, m := range methods {
		if c.method(m) {
			return true
		}
	}
	return false
}

// serves reports whether p lists the request method among its methods.
func (c refCtx) serves(p *statusdv1.Profile) bool {
	for _, m := range p.GetMethods() {
		if c.method(m) {
			return true
		}
	}
	for _, m := range p.GetOptionalMethods() {
		if c.method(m) {
			return true
		}
	}
	return false
}

// has reports whether the request is known to meet a catalog condition
// ("range", "prefer: respond-async").
func (c refCtx) has(cond string) bool {
	return header.ParseCondition(cond).MetBy(c.Headers)
}

// lacks reports whether the request is known not to meet a condition: it
// does not carry it, and the caller said the header is absent.
func (c refCtx) lacks(cond string) bool {
	hc := header.ParseCondition(cond)
	if hc.MetBy(c.Headers) {
		return false
	}
	if c.HeadersComplete {
		return true
	}
	for _, name := range c.Absent {
		if strings.EqualFold(strings.TrimSpace(name), hc.Name) {
			return true
		}
	}
	return false
}

// meets reports whether the request is known to meet a rule's conditions:
// it carries one of has (if any) and lacks every one of lacks.
func (c refCtx) meets(has, lacks []string) bool {
	if len(has) > 0 && !slices.ContainsFunc(has, c.has) {
		return false
	}
	for _, cond := range lacks {
		if !c.lacks(cond) {
			return false
		}
	}
	return true
}

// allows reports whether the standalone profiles of the context (and those
// its pattern roles present) allow the request method; known is false when
// no profile lists methods (no profile, only mixins, or Alias, which takes
// its target's methods).
func (c refCtx) allows() (allowed, known bool) {
	c.eachProfile(func(p *statusdv1.Profile) bool {
		if len(p.GetMethods()) == 0 {
			return true
		}
		known = true
		allowed = c.serves(p)
		return !allowed
	})
	return allowed, known
}

// refFindOutcome finds a profile of the context that gives status as the
// success outcome of the request's method (of any method if the method is
// not said), with the outcome and the status's index in it. The status
// itself says whether the outcome's condition held, so conditions are not
// checked.
func refFindOutcome(status int, ctx refCtx) (p *statusdv1.Profile, o *statusdv1.MethodOutcome, i int) {
	ctx.eachProfile(func(q *statusdv1.Profile) bool {
		anyMethod := ctx.anyMethod(q)
		for _, qo := range q.GetOutcomes() {
			if !anyMethod && !ctx.method(qo.GetMethod()) {
				continue
			}
			for j, s := range qo.GetStatuses() {
				if int(s) == status {
					p, o, i = q, qo, j
					return false
				}
			}
		}
		return true
	})
	return p, o, i
}

// refFindError finds a profile of the context that lists status among its
// errors for the request's method.
func refFindError(status int, ctx refCtx) (p *statusdv1.Profile, e *statusdv1.ErrorStatus) {
	ctx.eachProfile(func(q *statusdv1.Profile) bool {
		anyMethod := ctx.anyMethod(q)
		for _, qe := range q.GetErrors() {
			if int(qe.GetStatus()) == status && (anyMethod || ctx.listed(qe.GetMethods())) {
				p, e = q, qe
				return false
			}
		}
		return true
	})
	return p, e
}

// refLevel3CodeRule picks the status of a code in a context from the
// catalog's profiles; ok is false when no profile rule applies and
// Connect's table answers.
func refLevel3CodeRule(code statusdv1.Code, ctx refCtx) (status int, ex explanation, ok bool) {
	x := ctx.catalog().level3()
	if code == statusdv1.Code_CODE_OK {
		return refLevel3Success(ctx, x)
	}
	if p, e := refProfileError(code, ctx); e != nil {
		return int(e.GetStatus()), x.error(p, e), true
	}
	if code == statusdv1.Code_CODE_UNIMPLEMENTED && ctx.Method != "" {
		if allowed, known := ctx.allows(); known && !allowed {
			return 405, x.methodNotAllowed, true
		}
	}
	return 0, explanation{}, false
}

// refProfileError picks the error status that means code in the context: an
// error of a profile of the context, listed for the method, whose status
// means code there. One whose request conditions are known to hold wins
// (412 for if-match, 428 for a PATCH said to lack content-type); one whose
// conditions are not known to hold never applies. Among unconditional
// ones, the status Connect's table gives wins, else the first listed.
func refProfileError(code statusdv1.Code, ctx refCtx) (p *statusdv1.Profile, e *statusdv1.ErrorStatus) {
	connectStatus := int32(connectCodeToHTTP[code])
	var firstP *statusdv1.Profile
	var first *statusdv1.ErrorStatus
	ctx.eachProfile(func(q *statusdv1.Profile) bool {
		anyMethod := ctx.anyMethod(q)
		for _, qe := range q.GetErrors() {
			if level3ErrorCode(int(qe.GetStatus())) != code || !(anyMethod || ctx.listed(qe.GetMethods())) {
				continue
			}
			if len(qe.GetWhenRequestHas()) > 0 || len(qe.GetWhenRequestLacks()) > 0 {
				if ctx.meets(qe.GetWhenRequestHas(), qe.GetWhenRequestLacks()) {
					p, e = q, qe
					return false
				}
				continue
			}
			if first == nil || (qe.GetStatus() == connectStatus && first.GetStatus() != connectStatus) {
				firstP, first = q, qe
			}
		}
		return true
	})
	if e != nil {
		return p, e
	}
	return firstP, first
}

// refLevel3Success picks the success status of the request: an outcome whose
// request condition is known to hold (Async's 202 on prefer:
// respond-async), else the outcome a profile gives the method (a profile
// that redirects every method, such as Alias, first), else 200.
func refLevel3Success(ctx refCtx, x *level3Index) (int, explanation, bool) {
	if ctx.Method == "" {
		return 200, x.okDefault, true
	}
	var p, redirectP *statusdv1.Profile
	var o, redirectO *statusdv1.MethodOutcome
	var condP *statusdv1.Profile
	var condO *statusdv1.MethodOutcome
	ctx.eachProfile(func(q *statusdv1.Profile) bool {
		for _, qo := range q.GetOutcomes() {
			if !ctx.method(qo.GetMethod()) || len(qo.GetStatuses()) == 0 {
				continue
			}
			switch {
			case len(qo.GetWhenRequestHas()) > 0:
				if ctx.meets(qo.GetWhenRequestHas(), nil) {
					condP, condO = q, qo
					return false
				}
			case redirectsAlways(q):
				if redirectO == nil {
					redirectP, redirectO = q, qo
				}
			case o == nil:
				p, o = q, qo
			}
		}
		return true
	})
	switch {
	case condO != nil:
		i := refPickStatus(condO, ctx)
		return int(condO.GetStatuses()[i]), x.outcome(condP, condO, i), true
	case redirectO != nil:
		return int(redirectO.GetStatuses()[0]), x.outcome(redirectP, redirectO, 0), true
	case o != nil:
		return int(o.GetStatuses()[0]), x.outcome(p, o, 0), true
	}
	return 200, x.okDefault, true
}

// refPickStatus picks among the statuses of a conditional outcome (a mixin's
// [201, 200]) the first one every standalone profile of the context uses,
// so that a mixin answers in the terms of the profile it is mixed into:
// 201 on a Form that creates, 200 on an Action that does not.
func refPickStatus(o *statusdv1.MethodOutcome, ctx refCtx) int {
	cat := ctx.catalog()
	for i, s := range o.GetStatuses() {
		entry, ok := cat.Status(int(s))
		used := true
		ctx.eachProfile(func(q *statusdv1.Profile) bool {
			if standalone(q) && (!ok || !UsesStatus(q, entry)) {
				used = false
				return false
			}
			return true
		})
		if used {
			return i
		}
	}
	return 0
}

func refLevel3HTTPToCode(status int, ctx refCtx) Translation {
	t := Translation{HTTPStatus: status, Dialect: statusdv1.Dialect_DIALECT_LEVEL3}
	x := ctx.catalog().level3()
	switch p, o, i := refFindOutcome(status, ctx); {
	case o != nil:
		e := x.outcome(p, o, i)
		t.Code, t.Rationale, t.Citations = statusdv1.Code_CODE_OK, e.rationale, e.citations
		return t
	}
	if p, e := refFindError(status, ctx); e != nil {
		ex := x.error(p, e)
		t.Code, t.Rationale, t.Citations = level3ErrorCode(status), ex.rationale, ex.citations
		return t
	}
	ex := x.general(status)
	t.Code, t.Rationale, t.Citations = level3Rule(status).code, ex.rationale, ex.citations
	return t
}

func refLevel3CodeToHTTP(code statusdv1.Code, ctx refCtx) Translation {
	if ValidCode(code) {
		if status, ex, ok := refLevel3CodeRule(code, ctx); ok {
			return Translation{HTTPStatus: status, Code: code, Dialect: statusdv1.Dialect_DIALECT_LEVEL3, Rationale: ex.rationale, Citations: ex.citations}
		}
	}
	// No context rule: Connect's table, said in Level 3's voice.
	return level3Table.codeToHTTP(code)
}

func sameTranslation(a, b Translation) bool {
	return a.HTTPStatus == b.HTTPStatus && a.Code == b.Code && a.Dialect == b.Dialect && a.Rationale == b.Rationale &&
		slices.EqualFunc(a.Citations, b.Citations, func(x, y *statusdv1.Citation) bool { return proto.Equal(x, y) })
}

// level3Contexts calls f with every context of at most two profiles of
// cat (in either order) crossed with the methods and header sets.
func level3Contexts(cat *Catalog, f func(Context)) {
	methods := []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "get", "", "PoST", "BREW"}
	headerSets := []struct {
		headers  []*statusdv1.Header
		absent   []string
		complete bool
	}{
		{},
		{headers: []*statusdv1.Header{{Name: "Content-Type", Value: "application/merge-patch+json"}, {Name: "If-Match", Value: `"v7"`}, {Name: "Prefer", Value: "return=minimal"}}},
		{headers: []*statusdv1.Header{{Name: "prefer", Value: "respond-async; wait=10"}, {Name: "Range", Value: "bytes=0-9"}}, absent: []string{" Content-Type ", "if-match"}},
		{headers: []*statusdv1.Header{{Name: "If-None-Match", Value: "*"}, {Name: "Expect", Value: "100-continue"}}, complete: true},
	}
	profiles := cat.Profiles()
	// Every profile at once: more walk entries than l3Request.flat holds.
	sets := [][]*statusdv1.Profile{nil, profiles}
	for _, p := range profiles {
		sets = append(sets, []*statusdv1.Profile{p})
		for _, q := range profiles {
			sets = append(sets, []*statusdv1.Profile{p, q})
		}
	}
	for k, ps := range sets {
		if raceDetector && k%7 != 0 {
			continue
		}
		for _, m := range methods {
			for _, h := range headerSets {
				f(Context{Method: m, Profiles: ps, Headers: h.headers, Absent: h.absent, HeadersComplete: h.complete, Catalog: cat})
			}
		}
	}
}

func TestLevel3IndexMatchesReference(t *testing.T) {
	cat := DefaultCatalog()
	if len(cat.Profiles()) < 2 {
		t.Fatal("the catalog has fewer than two profiles")
	}
	codes := []statusdv1.Code{statusdv1.Code(-1), statusdv1.Code(999)}
	for c := range statusdv1.Code_name {
		codes = append(codes, statusdv1.Code(c))
	}
	var n, diffs int
	level3Contexts(cat, func(ctx Context) {
		for _, code := range codes {
			n++
			got, want := level3CodeToHTTP(code, &ctx), refLevel3CodeToHTTP(code, refCtx{&ctx})
			if !sameTranslation(got, want) && diffs < 10 {
				diffs++
				t.Errorf("CodeToHTTP(%v, method %q, %d profiles %v, headers %v): got %d %q, reference %d %q",
					code, ctx.Method, len(ctx.Profiles), profileIDs(ctx.Profiles), ctx.Headers, got.HTTPStatus, got.Rationale, want.HTTPStatus, want.Rationale)
			}
		}
		// HTTP → code: every status, with the empty header set only (the
		// reference reads no header in this direction; the cross product
		// with every set would take minutes).
		if len(ctx.Headers) != 0 || ctx.HeadersComplete {
			return
		}
		for status := 99; status <= 600; status++ {
			n++
			got, want := level3HTTPToCode(status, &ctx), refLevel3HTTPToCode(status, refCtx{&ctx})
			if !sameTranslation(got, want) && diffs < 10 {
				diffs++
				t.Errorf("HTTPToCode(%d, method %q, profiles %v): got %v %q, reference %v %q",
					status, ctx.Method, profileIDs(ctx.Profiles), got.Code, got.Rationale, want.Code, want.Rationale)
			}
		}
	})
	t.Logf("%d lookups compared", n)
}

// TestLevel3IndexForeignProfiles compares the two for profiles the
// context's catalog did not build (another edition of the same catalog,
// and one built by hand), which are indexed on the spot.
func TestLevel3IndexForeignProfiles(t *testing.T) {
	cat := DefaultCatalog()
	other, err := NewCatalog(proto.Clone(cat.msg).(*statusdv1.Catalog))
	if err != nil {
		t.Fatal(err)
	}
	hand := &statusdv1.Profile{Id: "x-hand", Kind: statusdv1.ProfileKind_PROFILE_KIND_RESOURCE, Methods: []string{"BREW", "get"},
		Outcomes: []*statusdv1.MethodOutcome{{Method: "brew", Statuses: []int32{201}}},
		Errors:   []*statusdv1.ErrorStatus{{Status: 418, Methods: []string{"Brew"}}, {Status: 409, WhenRequestHas: []string{"if-match"}}}}
	for _, ps := range [][]*statusdv1.Profile{other.Profiles()[:12], {hand}, append([]*statusdv1.Profile{hand}, other.Profiles()[:3]...)} {
		for i := range ps {
			for _, m := range []string{"GET", "brew", "BREW", "POST", ""} {
				ctx := Context{Method: m, Profiles: ps[i:min(i+2, len(ps))], Headers: []*statusdv1.Header{{Name: "If-Match", Value: "*"}}}
				for c := range statusdv1.Code_name {
					got, want := level3CodeToHTTP(statusdv1.Code(c), &ctx), refLevel3CodeToHTTP(statusdv1.Code(c), refCtx{&ctx})
					if !sameTranslation(got, want) {
						t.Fatalf("CodeToHTTP(%v, %q, %v): got %d, reference %d", statusdv1.Code(c), m, profileIDs(ctx.Profiles), got.HTTPStatus, want.HTTPStatus)
					}
				}
				for status := 100; status <= 599; status++ {
					got, want := level3HTTPToCode(status, &ctx), refLevel3HTTPToCode(status, refCtx{&ctx})
					if !sameTranslation(got, want) {
						t.Fatalf("HTTPToCode(%d, %q, %v): got %v, reference %v", status, m, profileIDs(ctx.Profiles), got.Code, want.Code)
					}
				}
			}
		}
	}
}

func profileIDs(ps []*statusdv1.Profile) string {
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.GetId())
	}
	return strings.Join(ids, ",")
}
