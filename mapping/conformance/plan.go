package conformance

import (
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/mapping"
	"github.com/statusd/statusd/mapping/header"
)

// profilePlan is what the Level 3 rules ask of one profile, read from the
// catalog once (plans) instead of on every Check: whether it redirects
// every method, the response headers it requires or recommends with their
// header ids, and its outcomes' conditions, parsed.
type profilePlan struct {
	redirectsAlways bool
	// required are the response header rules of requirement REQUIRED or
	// RECOMMENDED, without allow and profile (which rules of their own
	// check).
	required []requiredHeader
	// outcomes[k] is the condition of the profile's k-th outcome.
	outcomes []outcomePlan
}

// requiredHeader is a response header rule with its header id.
type requiredHeader struct {
	rule *statusdv1.HeaderRule
	id   uint8 // unknownHeader for a name the index does not know
}

// outcomePlan is an outcome's when_request_has: the request meets it when
// it carries any of conds (always when there are none).
type outcomePlan struct {
	conds []condition
}

// condition is one parsed when_request_has entry with its header id.
type condition struct {
	header.Condition
	id uint8 // unknownHeader for a name the index does not know
}

// plans holds the plan of every profile of a catalog, built on its first
// Check.
var plans = mapping.NewDerived(func(cat *mapping.Catalog) map[*statusdv1.Profile]*profilePlan {
	m := make(map[*statusdv1.Profile]*profilePlan, len(cat.Profiles()))
	for _, p := range cat.Profiles() {
		m[p] = newProfilePlan(p)
	}
	return m
})

func newProfilePlan(p *statusdv1.Profile) *profilePlan {
	pp := &profilePlan{redirectsAlways: mapping.RedirectsAlways(p), outcomes: make([]outcomePlan, len(p.GetOutcomes()))}
	for _, h := range p.GetResponseHeaders() {
		req := h.GetRequirement()
		if name := h.GetName(); (req == statusdv1.Requirement_REQUIREMENT_REQUIRED || req == statusdv1.Requirement_REQUIREMENT_RECOMMENDED) &&
			name != "allow" && name != "profile" {
			pp.required = append(pp.required, requiredHeader{rule: h, id: knownID(name)})
		}
	}
	for k, o := range p.GetOutcomes() {
		for _, cond := range o.GetWhenRequestHas() {
			hc := header.ParseCondition(cond)
			pp.outcomes[k].conds = append(pp.outcomes[k].conds, condition{Condition: hc, id: knownID(hc.Name)})
		}
	}
	return pp
}

// lookupPlan returns p's plan from the catalog's plans, or one made on the
// spot for a profile the catalog does not hold.
func (c *checker) lookupPlan(p *statusdv1.Profile) *profilePlan {
	if c.plans == nil {
		c.plans = plans.Of(c.cat)
	}
	if pp, ok := c.plans[p]; ok {
		return pp
	}
	return newProfilePlan(p)
}

// met reports whether the request meets an outcome's condition, reading
// each request field within the bounds of eachElement.
func (c *checker) met(op *outcomePlan) bool {
	if len(op.conds) == 0 {
		return true
	}
	for i := range op.conds {
		cond := &op.conds[i]
		switch {
		case cond.Element != "":
			if c.reqHasToken(cond.Name, cond.Element) {
				return true
			}
		case cond.id != unknownHeader:
			if c.reqSet.has(cond.id) {
				return true
			}
		case c.req(cond.Name):
			return true
		}
	}
	return false
}

// respHas reports whether the response carries the header of rule r.
func (c *checker) respHas(r *requiredHeader) bool {
	if r.id != unknownHeader {
		return c.respSet.has(r.id)
	}
	return c.resp(r.rule.GetName())
}
