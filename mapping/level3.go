package mapping

import (
	"strconv"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
)

// The Level 3 dialect maps by meaning: a Level 3 status describes the
// client's request, not a broken proxy, so 400 is "fix your request" and 404
// is "no such resource". It is aware of the resource's profiles, the method
// and the request headers. Where a status has no Level 3 meaning, RFC 9110
// section 15 applies: an unrecognised status is treated as the x00 status
// of its class.

// l3 is one rule of the Level 3 dialect: its answer and why.
type l3 struct {
	code      statusdv1.Code // the answer of an HTTP → code rule
	status    int            // the answer of a code → HTTP rule
	rationale string
	citations []*statusdv1.Citation
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

func rfc9110(section string) *statusdv1.Citation { return RFCCitation(9110, section) }

func level3Page(name, path string) *statusdv1.Citation { return Level3Citation(name, path) }

var (
	citeStatusTable = level3Page("HTTP status codes", "status_codes")
	citeCodes       = cite("statusd.v1.Code", "", "https://github.com/statusd/statusd/blob/main/proto/statusd/v1/code.proto")
	citeAIP154      = cite("AIP-154", "", "https://google.aip.dev/154")
)

// HTTP → code rules.
var (
	l3Informational = l3{code: statusdv1.Code_CODE_OK, rationale: "Level 3: a 1xx status is interim, not an outcome, so it is not an error.",
		citations: []*statusdv1.Citation{rfc9110("15.2")}}
	l3Success = l3{code: statusdv1.Code_CODE_OK, rationale: "Level 3: a 2xx status is success.",
		citations: []*statusdv1.Citation{rfc9110("15.3"), citeStatusTable}}
	l3NotModified = l3{code: statusdv1.Code_CODE_OK, rationale: "Level 3: 304 tells the client its cached copy is current, which is not an error.",
		citations: []*statusdv1.Citation{rfc9110("15.4.5"), level3Page("Entity", "profiles/mixins/entity")}}
	l3Redirect = l3{code: statusdv1.Code_CODE_OK, rationale: "Level 3: 303, 307 and 308 are the normal outcome of Action, Lookup and Alias resources; keep the location header.",
		citations: []*statusdv1.Citation{citeStatusTable, level3Page("Action", "profiles/action"), level3Page("Lookup", "profiles/lookup"), level3Page("Alias", "profiles/alias")}}
	l3OtherRedirect = l3{code: statusdv1.Code_CODE_UNKNOWN, rationale: "Level 3: a redirect that no Action, Lookup or Alias profile explains is not an RPC outcome, so it is unknown.",
		citations: []*statusdv1.Citation{rfc9110("15.4"), citeStatusTable}}
	l3FixRequest = l3{code: statusdv1.Code_CODE_INVALID_ARGUMENT, rationale: "Level 3: the status says the client must fix its request (syntax, length, media type, semantics or a required header), so invalid_argument.",
		citations: []*statusdv1.Citation{citeStatusTable, citeCodes}}
	l3Unauthenticated = l3{code: statusdv1.Code_CODE_UNAUTHENTICATED, rationale: "Level 3: the request lacks valid credentials for the server or a proxy, so unauthenticated.",
		citations: []*statusdv1.Citation{rfc9110("15.5.2"), citeCodes}}
	l3BusinessRule = l3{code: statusdv1.Code_CODE_FAILED_PRECONDITION, rationale: "Level 3: 403 from an Action, Data or Form resource is a business-rule failure; retry only after the state changes, so failed_precondition.",
		citations: []*statusdv1.Citation{citeStatusTable, level3Page("Data", "profiles/data"), citeCodes}}
	l3Forbidden = l3{code: statusdv1.Code_CODE_PERMISSION_DENIED, rationale: "Level 3: 403 outside Action, Data and Form refuses the caller, so permission_denied.",
		citations: []*statusdv1.Citation{rfc9110("15.5.4"), citeCodes}}
	l3NotFound = l3{code: statusdv1.Code_CODE_NOT_FOUND, rationale: "Level 3: a resource, not a method, is missing, so not_found.",
		citations: []*statusdv1.Citation{citeStatusTable, rfc9110("15.5.5")}}
	l3Gone = l3{code: statusdv1.Code_CODE_NOT_FOUND, rationale: "Level 3: the resource is gone for good, so not_found.",
		citations: []*statusdv1.Citation{rfc9110("15.5.11")}}
	l3MethodNotAllowed = l3{code: statusdv1.Code_CODE_UNIMPLEMENTED, rationale: "Level 3: the resource does not support the method, so unimplemented.",
		citations: []*statusdv1.Citation{rfc9110("15.5.6"), citeCodes}}
	l3NotAcceptable = l3{code: statusdv1.Code_CODE_INVALID_ARGUMENT, rationale: "Level 3: no representation matches the request's accept headers; the client must change them, so invalid_argument.",
		citations: []*statusdv1.Citation{rfc9110("15.5.7")}}
	l3RetrySame = l3{code: statusdv1.Code_CODE_UNAVAILABLE, rationale: "Level 3: the client may repeat the same request (timeout, misdirected, too early), so unavailable.",
		citations: []*statusdv1.Citation{rfc9110("15.5.9"), citeCodes}}
	l3Conflict = l3{code: statusdv1.Code_CODE_ABORTED, rationale: "Level 3: a test-and-set failed; re-read and retry the read-modify-write, so aborted (as AIP-154 does for an etag mismatch).",
		citations: []*statusdv1.Citation{citeStatusTable, rfc9110("15.5.13"), citeAIP154}}
	l3TooLarge = l3{code: statusdv1.Code_CODE_RESOURCE_EXHAUSTED, rationale: "Level 3: the request exceeds a size limit of the resource, so resource_exhausted.",
		citations: []*statusdv1.Citation{citeStatusTable, rfc9110("15.5.14")}}
	l3Range = l3{code: statusdv1.Code_CODE_OUT_OF_RANGE, rationale: "Level 3: the requested range lies outside the content, which is exactly out_of_range.",
		citations: []*statusdv1.Citation{citeStatusTable, level3Page("Content", "profiles/content"), citeCodes}}
	l3NoPreflight = l3{code: statusdv1.Code_CODE_UNIMPLEMENTED, rationale: "Level 3: the Preflight resource cannot preflight this request; resend the full request without expect, so unimplemented.",
		citations: []*statusdv1.Citation{citeStatusTable, level3Page("Preflight", "profiles/mixins/preflight")}}
	l3Expectation = l3{code: statusdv1.Code_CODE_UNIMPLEMENTED, rationale: "Level 3: the server does not implement the request's expectation; resend without expect, so unimplemented.",
		citations: []*statusdv1.Citation{rfc9110("15.5.18")}}
	l3StateRequired = l3{code: statusdv1.Code_CODE_FAILED_PRECONDITION, rationale: "Level 3: the resource is not in a state to serve the request (locked, a failed dependency, another protocol required), so failed_precondition.",
		citations: []*statusdv1.Citation{citeCodes}}
	l3RateLimited = l3{code: statusdv1.Code_CODE_RESOURCE_EXHAUSTED, rationale: "Level 3: the client exceeded a rate limit, so resource_exhausted.",
		citations: []*statusdv1.Citation{cite("RFC 6585", "4", "https://www.rfc-editor.org/rfc/rfc6585#section-4")}}
	l3Legal = l3{code: statusdv1.Code_CODE_PERMISSION_DENIED, rationale: "Level 3: access is denied for legal reasons, so permission_denied.",
		citations: []*statusdv1.Citation{cite("RFC 7725", "3", "https://www.rfc-editor.org/rfc/rfc7725#section-3")}}
	l3Canceled = l3{code: statusdv1.Code_CODE_CANCELED, rationale: "Level 3: 499 says the client closed the request, so canceled.",
		citations: []*statusdv1.Citation{citeCodes}}
	l3Internal = l3{code: statusdv1.Code_CODE_INTERNAL, rationale: "Level 3: the server failed, so internal.",
		citations: []*statusdv1.Citation{rfc9110("15.6.1")}}
	l3NotImplemented = l3{code: statusdv1.Code_CODE_UNIMPLEMENTED, rationale: "Level 3: the server does not support the functionality (or the HTTP version) the request needs, so unimplemented.",
		citations: []*statusdv1.Citation{rfc9110("15.6.2")}}
	l3Unavailable = l3{code: statusdv1.Code_CODE_UNAVAILABLE, rationale: "Level 3: the server or a gateway cannot serve now and likely will later; retry with back-off, so unavailable.",
		citations: []*statusdv1.Citation{rfc9110("15.6.4")}}
	l3GatewayTimeout = l3{code: statusdv1.Code_CODE_DEADLINE_EXCEEDED, rationale: "Level 3: an upstream did not answer in time, so deadline_exceeded.",
		citations: []*statusdv1.Citation{rfc9110("15.6.5")}}
	l3Storage = l3{code: statusdv1.Code_CODE_RESOURCE_EXHAUSTED, rationale: "Level 3: the server is out of storage, so resource_exhausted.",
		citations: []*statusdv1.Citation{cite("RFC 4918", "11.5", "https://www.rfc-editor.org/rfc/rfc4918#section-11.5")}}
	l3Unknown = l3{code: statusdv1.Code_CODE_UNKNOWN, rationale: "Level 3: the status has no RPC meaning, so unknown.",
		citations: []*statusdv1.Citation{citeCodes}}
	l3UnknownClientError = l3{code: statusdv1.Code_CODE_INVALID_ARGUMENT, rationale: "Level 3: an unrecognised 4xx status is treated as 400 (RFC 9110 section 15), so invalid_argument.",
		citations: []*statusdv1.Citation{rfc9110("15")}}
	l3UnknownServerError = l3{code: statusdv1.Code_CODE_INTERNAL, rationale: "Level 3: an unrecognised 5xx status is treated as 500 (RFC 9110 section 15), so internal.",
		citations: []*statusdv1.Citation{rfc9110("15")}}
	l3OutsideRange = l3{code: statusdv1.Code_CODE_UNKNOWN, rationale: "Level 3: a status outside 100-599 is not an HTTP status, so unknown.",
		citations: []*statusdv1.Citation{rfc9110("15")}}
)

// level3HTTPRule picks the HTTP → code rule for a status in a context.
func level3HTTPRule(status int, ctx *Context) *l3 {
	switch status {
	case 303, 307, 308:
		if ctx.isAny("action", "lookup", "alias") {
			return &l3Redirect
		}
		return &l3OtherRedirect
	case 304:
		return &l3NotModified
	case 400, 411, 415, 422, 428:
		return &l3FixRequest
	case 401, 407, 511:
		return &l3Unauthenticated
	case 403:
		if ctx.isAny("action", "data", "form") {
			return &l3BusinessRule
		}
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
		if ctx.is("preflight") {
			return &l3NoPreflight
		}
		return &l3Expectation
	case 418:
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
	case 402:
		return &l3Unknown
	}
	switch {
	case status < MinStatus || status > MaxStatus:
		return &l3OutsideRange
	case status < 200:
		return &l3Informational
	case status < 300:
		return &l3Success
	case status < 400:
		return &l3OtherRedirect
	case status < 500:
		return &l3UnknownClientError
	case status == 500:
		return &l3Internal
	default:
		return &l3UnknownServerError
	}
}

// Code → HTTP rules: context refines Connect's table.
var (
	l3FormCreated = l3{status: 201, rationale: "Level 3: Form and Upload answer a successful POST with 201 Created and a location.",
		citations: []*statusdv1.Citation{level3Page("Form", "profiles/form"), level3Page("Upload", "profiles/upload")}}
	l3SeeOther = l3{status: 303, rationale: "Level 3: Action and Lookup answer a successful POST with 303 See Other and a location.",
		citations: []*statusdv1.Citation{level3Page("Action", "profiles/action"), level3Page("Lookup", "profiles/lookup")}}
	l3NoContent = l3{status: 204, rationale: "Level 3: Data, Content and Nexus answer a successful PUT, PATCH or DELETE with 204 No Content.",
		citations: []*statusdv1.Citation{citeStatusTable, level3Page("Data", "profiles/data")}}
	l3AliasRedirect = l3{status: 307, rationale: "Level 3: an Alias answers every method with a redirect, 307 unless the move is permanent (308).",
		citations: []*statusdv1.Citation{level3Page("Alias", "profiles/alias")}}
	l3AsyncAccepted = l3{status: 202, rationale: "Level 3: an Async resource asked for prefer: respond-async answers 202 Accepted.",
		citations: []*statusdv1.Citation{level3Page("Async", "profiles/mixins/async"), cite("RFC 7240", "4.1", "https://www.rfc-editor.org/rfc/rfc7240#section-4.1")}}
	l3ReprCreated = l3{status: 201, rationale: "Level 3: a Representation resource asked for prefer: return=representation answers a creating POST with 201 and the representation.",
		citations: []*statusdv1.Citation{level3Page("Representation", "profiles/mixins/representation")}}
	l3ReprOK = l3{status: 200, rationale: "Level 3: a Representation resource asked for prefer: return=representation answers 200 with the representation instead of 204 or a redirect.",
		citations: []*statusdv1.Citation{level3Page("Representation", "profiles/mixins/representation")}}
	l3OK = l3{status: 200, rationale: "Level 3: success with no profile rule that says otherwise is 200 OK.",
		citations: []*statusdv1.Citation{rfc9110("15.3.1")}}
	l3ToBusinessRule = l3{status: 403, rationale: "Level 3: Action, Data and Form report a business-rule failure with 403 Forbidden.",
		citations: []*statusdv1.Citation{citeStatusTable, level3Page("Data", "profiles/data")}}
	l3ToPrecondition = l3{status: 412, rationale: "Level 3: an Entity resource answers a failed if-match or if-unmodified-since with 412 Precondition Failed.",
		citations: []*statusdv1.Citation{level3Page("Entity", "profiles/mixins/entity"), rfc9110("15.5.13")}}
	l3ToPreconditionRequired = l3{status: 428, rationale: "Level 3: a Data resource answers a PATCH without content-type with 428 Precondition Required.",
		citations: []*statusdv1.Citation{citeStatusTable, level3Page("Data", "profiles/data")}}
	l3ToRange = l3{status: 416, rationale: "Level 3: a Content resource answers an unsatisfiable range with 416 and content-range: bytes */N.",
		citations: []*statusdv1.Citation{level3Page("Content", "profiles/content"), rfc9110("15.5.17")}}
	l3ToTooLarge = l3{status: 413, rationale: "Level 3: Content PUT and Upload POST answer oversized content with 413.",
		citations: []*statusdv1.Citation{citeStatusTable, level3Page("Content", "profiles/content")}}
	l3ToExpectation = l3{status: 417, rationale: "Level 3: a Preflight resource that cannot preflight answers expect: 100-continue with 417.",
		citations: []*statusdv1.Citation{level3Page("Preflight", "profiles/mixins/preflight"), rfc9110("15.5.18")}}
	l3ToMethodNotAllowed = l3{status: 405, rationale: "Level 3: the method is not in the profile's allow list, so 405 Method Not Allowed with allow.",
		citations: []*statusdv1.Citation{rfc9110("15.5.6"), level3Page("design", "design")}}
)

// level3CodeRule picks the code → HTTP rule for a code in a context; nil
// means no context rule applies and Connect's table answers.
func level3CodeRule(code statusdv1.Code, ctx *Context) *l3 {
	switch code {
	case statusdv1.Code_CODE_OK:
		return level3Success(ctx)
	case statusdv1.Code_CODE_FAILED_PRECONDITION:
		if ctx.isAny("action", "data", "form") {
			return &l3ToBusinessRule
		}
	case statusdv1.Code_CODE_ABORTED:
		if ctx.is("entity") && (ctx.hasHeader("if-match") || ctx.hasHeader("if-unmodified-since")) {
			return &l3ToPrecondition
		}
	case statusdv1.Code_CODE_INVALID_ARGUMENT:
		if ctx.is("data") && ctx.method("PATCH") && !ctx.hasHeader("content-type") {
			return &l3ToPreconditionRequired
		}
	case statusdv1.Code_CODE_OUT_OF_RANGE:
		if ctx.is("content") && ctx.hasHeader("range") {
			return &l3ToRange
		}
	case statusdv1.Code_CODE_RESOURCE_EXHAUSTED:
		if (ctx.is("content") && ctx.method("PUT")) || (ctx.is("upload") && ctx.method("POST")) {
			return &l3ToTooLarge
		}
	case statusdv1.Code_CODE_UNIMPLEMENTED:
		if ctx.is("preflight") && ctx.hasToken("expect", "100-continue") {
			return &l3ToExpectation
		}
		if ctx.Method != "" {
			if allowed, known := ctx.allows(); known && !allowed {
				return &l3ToMethodNotAllowed
			}
		}
	}
	return nil
}

// level3Success picks the success status of a method on a profile.
func level3Success(ctx *Context) *l3 {
	if ctx.is("async") && ctx.method("POST", "PUT", "PATCH", "DELETE") && ctx.hasToken("prefer", "respond-async") {
		return &l3AsyncAccepted
	}
	if ctx.is("representation") && ctx.method("POST", "PUT", "PATCH") && ctx.hasToken("prefer", "return=representation") {
		if ctx.method("POST") && ctx.isAny("form", "upload") {
			return &l3ReprCreated
		}
		return &l3ReprOK
	}
	switch {
	case ctx.is("alias"):
		return &l3AliasRedirect
	case ctx.method("POST") && ctx.isAny("form", "upload"):
		return &l3FormCreated
	case ctx.method("POST") && ctx.isAny("action", "lookup"):
		return &l3SeeOther
	case ctx.method("PUT", "PATCH", "DELETE") && ctx.isAny("data", "content", "nexus"):
		return &l3NoContent
	}
	return &l3OK
}

func level3HTTPToCode(status int, ctx *Context) Translation {
	r := level3HTTPRule(status, ctx)
	return Translation{HTTPStatus: status, Code: r.code, Dialect: statusdv1.Dialect_DIALECT_LEVEL3, Rationale: r.rationale, Citations: r.citations}
}

func level3CodeToHTTP(code statusdv1.Code, ctx *Context) Translation {
	if r := level3CodeRule(code, ctx); r != nil {
		return Translation{HTTPStatus: r.status, Code: code, Dialect: statusdv1.Dialect_DIALECT_LEVEL3, Rationale: r.rationale, Citations: r.citations}
	}
	// No context rule: Connect's table, said in Level 3's voice.
	return level3Table.codeToHTTP(code)
}

// level3Table holds Level 3's context-free answers: Connect's code → HTTP
// table with Level 3 rationales, and the HTTP → code rules with no context.
var level3Table = newTableDialect(tableDialectSpec{
	dialect:       statusdv1.Dialect_DIALECT_LEVEL3,
	name:          "Level 3 (no profile rule applies, so the Connect protocol's table)",
	codeToHTTP:    connectCodeToHTTP,
	invalidCode:   500,
	codeCitations: connectCitations,
	httpRule: func(status int) Translation {
		return level3HTTPToCode(status, &Context{})
	},
})
