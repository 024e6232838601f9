package conformance

import (
	"iter"
	"slices"
	"strconv"
	"strings"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/mapping"
)

// Citations of the Level 3 rules that are not taken from a profile.
var (
	citeProfiles = []*statusdv1.Citation{mapping.Level3Citation("Profiles", "profiles/profiles")}
	citeAllow    = []*statusdv1.Citation{mapping.Level3Citation("Design: send allow with HEAD and GET responses", "design")}
	citeStatuses = []*statusdv1.Citation{mapping.Level3Citation("HTTP status codes", "status_codes")}
	// citeAcceptPatch is where accept-patch is defined.
	citeAcceptPatch = mapping.RFCCitation(5789, "3.1")
)

func legacyProfile(ref string, p *statusdv1.Profile) Finding {
	return Finding{Rule: "l3.profile.legacy", Severity: infoSev, Citations: citeProfiles,
		Message: message("%s is an outdated identifier of %s; send <%s>.", ref, p.GetName(), p.GetUri())}
}

func unbracketedProfile(ref string) Finding {
	return Finding{Rule: "l3.profile.brackets", Severity: warningSev, Citations: citeProfiles,
		Message: message("profile value %q is not in angle brackets; send <%s>.", ref, ref)}
}

func unknownProfile(ref string) Finding {
	return Finding{Rule: "l3.profile.unknown", Severity: warningSev, Citations: citeProfiles,
		Message: message("%s is not a Level 3 profile, mixin or pattern role; check the URI (mixins live under /profiles/mixins/).", ref)}
}

// checkLevel3 applies the rules of the applied profiles.
func (c *checker) checkLevel3() {
	if c.nProfiles == 0 {
		c.add(Finding{Rule: "l3.profile.none", Severity: infoSev, Citations: citeProfiles,
			Message: "No Level 3 profile was given or sent, so only the RFC 9110 rules were applied; send a profile header to have the exchange checked against its profiles."})
		return
	}
	c.checkProfileHeader()
	methodOK := c.checkMethodAllowed()
	if methodOK {
		c.checkSuccessStatus()
	}
	c.checkAllowHeader()
	c.checkEmptyBody()
	c.checkStatusUsed()
	c.checkEntityValidators()
	c.checkAcceptPatch()
	c.checkRequiredHeaders()
}

// success reports whether the status is a final success or redirect.
func (c *checker) success() bool { return c.status >= 200 && c.status < 400 }

// checkProfileHeader: every Level 3 response names its profiles.
func (c *checker) checkProfileHeader() {
	if !c.fromRequest {
		return // the profiles came from the header
	}
	if !c.respSet.has(hProfile) {
		c.add(Finding{Rule: "l3.profile.missing", Severity: errorSev, Citations: citeProfiles,
			Message: message("Every Level 3 response carries its profiles; send profile: <%s>.", c.profileBuf[0].GetUri())})
		return
	}
	for _, p := range c.applied() {
		if !c.declares(p) && !c.counted("l3.profile.undeclared") { // bounded: reads the field once, formats once
			c.add(Finding{Rule: "l3.profile.undeclared", Severity: errorSev, Citations: citeProfiles,
				Message: message("The response's profile header does not list %s; add <%s>.", p.GetName(), p.GetUri())})
		}
	}
}

// ruling reports whether the own rules of applied profile i (outcomes,
// required headers) apply: pattern roles have none, and a profile that
// redirects every method (an Alias) stands for its target, so the target
// profile named beside it does not rule the exchange.
func (c *checker) ruling(i int) bool {
	switch c.profileBuf[i].GetKind() {
	case statusdv1.ProfileKind_PROFILE_KIND_PATTERN_ROLE:
		return false
	case statusdv1.ProfileKind_PROFILE_KIND_MIXIN:
		return true
	}
	return c.aliased == 0 || c.planBuf[i].redirectsAlways
}

// standalone reports whether p is a resource or control profile.
func standalone(p *statusdv1.Profile) bool {
	k := p.GetKind()
	return k == statusdv1.ProfileKind_PROFILE_KIND_RESOURCE || k == statusdv1.ProfileKind_PROFILE_KIND_CONTROL
}

