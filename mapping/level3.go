package mapping

import (
	"strconv"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
)

// The Level 3 dialect maps by meaning: a Level 3 status describes the
// client's request, not a broken proxy, so 400 is "fix your request" and 404
// is "no such resource". Its answers come from two places:
//
//   - the catalog's profiles (level3_catalog.go): their success outcomes per
//     method and request condition, and their error statuses per method and
//     condition. Every profile fact (which profile gives 201 on POST, when
//     428 applies) lives there, so an overlay changes Lookup and Validate
//     alike;
//   - the general reasoning below, keyed by status only: RFC 9110's meaning
//     of each status and class, and what it means to an RPC client. Where a
//     status has no Level 3 meaning, RFC 9110 section 15 applies: an
//     unrecognised status is treated as the x00 status of its class.
//
// Citations of RFC sections are never written here: an answer about a
// status cites that status's catalog entry.

// l3Rule is the general meaning of a status in the Level 3 dialect: its
// code and why. The status's catalog entry supplies the RFC citations;
// extra holds the other sources.
type l3Rule struct {
	code      statusdv1.Code
	rationale string
	extra     []*statusdv1.Citation
}

func cite(document, section, url string) *statusdv1.Citation {
	return &statusdv1.Citation{Document: document, Section: section, Url: url}
}

// RFCCitation cites a section of an RFC, such as RFCCitation(9110, "15.5.13").
func RFCCitation(rfc int, section string) *statusdv1.Citation {
	n := strconv.Itoa(rfc)
	url := "https://www.rfc-editor.org/rfc/rfc" + n
	if section != "" {
		url += "#section-" + section
	}
	return cite("RFC "+n, section, url)
}

// Level3Citation cites a page of the Level 3 site, such as
// Level3Citation("Form", "profiles/form").
func Level3Citation(name, path string) *statusdv1.Citation {
	return cite("Level 3: "+name, "", "https://level3.rest/"+path)
}

var (
	citeStatusTable = Level3Citation("HTTP status codes", "status_codes")
	citeDesign      = Level3Citation("design", "design")
	citeCodes       = cite("statusd.v1.Code", "", "https://github.com/statusd/statusd/blob/main/proto/statusd/v1/code.proto")
	citeAIP154      = cite("AIP-154", "", "https://google.aip.dev/154")
	// citeStatusCodes is RFC 9110 section 15, which says how to treat a
	// status the client does not recognise: for statuses with no catalog
	// entry.
	citeStatusCodes = RFCCitation(9110, "15")
)

