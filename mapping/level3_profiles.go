package mapping

import (
	"strings"
	"unsafe"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/mapping/header"
)

// The catalog's profiles, indexed once when the catalog is built so that a
// Level 3 lookup with a context compares small integers instead of folding
// method names for every rule of every profile, and calls no closure.

// l3Method is a method a profile rule names: its class among the catalog's
// methods (methods equal under strings.EqualFold share a class), or -1 for
// a method the catalog does not name (a profile from elsewhere), which is
// then compared by its text.
type l3Method struct {
	id   int32
	text string
}

// l3Profile is one profile with its rules in comparable form.
type l3Profile struct {
	p          *statusdv1.Profile
	hasMethods bool       // len(p.Methods) > 0
	serves     []l3Method // methods then optional methods
	presents   []*l3Profile
	outcomes   []l3Outcome
	errors     []l3Error
	standalone bool
	redirects  bool // redirectsAlways(p)
	// outcomeStatuses and errorStatuses hold the statuses the outcomes
	// and the errors list, so that a lookup skips a profile that cannot
	// answer with one compare.
	outcomeStatuses, errorStatuses statusSet
	// errorCodes has bit c set when an error's status means code c (bit
	// 63 for every code from 63 on).
	errorCodes uint64
}

// codeBit is code's bit in l3Profile.errorCodes.
func codeBit(c statusdv1.Code) uint64 {
	if c < 0 || c > 63 {
		return 1 << 63
	}
	return 1 << uint(c)
}

// statusSet is a set of statuses; one holding a status outside
// 0..MaxStatus says every status may be in it, so that the rules are
// searched.
type statusSet struct {
	bits [(MaxStatus + 64) / 64]uint64
	all  bool
}

func (s *statusSet) add(status int32) {
	if status < 0 || int(status) > MaxStatus {
		s.all = true
		return
	}
	s.bits[status/64] |= 1 << (status % 64)
}

// mayHold reports whether status may be in the set.
func (s *statusSet) mayHold(status int) bool {
	if s.all {
		return true
	}
	return status >= 0 && status <= MaxStatus && s.bits[status/64]&(1<<(status%64)) != 0
}

type l3Outcome struct {
	o        *statusdv1.MethodOutcome
	method   l3Method
	statuses []int32
	has      []header.Condition
	ex       []explanation // per status
}

type l3Error struct {
	e           *statusdv1.ErrorStatus
	status      int32
	code        statusdv1.Code
	methods     []l3Method // none: every method
	conditional bool
	has, lacks  []header.Condition
	ex          explanation
}

// indexProfiles fills x.methods and x.profiles; x's explanations must be
// built already.
func (x *level3Index) indexProfiles() {
	for _, p := range x.cat.Profiles() {
		x.addMethods(p.GetMethods()...)
		x.addMethods(p.GetOptionalMethods()...)
		for _, o := range p.GetOutcomes() {
			x.addMethods(o.GetMethod())
		}
		for _, e := range p.GetErrors() {
			x.addMethods(e.GetMethods()...)
		}
	}
	x.profiles = map[*statusdv1.Profile]*l3Profile{}
	for _, p := range x.cat.Profiles() {
		x.profiles[p] = x.newProfile(p, false)
	}
	for p, q := range x.profiles {
		q.presents = x.presents(p)
	}
	x.table = newProfileTable(x.profiles)
}

// profileTable finds a profile's index by its address with one multiply
// and a short probe, several times faster than a map; a miss (a profile
// from elsewhere) falls back to indexing on the spot, so the table only
// ever makes lookups faster, never different.
type profileTable struct {
	keys  []*statusdv1.Profile
	vals  []*l3Profile
	shift uint
}

func newProfileTable(m map[*statusdv1.Profile]*l3Profile) profileTable {
	size, shift := 4, uint(62)
	for size < 4*len(m) {
		size, shift = size*2, shift-1
	}
	t := profileTable{keys: make([]*statusdv1.Profile, size), vals: make([]*l3Profile, size), shift: shift}
	for p, q := range m {
		i := t.slot(p)
		for t.keys[i] != nil {
			i = (i + 1) & (len(t.keys) - 1)
		}
		t.keys[i], t.vals[i] = p, q
	}
	return t
}

func (t *profileTable) slot(p *statusdv1.Profile) int {
	return int((uint64(uintptr(unsafe.Pointer(p))) * 0x9E3779B97F4A7C15) >> t.shift)
}