// checkMethodAllowed: a successful response answers a method the resource
// allows (its allow header, else its profiles' methods). It reports whether
// the method is allowed or unknown.
func (c *checker) checkMethodAllowed() bool {
	if !c.success() || c.status == 304 {
		return true
	}
	allowed, present := c.allowsMethod, c.allowPresent
	where := "the response's allow header"
	if !present {
		known := false
		for i, p := range c.applied() {
			if standalone(p) && c.ruling(i) && len(p.GetMethods()) > 0 {
				known = true
				allowed = allowed || slices.Contains(p.GetMethods(), c.method) || slices.Contains(p.GetOptionalMethods(), c.method)
			}
		}
		if !known {
			return true
		}
		where = "its profiles"
	}
	if allowed {
		return true
	}
	c.add(Finding{Rule: "l3.method.allowed", Severity: errorSev, ExpectedStatus: 405, Citations: citeAllow,
		Message: message("%s is not among the methods %s allows, yet it succeeded with %d; answer 405 with allow, or add %s to allow.", c.method, where, c.status, c.method)})
	return false
}

// engaged reports whether applied mixin i takes part in this exchange: one
// of its outcomes' conditions holds for the method.
func (c *checker) engaged(i int) bool {
	pp := c.planBuf[i]
	for k, o := range c.profileBuf[i].GetOutcomes() {
		if op := &pp.outcomes[k]; len(op.conds) > 0 && o.GetMethod() == c.method && c.met(op) {
			return true
		}
	}
	return false
}

// withContent reports whether the request engages an outcome whose
// response carries the representation (Representation's prefer:
// return=representation).
func (c *checker) withContent() bool {
	for i, p := range c.applied() {
		for k, o := range p.GetOutcomes() {
			if op := &c.planBuf[i].outcomes[k]; o.GetWithContent() && len(op.conds) > 0 && o.GetMethod() == c.method && c.ruling(i) && c.met(op) {
				return true
			}
		}
	}
	return false
}

// checkSuccessStatus: a success status is one the profiles give for the
// method (their own, and their mixins' when the request engages them).
func (c *checker) checkSuccessStatus() {
	if !c.success() {
		return
	}
	var owner *statusdv1.Profile
	expected, conditional := 0, false
	for i, o := range c.outcomes() {
		if slices.Contains(o.GetStatuses(), int32(c.status)) {
			return
		}
		isCond := len(o.GetWhenRequestHas()) > 0
		if owner == nil || (isCond && !conditional) {
			owner, expected, conditional = c.profileBuf[i], int(o.GetStatuses()[0]), isCond
		}
	}
	if owner == nil {
		return // no profile defines this method's outcome
	}
	c.add(Finding{
		Rule:           "l3." + owner.GetId() + "." + strings.ToLower(c.method) + ".status",
		Severity:       errorSev,
		ExpectedStatus: expected,
		Citations:      c.withStatus(owner.GetCitations(), expected),
		Message: message("%s answers a successful %s with %s, not %d; send %d.",
			owner.GetName(), c.method, c.outcomeList(), c.status, expected),
	})
}

// withStatus returns the citations of a profile followed by the current
// citations of the catalog entry of status, the one a finding points to.
func (c *checker) withStatus(profile []*statusdv1.Citation, status int) []*statusdv1.Citation {
	out := slices.Clip(profile)
	if entry, ok := c.cat.Status(status); ok {
		for _, ct := range entry.GetCitations() {
			if !ct.GetLegacy() {
				out = append(out, ct)
			}
		}
	}
	return out
}

// outcomes yields the outcomes of the ruling profiles for the request's
// method whose conditions the request meets, with the index of their
// profile among the applied ones.
func (c *checker) outcomes() iter.Seq2[int, *statusdv1.MethodOutcome] {
	return func(yield func(int, *statusdv1.MethodOutcome) bool) {
		for i, p := range c.applied() {
			if !c.ruling(i) {
				continue
			}
			for k, o := range p.GetOutcomes() {
				if o.GetMethod() == c.method && c.met(&c.planBuf[i].outcomes[k]) && !yield(i, o) {
					return
				}
			}
		}
	}
}