// The general HTTP → code rules.
var (
	l3Informational = l3Rule{code: statusdv1.Code_CODE_OK, rationale: "Level 3: a 1xx status is interim, not an outcome, so it is not an error."}
	l3Success       = l3Rule{code: statusdv1.Code_CODE_OK, rationale: "Level 3: a 2xx status is success.",
		extra: []*statusdv1.Citation{citeStatusTable}}
	l3NotModified = l3Rule{code: statusdv1.Code_CODE_OK, rationale: "Level 3: 304 tells the client its cached copy is current, which is not an error."}
	l3Redirect    = l3Rule{code: statusdv1.Code_CODE_UNKNOWN, rationale: "Level 3: a redirect that no profile of the resource gives as its outcome is not an RPC outcome, so it is unknown.",
		extra: []*statusdv1.Citation{citeStatusTable}}
	l3FixRequest = l3Rule{code: statusdv1.Code_CODE_INVALID_ARGUMENT, rationale: "Level 3: the status says the client must fix its request (syntax, length, media type, semantics or a required header), so invalid_argument.",
		extra: []*statusdv1.Citation{citeStatusTable, citeCodes}}
	l3Unauthenticated = l3Rule{code: statusdv1.Code_CODE_UNAUTHENTICATED, rationale: "Level 3: the request lacks valid credentials for the server or a proxy, so unauthenticated.",
		extra: []*statusdv1.Citation{citeCodes}}
	l3Forbidden = l3Rule{code: statusdv1.Code_CODE_PERMISSION_DENIED, rationale: "Level 3: a 403 that no profile of the resource lists for the method refuses the caller, so permission_denied.",
		extra: []*statusdv1.Citation{citeCodes}}
	l3NotFound = l3Rule{code: statusdv1.Code_CODE_NOT_FOUND, rationale: "Level 3: a resource, not a method, is missing, so not_found.",
		extra: []*statusdv1.Citation{citeStatusTable}}
	l3Gone             = l3Rule{code: statusdv1.Code_CODE_NOT_FOUND, rationale: "Level 3: the resource is gone for good, so not_found."}
	l3MethodNotAllowed = l3Rule{code: statusdv1.Code_CODE_UNIMPLEMENTED, rationale: "Level 3: the resource does not support the method, so unimplemented.",
		extra: []*statusdv1.Citation{citeCodes}}
	l3NotAcceptable = l3Rule{code: statusdv1.Code_CODE_INVALID_ARGUMENT, rationale: "Level 3: no representation matches the request's accept headers; the client must change them, so invalid_argument."}
	l3RetrySame     = l3Rule{code: statusdv1.Code_CODE_UNAVAILABLE, rationale: "Level 3: the client may repeat the same request (timeout, misdirected, too early), so unavailable.",
		extra: []*statusdv1.Citation{citeCodes}}
	l3Conflict = l3Rule{code: statusdv1.Code_CODE_ABORTED, rationale: "Level 3: a test-and-set failed; re-read and retry the read-modify-write, so aborted (as AIP-154 does for an etag mismatch).",
		extra: []*statusdv1.Citation{citeStatusTable, citeAIP154}}
	l3TooLarge = l3Rule{code: statusdv1.Code_CODE_RESOURCE_EXHAUSTED, rationale: "Level 3: the request exceeds a size limit of the resource, so resource_exhausted.",
		extra: []*statusdv1.Citation{citeStatusTable}}
	l3Range = l3Rule{code: statusdv1.Code_CODE_OUT_OF_RANGE, rationale: "Level 3: the requested range lies outside the content, which is exactly out_of_range.",
		extra: []*statusdv1.Citation{citeStatusTable, citeCodes}}
	l3Expectation   = l3Rule{code: statusdv1.Code_CODE_UNIMPLEMENTED, rationale: "Level 3: the server does not implement the request's expectation; resend without expect, so unimplemented."}
	l3StateRequired = l3Rule{code: statusdv1.Code_CODE_FAILED_PRECONDITION, rationale: "Level 3: the resource is not in a state to serve the request (locked, a failed dependency, another protocol required), so failed_precondition.",
		extra: []*statusdv1.Citation{citeCodes}}
	l3RateLimited        = l3Rule{code: statusdv1.Code_CODE_RESOURCE_EXHAUSTED, rationale: "Level 3: the client exceeded a rate limit, so resource_exhausted."}
	l3Legal              = l3Rule{code: statusdv1.Code_CODE_PERMISSION_DENIED, rationale: "Level 3: access is denied for legal reasons, so permission_denied."}
	l3Canceled           = l3Rule{code: statusdv1.Code_CODE_CANCELED, rationale: "Level 3: 499 says the client closed the request, so canceled.", extra: []*statusdv1.Citation{citeCodes}}
	l3Internal           = l3Rule{code: statusdv1.Code_CODE_INTERNAL, rationale: "Level 3: the server failed, so internal."}
	l3NotImplemented     = l3Rule{code: statusdv1.Code_CODE_UNIMPLEMENTED, rationale: "Level 3: the server does not support the functionality (or the HTTP version) the request needs, so unimplemented."}
	l3Unavailable        = l3Rule{code: statusdv1.Code_CODE_UNAVAILABLE, rationale: "Level 3: the server or a gateway cannot serve now and likely will later; retry with back-off, so unavailable."}
	l3GatewayTimeout     = l3Rule{code: statusdv1.Code_CODE_DEADLINE_EXCEEDED, rationale: "Level 3: an upstream did not answer in time, so deadline_exceeded."}
	l3Storage            = l3Rule{code: statusdv1.Code_CODE_RESOURCE_EXHAUSTED, rationale: "Level 3: the server is out of storage, so resource_exhausted."}
	l3Unknown            = l3Rule{code: statusdv1.Code_CODE_UNKNOWN, rationale: "Level 3: the status has no RPC meaning, so unknown.", extra: []*statusdv1.Citation{citeCodes}}
	l3UnknownClientError = l3Rule{code: statusdv1.Code_CODE_INVALID_ARGUMENT, rationale: "Level 3: an unrecognised 4xx status is treated as 400 (RFC 9110 section 15), so invalid_argument."}
	l3UnknownServerError = l3Rule{code: statusdv1.Code_CODE_INTERNAL, rationale: "Level 3: an unrecognised 5xx status is treated as 500 (RFC 9110 section 15), so internal."}
	l3OutsideRange       = l3Rule{code: statusdv1.Code_CODE_UNKNOWN, rationale: "Level 3: a status outside 100-599 is not an HTTP status, so unknown."}
)