func (t *profileTable) get(p *statusdv1.Profile) *l3Profile {
	if len(t.keys) == 0 || p == nil {
		return nil
	}
	for i := t.slot(p); ; i = (i + 1) & (len(t.keys) - 1) {
		switch t.keys[i] {
		case p:
			return t.vals[i]
		case nil:
			return nil
		}
	}
}

func (x *level3Index) addMethods(ms ...string) {
	for _, m := range ms {
		if x.methodClass(m) < 0 {
			x.methods = append(x.methods, m)
		}
	}
}

// methodClass is the class of method m: exact comparison first (the
// common case), else the case-insensitive one Context promises.
func (x *level3Index) methodClass(m string) int32 {
	for i, c := range x.methods {
		if c == m {
			return int32(i)
		}
	}
	for i, c := range x.methods {
		if strings.EqualFold(c, m) {
			return int32(i)
		}
	}
	return -1
}

func (x *level3Index) method(m string) l3Method { return l3Method{id: x.methodClass(m), text: m} }

func (x *level3Index) methodList(ms []string) []l3Method {
	var out []l3Method
	for _, m := range ms {
		out = append(out, x.method(m))
	}
	return out
}

func conditions(conds []string) []header.Condition {
	var out []header.Condition
	for _, c := range conds {
		out = append(out, header.ParseCondition(c))
	}
	return out
}

// newProfile indexes p; with presents, also the profiles its pattern
// role presents (resolved now, as Context.Profiles' pattern roles were).
func (x *level3Index) newProfile(p *statusdv1.Profile, presents bool) *l3Profile {
	q := &l3Profile{p: p, hasMethods: len(p.GetMethods()) > 0, standalone: standalone(p), redirects: redirectsAlways(p)}
	q.serves = append(x.methodList(p.GetMethods()), x.methodList(p.GetOptionalMethods())...)
	for _, o := range p.GetOutcomes() {
		lo := l3Outcome{o: o, method: x.method(o.GetMethod()), statuses: o.GetStatuses(), has: conditions(o.GetWhenRequestHas())}
		for i, st := range o.GetStatuses() {
			q.outcomeStatuses.add(st)
			lo.ex = append(lo.ex, x.outcome(p, o, i))
		}
		q.outcomes = append(q.outcomes, lo)
	}
	for _, e := range p.GetErrors() {
		q.errorStatuses.add(e.GetStatus())
		q.errorCodes |= codeBit(level3ErrorCode(int(e.GetStatus())))
		q.errors = append(q.errors, l3Error{
			e: e, status: e.GetStatus(), code: level3ErrorCode(int(e.GetStatus())),
			methods:     x.methodList(e.GetMethods()),
			conditional: len(e.GetWhenRequestHas()) > 0 || len(e.GetWhenRequestLacks()) > 0,
			has:         conditions(e.GetWhenRequestHas()), lacks: conditions(e.GetWhenRequestLacks()),
			ex: x.error(p, e),
		})
	}
	if presents {
		q.presents = x.presents(p)
	}
	return q
}

// presents indexes the profiles p's pattern role presents, in order.
func (x *level3Index) presents(p *statusdv1.Profile) []*l3Profile {
	var out []*l3Profile
	for _, id := range p.GetPresents() {
		if r, _, ok := x.cat.Profile(id); ok {
			q, ok := x.profiles[r]
			if !ok {
				q = x.newProfile(r, false)
			}
			out = append(out, q)
		}
	}
	return out
}

// profile returns p's index; a profile from another catalog (or built by
// hand) is indexed on the spot.
func (x *level3Index) profile(p *statusdv1.Profile) *l3Profile {
	if q := x.table.get(p); q != nil {
		return q
	}
	return x.newProfile(p, true)
}

// l3Request is a context prepared for one lookup: its catalog's index and
// the class of its method, found once.
type l3Request struct {
	// The context's fields, copied so that the Context itself (the
	// caller's value) stays on the stack.
	methodText string
	headers    []*statusdv1.Header
	absent     []string
	complete   bool

	x      *level3Index
	said   bool  // the method is said
	method int32 // its class; -1 when the catalog names no such method
	// flat holds the profiles in walking order, resolved once (n of
	// them); many holds them instead when there are more. No walk reads
	// the Context's profiles again, so that escape analysis keeps the
	// caller's slices on the stack.
	flat [32]*l3Profile
	n    int
	many []*l3Profile
}