// outcomeList names the success statuses the profiles allow for the method.
func (c *checker) outcomeList() string {
	var all []string
	for _, o := range c.outcomes() {
		for _, s := range o.GetStatuses() {
			if v := strconv.Itoa(int(s)); !slices.Contains(all, v) {
				all = append(all, v)
			}
		}
	}
	return strings.Join(all, " or ")
}

// checkAllowHeader: HEAD and GET responses carry allow.
func (c *checker) checkAllowHeader() {
	if c.method != "HEAD" && c.method != "GET" {
		return
	}
	if !(c.status >= 200 && c.status < 300) && !c.redirectOutcome() {
		return
	}
	if !c.respSet.has(hAllow) {
		c.add(Finding{Rule: "l3.allow.missing", Severity: errorSev, Citations: citeAllow,
			Message: message("Level 3 responses to %s carry allow; send allow with the resource's methods.", c.method)})
	}
}

// redirectOutcome reports whether the status is the outcome of a profile
// that redirects every method (an Alias's 307 and 308): that response
// stands for the resource, so it carries allow like a 2xx.
func (c *checker) redirectOutcome() bool {
	for i, o := range c.outcomes() {
		if c.planBuf[i].redirectsAlways && slices.Contains(o.GetStatuses(), int32(c.status)) {
			return true
		}
	}
	return false
}

// checkEmptyBody: 201 and 202 carry no content unless the client asked for
// the representation.
func (c *checker) checkEmptyBody() {
	if (c.status != 201 && c.status != 202) || !c.hasBody() || c.withContent() {
		return
	}
	c.add(Finding{Rule: "l3.body.empty", Severity: errorSev, Citations: citeStatuses,
		Message: message("In Level 3 a %d response has no content, but this one has %d bytes; send no body, or offer the Representation mixin and return it on prefer: return=representation.", c.status, c.ex.GetResponseBodySize())})
}

// checkStatusUsed: a Level 3 error status belongs to some applied profile
// (412 without Entity, 416 without Content).
func (c *checker) checkStatusUsed() {
	if c.status < 400 || c.status == 403 { // 403 also refuses unauthorised callers
		return
	}
	entry, ok := c.cat.Status(c.status)
	if !ok || !entry.GetLevel3() || entry.GetAllProfiles() {
		return
	}
	for _, p := range c.applied() {
		if mapping.UsesStatus(p, entry) {
			return
		}
	}
	c.add(Finding{Rule: "l3.status.unused", Severity: warningSev, Citations: citeStatuses,
		Message: message("%d %s is not a status of %s in Level 3; check the status, or add the profile that defines it.", c.status, entry.GetReason(), c.profileNames())})
}

func (c *checker) profileNames() string {
	names := make([]string, 0, c.nProfiles)
	for _, p := range c.applied() {
		names = append(names, p.GetName())
	}
	return strings.Join(names, ", ")
}

// checkEntityValidators: a profile whose HEAD and GET responses list both
// validators (Entity: "at least one of etag and last-modified") carries
// at least one of them on a 2xx to HEAD or GET. The catalog marks both
// optional, since either will do; this rule needs the "one of".
func (c *checker) checkEntityValidators() {
	if (c.method != "HEAD" && c.method != "GET") || c.status < 200 || c.status >= 300 ||
		c.respSet.has(hETag) || c.respSet.has(hLastModified) {
		return
	}
	for _, p := range c.applied() {
		if listsResponseHeader(p, "etag", c.method) && listsResponseHeader(p, "last-modified", c.method) {
			c.add(Finding{Rule: "l3." + p.GetId() + ".validators", Severity: errorSev, Citations: p.GetCitations(),
				Message: message("%s answers HEAD and GET with at least one validator; send etag or last-modified.", p.GetName())})
			return
		}
	}
}

// listsResponseHeader reports whether p has a response header rule for
// name that applies to method.
func listsResponseHeader(p *statusdv1.Profile, name, method string) bool {
	for _, h := range p.GetResponseHeaders() {
		if h.GetName() == name && (len(h.GetMethods()) == 0 || slices.Contains(h.GetMethods(), method)) {
			return true
		}
	}
	return false
}

