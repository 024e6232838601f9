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
func findOutcome(status int, ctx *Context) (p *statusdv1.Profile, o *statusdv1.MethodOutcome, i int) {
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

// findError finds a profile of the context that lists status among its
// errors for the request's method.
func findError(status int, ctx *Context) (p *statusdv1.Profile, e *statusdv1.ErrorStatus) {
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

// level3CodeRule picks the status of a code in a context from the
// catalog's profiles; ok is false when no profile rule applies and
// Connect's table answers.
func level3CodeRule(code statusdv1.Code, ctx *Context) (status int, ex explanation, ok bool) {
	x := ctx.catalog().level3()
	if code == statusdv1.Code_CODE_OK {
		return level3Success(ctx, x)
	}
	if p, e := profileError(code, ctx); e != nil {
		return int(e.GetStatus()), x.error(p, e), true
	}
	if code == statusdv1.Code_CODE_UNIMPLEMENTED && ctx.Method != "" {
		if allowed, known := ctx.allows(); known && !allowed {
			return 405, x.methodNotAllowed, true
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
func profileError(code statusdv1.Code, ctx *Context) (p *statusdv1.Profile, e *statusdv1.ErrorStatus) {
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

// level3Success picks the success status of the request: an outcome whose
// request condition is known to hold (Async's 202 on prefer:
// respond-async), else the outcome a profile gives the method (a profile
// that redirects every method, such as Alias, first), else 200.
func level3Success(ctx *Context, x *level3Index) (int, explanation, bool) {
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
		i := pickStatus(condO, ctx)
		return int(condO.GetStatuses()[i]), x.outcome(condP, condO, i), true
	case redirectO != nil:
		return int(redirectO.GetStatuses()[0]), x.outcome(redirectP, redirectO, 0), true
	case o != nil:
		return int(o.GetStatuses()[0]), x.outcome(p, o, 0), true
	}
	return 200, x.okDefault, true
}

// pickStatus picks among the statuses of a conditional outcome (a mixin's
// [201, 200]) the first one every standalone profile of the context uses,
// so that a mixin answers in the terms of the profile it is mixed into:
// 201 on a Form that creates, 200 on an Action that does not.
func pickStatus(o *statusdv1.MethodOutcome, ctx *Context) int {
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
