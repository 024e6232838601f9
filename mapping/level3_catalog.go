package mapping

import (
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
)

// The Level 3 answers that come from the catalog's profiles: success
// outcomes and error statuses, per method and request condition. Nothing
// here names a profile or a status of one; the catalog says it all.

// findOutcome finds a profile of the context that gives status as the
// success outcome of the request's method (of any method if the method is
// not said), with the outcome and the status's index in it. The status
// itself says whether the outcome's condition held, so conditions are not
// checked.
func findOutcome(status int, r *l3Request) (*l3Outcome, int) {
	for w := r.profiles(); ; {
		q := w.next()
		if q == nil {
			return nil, 0
		}
		if !q.outcomeStatuses.mayHold(status) {
			continue
		}
		anyMethod := r.anyMethod(q)
		for k := range q.outcomes {
			qo := &q.outcomes[k]
			if !anyMethod && !r.is(qo.method) {
				continue
			}
			for j, s := range qo.statuses {
				if int(s) == status {
					return qo, j
				}
			}
		}
	}
}

// findError finds a profile of the context that lists status among its
// errors for the request's method.
func findError(status int, r *l3Request) *l3Error {
	for w := r.profiles(); ; {
		q := w.next()
		if q == nil {
			return nil
		}
		if !q.errorStatuses.mayHold(status) {
			continue
		}
		anyMethod := r.anyMethod(q)
		for k := range q.errors {
			qe := &q.errors[k]
			if int(qe.status) == status && (anyMethod || r.listed(qe.methods)) {
				return qe
			}
		}
	}
}

// level3CodeRule picks the status of a code in a context from the
// catalog's profiles; ok is false when no profile rule applies and
// Connect's table answers.
func level3CodeRule(code statusdv1.Code, ctx *Context) (status int, ex explanation, ok bool) {
	r := newL3Request(ctx)
	if code == statusdv1.Code_CODE_OK {
		return level3Success(&r)
	}
	if e := profileError(code, &r); e != nil {
		return int(e.status), e.ex, true
	}
	if code == statusdv1.Code_CODE_UNIMPLEMENTED && r.said {
		if allowed, known := r.allows(); known && !allowed {
			return 405, r.x.methodNotAllowed, true
		}
	}
	return 0, explanation{}, false
}

// profileError picks the error status that means code in the context: an
// error of a profile of the context, listed for the method, whose status
// means code there. One whose request conditions are known to hold wins
// (412 for if-match, 428 for a PATCH said to lack content-type); one whose
// conditions are not known to hold never applies. Among unconditional
// ones, the status Connect's table gives wins, else the first listed.
func profileError(code statusdv1.Code, r *l3Request) *l3Error {
	connectStatus := int32(connectCodeToHTTP[code])
	var first *l3Error
	for w := r.profiles(); ; {
		q := w.next()
		if q == nil {
			return first
		}
		if q.errorCodes&codeBit(code) == 0 {
			continue
		}
		anyMethod := r.anyMethod(q)
		for k := range q.errors {
			qe := &q.errors[k]
			if qe.code != code || !(anyMethod || r.listed(qe.methods)) {
				continue
			}
			if qe.conditional {
				if r.meets(qe.has, qe.lacks) {
					return qe
				}
				continue
			}
			if first == nil || (qe.status == connectStatus && first.status != connectStatus) {
				first = qe
			}
		}
	}
}

// level3Success picks the success status of the request: an outcome whose
// request condition is known to hold (Async's 202 on prefer:
// respond-async), else the outcome a profile gives the method (a profile
// that redirects every method, such as Alias, first), else 200.
func level3Success(r *l3Request) (int, explanation, bool) {
	if !r.said {
		return 200, r.x.okDefault, true
	}
	var o, redirectO, condO *l3Outcome
walk:
	for w := r.profiles(); ; {
		q := w.next()
		if q == nil {
			break
		}
		for k := range q.outcomes {
			qo := &q.outcomes[k]
			if !r.is(qo.method) || len(qo.statuses) == 0 {
				continue
			}
			switch {
			case len(qo.has) > 0:
				if r.meets(qo.has, nil) {
					condO = qo
					break walk
				}
			case q.redirects:
				if redirectO == nil {
					redirectO = qo
				}
			case o == nil:
				o = qo
			}
		}
	}
	switch {
	case condO != nil:
		i := pickStatus(condO, r)
		return int(condO.statuses[i]), condO.ex[i], true
	case redirectO != nil:
		return int(redirectO.statuses[0]), redirectO.ex[0], true
	case o != nil:
		return int(o.statuses[0]), o.ex[0], true
	}
	return 200, r.x.okDefault, true
}

// pickStatus picks among the statuses of a conditional outcome (a mixin's
// [201, 200]) the first one every standalone profile of the context uses,
// so that a mixin answers in the terms of the profile it is mixed into:
// 201 on a Form that creates, 200 on an Action that does not.
func pickStatus(o *l3Outcome, r *l3Request) int {
	cat := r.x.cat
	for i, s := range o.statuses {
		entry, ok := cat.Status(int(s))
		if usedByAll(r, entry, ok) {
			return i
		}
	}
	return 0
}

// usedByAll reports whether every standalone profile of the context uses
// the status entry (found: ok).
func usedByAll(r *l3Request, entry *statusdv1.HttpStatus, ok bool) bool {
	for w := r.profiles(); ; {
		q := w.next()
		if q == nil {
			return true
		}
		if q.standalone && (!ok || !UsesStatus(q.p, entry)) {
			return false
		}
	}
}

// standalone reports whether p is a resource or control profile.
func standalone(p *statusdv1.Profile) bool {
	k := p.GetKind()
	return k == statusdv1.ProfileKind_PROFILE_KIND_RESOURCE || k == statusdv1.ProfileKind_PROFILE_KIND_CONTROL
}

// redirectsAlways reports whether every outcome of p is a redirect, as for
// Alias: such a resource answers every method by sending the client on, so
// the target profile named beside it does not give the outcome.
func redirectsAlways(p *statusdv1.Profile) bool {
	if len(p.GetOutcomes()) == 0 {
		return false
	}
	for _, o := range p.GetOutcomes() {
		for _, s := range o.GetStatuses() {
			if s < 300 || s >= 400 {
				return false
			}
		}
	}
	return true
}

// RedirectsAlways reports whether every outcome of profile p is a redirect
// (Level 3's Alias): the profiles named beside it do not rule the
// exchange's outcome.
func RedirectsAlways(p *statusdv1.Profile) bool { return redirectsAlways(p) }