// checkAcceptPatch: a resource whose allow lists PATCH says which patch
// types it takes (RFC 5789 section 3.1); a profile that may allow PATCH and
// lists accept-patch among its response headers (Data) makes it a MUST.
func (c *checker) checkAcceptPatch() {
	if !c.allowsPatch || c.respSet.has(hAcceptPatch) {
		return
	}
	for _, p := range c.applied() {
		if slices.Contains(p.GetOptionalMethods(), "PATCH") || slices.Contains(p.GetMethods(), "PATCH") {
			if listsResponseHeader(p, "accept-patch", "PATCH") {
				c.add(Finding{Rule: "l3." + p.GetId() + ".accept-patch", Severity: errorSev,
					Citations: append(slices.Clip(p.GetCitations()), citeAcceptPatch),
					Message:   message("allow lists PATCH, so the %s resource must send accept-patch with the patch media types it takes, such as application/merge-patch+json.", p.GetName())})
				return
			}
		}
	}
}

// checkRequiredHeaders applies the profiles' required response headers: the
// standalone profiles' always, a mixin's when the request engages it.
func (c *checker) checkRequiredHeaders() {
	for i, p := range c.applied() {
		if !c.ruling(i) || (p.GetKind() == statusdv1.ProfileKind_PROFILE_KIND_MIXIN && !c.engaged(i)) {
			continue
		}
		for j := range c.planBuf[i].required {
			// location is not required of a response that carries the
			// representation itself (asked for with prefer).
			r := &c.planBuf[i].required[j]
			if !c.inScope(r.rule) || c.respHas(r) || (r.id == hLocation && c.withContent()) {
				continue
			}
			c.missingHeader(p, r.rule)
		}
	}
}

// inScope reports whether a header rule applies to this exchange: its
// methods and statuses match, and a rule without statuses applies to
// success responses only, 304 left out (it revalidates a cached response
// and carries only its validators and cache headers, RFC 9110 15.4.5).
func (c *checker) inScope(h *statusdv1.HeaderRule) bool {
	if len(h.GetMethods()) > 0 && !slices.Contains(h.GetMethods(), c.method) {
		return false
	}
	if len(h.GetStatuses()) > 0 {
		return slices.Contains(h.GetStatuses(), int32(c.status))
	}
	return c.success() && c.status != 304
}

// missingHeader reports a required header that is missing. If an RFC rule
// already reported it, the Level 3 finding replaces that one.
func (c *checker) missingHeader(p *statusdv1.Profile, h *statusdv1.HeaderRule) {
	id := "l3." + p.GetId()
	if len(h.GetMethods()) == 1 {
		id += "." + strings.ToLower(h.GetMethods()[0])
	}
	id += "." + h.GetName()
	sev := errorSev
	verb := "must"
	if h.GetRequirement() == statusdv1.Requirement_REQUIREMENT_RECOMMENDED {
		sev, verb = warningSev, "should"
	}
	msg := message("%s %s send %s on a %d response to %s", p.GetName(), verb, h.GetName(), c.status, c.method)
	if note := h.GetNote(); note != "" {
		msg += " (" + lowerFirst(strings.TrimSuffix(note, ".")) + ")"
	}
	f := Finding{Rule: id, Severity: sev, Citations: p.GetCitations(), Message: msg + "."}
	for i, old := range c.findings {
		if c.wasReported(h.GetName()) && strings.HasPrefix(old.Rule, "rfc9110.") && strings.HasSuffix(old.Rule, "."+h.GetName()) {
			if sev <= old.Severity {
				c.findings[i] = f
			}
			return
		}
	}
	c.add(f)
}

// lowerFirst lower-cases the first letter of a sentence that goes inside
// another, unless it starts an acronym such as HEAD.
func lowerFirst(s string) string {
	if len(s) >= 2 && 'A' <= s[0] && s[0] <= 'Z' && !('A' <= s[1] && s[1] <= 'Z') {
		return string(s[0]+'a'-'A') + s[1:]
	}
	return s
}
