package mapping

import (
	"fmt"
	"strconv"
	"strings"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
)

// explanation is the rationale and citations of a Level 3 answer.
type explanation struct {
	rationale string
	citations []*statusdv1.Citation
}

// outcomeKey names one status of one outcome.
type outcomeKey struct {
	o *statusdv1.MethodOutcome
	i int
}

// level3Index holds the explanation of every Level 3 answer a catalog can
// give, assembled once from the catalog's entries when the catalog is
// built, so that answering allocates nothing. An answer about a status
// cites that status's catalog entry; an answer from a profile rule also
// cites the profile and says its condition.
type level3Index struct {
	cat              *Catalog
	byStatus         [MaxStatus + 1]explanation
	outside          explanation
	outcomes         map[outcomeKey]explanation
	errors           map[*statusdv1.ErrorStatus]explanation
	okDefault        explanation
	methodNotAllowed explanation
	// methods are the catalog's method classes; profiles its profiles
	// indexed (level3_profiles.go).
	methods  []string
	profiles map[*statusdv1.Profile]*l3Profile
	table    profileTable
}

func newLevel3Index(cat *Catalog) *level3Index {
	x := &level3Index{cat: cat, outcomes: map[outcomeKey]explanation{}, errors: map[*statusdv1.ErrorStatus]explanation{}}
	for status := MinStatus; status <= MaxStatus; status++ {
		x.byStatus[status] = explainGeneral(cat, status)
	}
	x.outside = explainGeneral(cat, 0)
	for _, p := range cat.Profiles() {
		for _, o := range p.GetOutcomes() {
			for i := range o.GetStatuses() {
				x.outcomes[outcomeKey{o, i}] = explainOutcome(cat, p, o, i)
			}
		}
		for _, e := range p.GetErrors() {
			x.errors[e] = explainError(cat, p, e)
		}
	}
	x.okDefault = explanation{
		rationale: "Level 3: success with no profile rule for the method that says otherwise is " + statusName(cat, 200) + ".",
		citations: statusCitations(cat, 200),
	}
	x.methodNotAllowed = explanation{
		rationale: "Level 3: the method is not among those the resource's profiles allow, so " + statusName(cat, 405) + " with allow.",
		citations: append(statusCitations(cat, 405), citeDesign),
	}
	x.indexProfiles()
	return x
}

// level3 returns the catalog's Level 3 explanations.
func (c *Catalog) level3() *level3Index { return c.l3 }

// general explains the general rule of a status.
func (x *level3Index) general(status int) explanation {
	if status < MinStatus || status > MaxStatus {
		return x.outside
	}
	return x.byStatus[status]
}

// outcome explains status i of outcome o of profile p. A profile from
// another catalog is explained on the spot.
func (x *level3Index) outcome(p *statusdv1.Profile, o *statusdv1.MethodOutcome, i int) explanation {
	if e, ok := x.outcomes[outcomeKey{o, i}]; ok {
		return e
	}
	return explainOutcome(x.cat, p, o, i)
}

// error explains error e of profile p.
func (x *level3Index) error(p *statusdv1.Profile, e *statusdv1.ErrorStatus) explanation {
	if ex, ok := x.errors[e]; ok {
		return ex
	}
	return explainError(x.cat, p, e)
}

func explainGeneral(cat *Catalog, status int) explanation {
	r := level3Rule(status)
	var cites []*statusdv1.Citation
	if status >= MinStatus && status <= MaxStatus {
		cites = statusCitations(cat, status)
	} else {
		cites = []*statusdv1.Citation{citeStatusCodes}
	}
	return explanation{rationale: r.rationale, citations: append(cites, r.extra...)}
}

func explainOutcome(cat *Catalog, p *statusdv1.Profile, o *statusdv1.MethodOutcome, i int) explanation {
	s := int(o.GetStatuses()[i])
	var b strings.Builder
	fmt.Fprintf(&b, "Level 3: %s answers a successful %s with %s", p.GetName(), o.GetMethod(), statusName(cat, s))
	if has := o.GetWhenRequestHas(); len(has) > 0 {
		b.WriteString(" when the request carries " + orList(has))
		if cond := o.GetCondition(); cond != "" {
			b.WriteString(" (" + sentencePart(cond) + ")")
		}
	}
	fmt.Fprintf(&b, ", so %d is ok.", s)
	return explanation{rationale: b.String(), citations: joinCitations(p.GetCitations(), statusCitations(cat, s))}
}

func explainError(cat *Catalog, p *statusdv1.Profile, e *statusdv1.ErrorStatus) explanation {
	s := int(e.GetStatus())
	methods := "any method"
	if m := e.GetMethods(); len(m) > 0 {
		methods = orList(m)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Level 3: %s answers %s with %s", p.GetName(), methods, statusName(cat, s))
	if cond := e.GetCondition(); cond != "" {
		b.WriteString(" when " + sentencePart(cond))
	}
	if r, ok := level3InProfile(s); ok {
		b.WriteString(": " + r.rationale + ".")
	} else {
		b.WriteString(", so " + codeLabel(level3ErrorCode(s)) + ".")
	}
	cites := joinCitations(p.GetCitations(), statusCitations(cat, s))
	return explanation{rationale: b.String(), citations: append(cites, citeCodes)}
}

// statusCitations returns the current (not legacy) citations of a status's
// catalog entry, or RFC 9110 section 15 for a status the catalog lacks.
func statusCitations(cat *Catalog, status int) []*statusdv1.Citation {
	var out []*statusdv1.Citation
	if entry, ok := cat.Status(status); ok {
		for _, c := range entry.GetCitations() {
			if !c.GetLegacy() {
				out = append(out, c)
			}
		}
	}
	if len(out) == 0 {
		out = append(out, citeStatusCodes)
	}
	return out
}

// statusName writes a status with its reason, such as "201 Created".
func statusName(cat *Catalog, status int) string {
	if entry, ok := cat.Status(status); ok {
		return strconv.Itoa(status) + " " + entry.GetReason()
	}
	return strconv.Itoa(status)
}

func joinCitations(a, b []*statusdv1.Citation) []*statusdv1.Citation {
	out := make([]*statusdv1.Citation, 0, len(a)+len(b)+1)
	return append(append(out, a...), b...)
}

// sentencePart turns a catalog sentence into a clause: no final period,
// and a lower-case first letter unless it starts an acronym such as PUT.
func sentencePart(s string) string {
	s = strings.TrimSuffix(strings.TrimSpace(s), ".")
	if len(s) >= 2 && 'A' <= s[0] && s[0] <= 'Z' && !('A' <= s[1] && s[1] <= 'Z') {
		return string(s[0]+'a'-'A') + s[1:]
	}
	return s
}

// orList writes "a", "a or b", "a, b or c".
func orList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}