// level3Rule is the general rule for a status, with no profile in view.
func level3Rule(status int) *l3Rule {
	switch status {
	case 303, 307, 308:
		return &l3Redirect
	case 304:
		return &l3NotModified
	case 400, 411, 415, 422, 428:
		return &l3FixRequest
	case 401, 407, 511:
		return &l3Unauthenticated
	case 403:
		return &l3Forbidden
	case 404:
		return &l3NotFound
	case 405:
		return &l3MethodNotAllowed
	case 406:
		return &l3NotAcceptable
	case 408, 421, 425:
		return &l3RetrySame
	case 409, 412:
		return &l3Conflict
	case 410:
		return &l3Gone
	case 413, 414, 431:
		return &l3TooLarge
	case 416:
		return &l3Range
	case 417:
		return &l3Expectation
	case 402, 418:
		return &l3Unknown
	case 423, 424, 426:
		return &l3StateRequired
	case 429:
		return &l3RateLimited
	case 451:
		return &l3Legal
	case 499:
		return &l3Canceled
	case 501, 505:
		return &l3NotImplemented
	case 502, 503:
		return &l3Unavailable
	case 504:
		return &l3GatewayTimeout
	case 507:
		return &l3Storage
	}
	switch {
	case status < MinStatus || status > MaxStatus:
		return &l3OutsideRange
	case status < 200:
		return &l3Informational
	case status < 300:
		return &l3Success
	case status < 400:
		return &l3Redirect
	case status < 500:
		return &l3UnknownClientError
	case status == 500:
		return &l3Internal
	default:
		return &l3UnknownServerError
	}
}

// l3BusinessRule is what 403 means when a profile of the resource lists it
// among its errors for the method: Level 3's status table gives 403 to
// business rules. (A status a profile gives as its success outcome is ok,
// whatever it is.)
var l3BusinessRule = l3Rule{code: statusdv1.Code_CODE_FAILED_PRECONDITION,
	rationale: "a business-rule failure: retry only after the state changes, so failed_precondition"}

// level3InProfile is the meaning of a status a profile lists as an error,
// where it differs from the status's general meaning.
func level3InProfile(status int) (*l3Rule, bool) {
	if status == 403 {
		return &l3BusinessRule, true
	}
	return nil, false
}

// level3ErrorCode is the code of status when a profile lists it as an error.
func level3ErrorCode(status int) statusdv1.Code {
	if r, ok := level3InProfile(status); ok {
		return r.code
	}
	return level3Rule(status).code
}

func level3HTTPToCode(status int, ctx *Context) Translation {
	t := Translation{HTTPStatus: status, Dialect: statusdv1.Dialect_DIALECT_LEVEL3}
	r := newL3Request(ctx)
	if o, i := findOutcome(status, &r); o != nil {
		e := o.ex[i]
		t.Code, t.Rationale, t.Citations = statusdv1.Code_CODE_OK, e.rationale, e.citations
		return t
	}
	if e := findError(status, &r); e != nil {
		t.Code, t.Rationale, t.Citations = e.code, e.ex.rationale, e.ex.citations
		return t
	}
	ex := r.x.general(status)
	t.Code, t.Rationale, t.Citations = level3Rule(status).code, ex.rationale, ex.citations
	return t
}

func level3CodeToHTTP(code statusdv1.Code, ctx *Context) Translation {
	if ValidCode(code) {
		if status, ex, ok := level3CodeRule(code, ctx); ok {
			return Translation{HTTPStatus: status, Code: code, Dialect: statusdv1.Dialect_DIALECT_LEVEL3, Rationale: ex.rationale, Citations: ex.citations}
		}
	}
	// No context rule: Connect's table, said in Level 3's voice.
	return level3Table.codeToHTTP(code)
}

// level3Table holds Level 3's context-free answers: Connect's code → HTTP
// table with Level 3 rationales, and the general HTTP → code rules. Only
// its codes are read for HTTP → code (CodeOf); HTTPToCode explains each
// answer from the catalog instead.
var level3Table = newTableDialect(tableDialectSpec{
	dialect:       statusdv1.Dialect_DIALECT_LEVEL3,
	name:          "Level 3 (no profile rule applies, so the Connect protocol's table)",
	codeToHTTP:    connectCodeToHTTP,
	invalidCode:   500,
	codeCitations: connectCitations,
	httpRule: func(status int) Translation {
		r := level3Rule(status)
		return Translation{HTTPStatus: status, Code: r.code, Dialect: statusdv1.Dialect_DIALECT_LEVEL3, Rationale: r.rationale, Citations: r.extra}
	},
})