// newL3Request prepares a lookup in ctx. It fills a value, not a pointer,
// so that escape analysis keeps the caller's Context on the stack.
func newL3Request(ctx *Context) (r l3Request) {
	x := ctx.catalog().level3()
	r.methodText, r.headers, r.absent, r.complete = ctx.Method, ctx.Headers, ctx.Absent, ctx.HeadersComplete
	r.x, r.said, r.method = x, ctx.Method != "", -1
	if r.said {
		r.method = x.methodClass(ctx.Method)
	}
	if n, ok := x.walkOrder(ctx.Profiles, r.flat[:]); ok {
		r.n = n
		return r
	}
	// More than flat holds: one allocation, small beside the walks.
	n := 0
	for _, p := range ctx.Profiles {
		n += 1 + len(x.profile(p).presents)
	}
	r.many = make([]*l3Profile, n)
	x.walkOrder(ctx.Profiles, r.many)
	return r
}

// walkOrder writes into dst the resolved profiles, each followed by the
// profiles it presents, and says how many; ok is false, and dst partly
// written, when they do not fit. (Filled by index, not append on the
// request's field, so that escape analysis keeps the caller's Context on
// the stack.)
func (x *level3Index) walkOrder(profiles []*statusdv1.Profile, dst []*l3Profile) (n int, ok bool) {
	for _, p := range profiles {
		q := x.profile(p)
		if n+1+len(q.presents) > len(dst) {
			return n, false
		}
		dst[n] = q
		n++
		for _, pr := range q.presents {
			dst[n] = pr
			n++
		}
	}
	return n, true
}

// is reports whether the request method is m.
func (r *l3Request) is(m l3Method) bool {
	if m.id >= 0 {
		return m.id == r.method
	}
	return r.methodText == m.text || strings.EqualFold(r.methodText, m.text)
}

// listed reports whether a rule limited to methods (none: every method)
// names the request method.
func (r *l3Request) listed(methods []l3Method) bool {
	if len(methods) == 0 {
		return true
	}
	for _, m := range methods {
		if r.is(m) {
			return true
		}
	}
	return false
}

// serves reports whether q lists the request method among its methods.
func (r *l3Request) serves(q *l3Profile) bool {
	for _, m := range q.serves {
		if r.is(m) {
			return true
		}
	}
	return false
}

// anyMethod reports whether every per-method rule of profile q applies to
// the request: the method is not said, or q does not serve it at all (a
// gateway in front of an RPC sees POST on every resource), so q's
// per-method rules cannot tell it apart. A mixin serves what its profile
// serves, so for a mixin only an unsaid method counts.
func (r *l3Request) anyMethod(q *l3Profile) bool {
	return !r.said || q.hasMethods && !r.serves(q)
}

// lacks reports whether the request is known not to meet a condition: it
// does not carry it, and the caller said the header is absent.
func (r *l3Request) lacks(hc header.Condition) bool {
	if hc.MetBy(r.headers) {
		return false
	}
	if r.complete {
		return true
	}
	for _, name := range r.absent {
		if strings.EqualFold(strings.TrimSpace(name), hc.Name) {
			return true
		}
	}
	return false
}

// meets reports whether the request is known to meet a rule's conditions:
// it carries one of has (if any) and lacks every one of lacks.
func (r *l3Request) meets(has, lacks []header.Condition) bool {
	if len(has) > 0 {
		met := false
		for _, hc := range has {
			if hc.MetBy(r.headers) {
				met = true
				break
			}
		}
		if !met {
			return false
		}
	}
	for _, hc := range lacks {
		if !r.lacks(hc) {
			return false
		}
	}
	return true
}

// profiles walks the context's profiles and, after each, the profiles its
// pattern role presents.
func (r *l3Request) profiles() l3Walk { return l3Walk{r: r} }

// l3Walk walks a request's resolved profiles.
type l3Walk struct {
	r *l3Request
	i int
}

// next returns the next profile, or nil after the last.
func (w *l3Walk) next() *l3Profile {
	if w.r.many != nil {
		if w.i == len(w.r.many) {
			return nil
		}
		w.i++
		return w.r.many[w.i-1]
	}
	if w.i == w.r.n {
		return nil
	}
	w.i++
	return w.r.flat[w.i-1]
}

// allows reports whether the standalone profiles of the context (and those
// its pattern roles present) allow the request method; known is false when
// no profile lists methods (no profile, only mixins, or Alias, which takes
// its target's methods).
func (r *l3Request) allows() (allowed, known bool) {
	for w := r.profiles(); ; {
		q := w.next()
		if q == nil {
			return allowed, known
		}
		if !q.hasMethods {
			continue
		}
		known = true
		if allowed = r.serves(q); allowed {
			return allowed, known
		}
	}
}
