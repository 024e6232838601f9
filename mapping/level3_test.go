package mapping

import (
	"strings"
	"testing"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
)

const level3D = statusdv1.Dialect_DIALECT_LEVEL3

// ctxOf builds a Context from a method, profile ids and "name: value"
// headers.
func ctxOf(t *testing.T, method string, profiles []string, headers ...string) Context {
	t.Helper()
	ctx := Context{Method: method}
	for _, id := range profiles {
		p, _, ok := DefaultCatalog().Profile(id)
		if !ok {
			t.Fatalf("unknown profile %q", id)
		}
		ctx.Profiles = append(ctx.Profiles, p)
	}
	for _, h := range headers {
		name, value, _ := strings.Cut(h, ":")
		ctx.Headers = append(ctx.Headers, &statusdv1.Header{Name: name, Value: strings.TrimSpace(value)})
	}
	return ctx
}

var (
	codeOK                 = statusdv1.Code_CODE_OK
	codeCanceled           = statusdv1.Code_CODE_CANCELED
	codeUnknown            = statusdv1.Code_CODE_UNKNOWN
	codeInvalidArgument    = statusdv1.Code_CODE_INVALID_ARGUMENT
	codeDeadlineExceeded   = statusdv1.Code_CODE_DEADLINE_EXCEEDED
	codeNotFound           = statusdv1.Code_CODE_NOT_FOUND
	codePermissionDenied   = statusdv1.Code_CODE_PERMISSION_DENIED
	codeResourceExhausted  = statusdv1.Code_CODE_RESOURCE_EXHAUSTED
	codeFailedPrecondition = statusdv1.Code_CODE_FAILED_PRECONDITION
	codeAborted            = statusdv1.Code_CODE_ABORTED
	codeOutOfRange         = statusdv1.Code_CODE_OUT_OF_RANGE
	codeUnimplemented      = statusdv1.Code_CODE_UNIMPLEMENTED
	codeInternal           = statusdv1.Code_CODE_INTERNAL
	codeUnavailable        = statusdv1.Code_CODE_UNAVAILABLE
	codeUnauthenticated    = statusdv1.Code_CODE_UNAUTHENTICATED
)

// TestLevel3HTTPToCodeDesignTable covers every row of the design's
// "HTTP → code" table.
func TestLevel3HTTPToCodeDesignTable(t *testing.T) {
	for _, tc := range []struct {
		status   int
		profiles []string
		want     statusdv1.Code
	}{
		{100, nil, codeOK}, {101, nil, codeOK},
		{200, nil, codeOK}, {201, []string{"form"}, codeOK}, {202, nil, codeOK}, {204, nil, codeOK}, {206, nil, codeOK},
		{304, nil, codeOK}, {304, []string{"entity"}, codeOK},
		{303, []string{"action"}, codeOK}, {303, []string{"lookup"}, codeOK},
		{307, []string{"alias"}, codeOK}, {308, []string{"alias"}, codeOK},
		{303, []string{"page/offset#pagination-resource"}, codeOK}, // presents Lookup
		{303, nil, codeUnknown}, {307, []string{"data"}, codeUnknown},
		{400, nil, codeInvalidArgument}, {411, nil, codeInvalidArgument}, {415, nil, codeInvalidArgument},
		{422, nil, codeInvalidArgument}, {428, nil, codeInvalidArgument},
		{401, nil, codeUnauthenticated},
		{403, []string{"action"}, codeFailedPrecondition}, {403, []string{"data"}, codeFailedPrecondition},
		{403, []string{"form"}, codeFailedPrecondition}, {403, []string{"stepper#incrementer-resource"}, codeFailedPrecondition},
		{403, nil, codePermissionDenied}, {403, []string{"info"}, codePermissionDenied},
		{404, nil, codeNotFound}, {404, []string{"lookup"}, codeNotFound},
		{405, nil, codeUnimplemented},
		{409, nil, codeAborted}, {412, []string{"entity"}, codeAborted},
		{413, nil, codeResourceExhausted},
		{416, []string{"content"}, codeOutOfRange},
		{417, []string{"preflight"}, codeUnimplemented},
		{429, nil, codeResourceExhausted},
		{499, nil, codeCanceled}, {500, nil, codeInternal}, {501, nil, codeUnimplemented},
		{503, nil, codeUnavailable}, {504, nil, codeDeadlineExceeded},
	} {
		tr, err := HTTPToCode(level3D, tc.status, ctxOf(t, "", tc.profiles))
		if err != nil {
			t.Fatal(err)
		}
		if tr.Code != tc.want || tr.HTTPStatus != tc.status || tr.Dialect != level3D {
			t.Errorf("HTTP %d with %v = %v, want %v (%s)", tc.status, tc.profiles, tr.Code, tc.want, tr.Rationale)
		}
		if tr.Rationale == "" || len(tr.Citations) == 0 {
			t.Errorf("HTTP %d: no rationale or citation", tc.status)
		}
	}
}

// TestLevel3HTTPToCodeEveryStatus checks the answers for statuses the design
// leaves open, and that every status has a justified answer.
func TestLevel3HTTPToCodeEveryStatus(t *testing.T) {
	want := map[int]statusdv1.Code{
		300: codeUnknown, 301: codeUnknown, 302: codeUnknown, 305: codeUnknown, 306: codeUnknown,
		402: codeUnknown, 406: codeInvalidArgument, 407: codeUnauthenticated, 408: codeUnavailable,
		410: codeNotFound, 414: codeResourceExhausted, 417: codeUnimplemented, 418: codeUnknown,
		419: codeInvalidArgument, 421: codeUnavailable, 423: codeFailedPrecondition,
		424: codeFailedPrecondition, 425: codeUnavailable, 426: codeFailedPrecondition,
		431: codeResourceExhausted, 451: codePermissionDenied, 498: codeInvalidArgument,
		502: codeUnavailable, 505: codeUnimplemented, 506: codeInternal, 507: codeResourceExhausted,
		508: codeInternal, 510: codeInternal, 511: codeUnauthenticated, 599: codeInternal,
		150: codeOK, 299: codeOK, 399: codeUnknown,
	}
	for status := MinStatus; status <= MaxStatus; status++ {
		tr, err := HTTPToCode(statusdv1.Dialect_DIALECT_UNSPECIFIED, status, Context{})
		if err != nil {
			t.Fatal(err)
		}
		if tr.Dialect != level3D {
			t.Fatalf("unspecified dialect resolved to %v", tr.Dialect)
		}
		if !strings.HasPrefix(tr.Rationale, "Level 3:") || len(tr.Citations) == 0 {
			t.Errorf("HTTP %d: rationale %q", status, tr.Rationale)
		}
		if w, ok := want[status]; ok && tr.Code != w {
			t.Errorf("HTTP %d = %v, want %v (%s)", status, tr.Code, w, tr.Rationale)
		}
		// Class invariants: no 2xx is an error, every 4xx and 5xx is.
		if status >= 200 && status < 300 && tr.Code != codeOK {
			t.Errorf("HTTP %d is an error: %v", status, tr.Code)
		}
		if status >= 400 && tr.Code == codeOK {
			t.Errorf("HTTP %d is not an error", status)
		}
	}
	for _, bad := range []int{-1, 0, 99, 600, 1000} {
		tr, _ := HTTPToCode(level3D, bad, Context{})
		if tr.Code != codeUnknown || tr.HTTPStatus != bad || !strings.Contains(tr.Rationale, "outside") {
			t.Errorf("HTTP %d = %+v, want unknown", bad, tr)
		}
	}
}

// TestLevel3CodeToHTTPDesignTable covers every row of the design's
// "Code → HTTP" table, and the context that must not trigger each rule.
func TestLevel3CodeToHTTPDesignTable(t *testing.T) {
	for _, tc := range []struct {
		name     string
		code     statusdv1.Code
		method   string
		profiles []string
		headers  []string
		want     int
	}{
		{"OK no context", codeOK, "", nil, nil, 200},
		{"OK GET data", codeOK, "GET", []string{"data"}, nil, 200},
		{"Form POST", codeOK, "POST", []string{"form"}, nil, 201},
		{"Upload POST", codeOK, "post", []string{"upload"}, nil, 201},
		{"Action POST", codeOK, "POST", []string{"action"}, nil, 303},
		{"Lookup POST", codeOK, "POST", []string{"lookup"}, nil, 303},
		{"Data PUT", codeOK, "PUT", []string{"data"}, nil, 204},
		{"Data PATCH", codeOK, "PATCH", []string{"data", "entity"}, nil, 204},
		{"Content DELETE", codeOK, "DELETE", []string{"content"}, nil, 204},
		{"Nexus DELETE", codeOK, "DELETE", []string{"nexus"}, nil, 204},
		{"Alias GET", codeOK, "GET", []string{"alias", "data"}, nil, 307},
		{"Async respond-async", codeOK, "PATCH", []string{"data", "async"}, []string{"Prefer: respond-async; wait=5"}, 202},
		{"Async without prefer", codeOK, "PATCH", []string{"data", "async"}, nil, 204},
		{"prefer without Async", codeOK, "PATCH", []string{"data"}, []string{"prefer: respond-async"}, 204},
		{"Representation PUT", codeOK, "PUT", []string{"data", "representation"}, []string{"prefer: return=representation"}, 200},
		{"Representation Form POST", codeOK, "POST", []string{"form", "representation"}, []string{"prefer: handling=lenient, return=representation"}, 201},
		{"Representation Action POST", codeOK, "POST", []string{"action", "representation"}, []string{"prefer: return=representation"}, 200},
		{"Representation minimal", codeOK, "POST", []string{"form", "representation"}, []string{"prefer: return=minimal"}, 201},
		{"business rule Action", codeFailedPrecondition, "POST", []string{"action"}, nil, 403},
		{"business rule Data", codeFailedPrecondition, "PUT", []string{"data"}, nil, 403},
		{"business rule Form", codeFailedPrecondition, "", []string{"form"}, nil, 403},
		{"failed precondition elsewhere", codeFailedPrecondition, "GET", []string{"info"}, nil, 400},
		{"Entity if-match", codeAborted, "PUT", []string{"data", "entity"}, []string{"If-Match: \"x\""}, 412},
		{"Entity if-unmodified-since", codeAborted, "DELETE", []string{"entity", "data"}, []string{"if-unmodified-since: Tue, 01 Jan 2030 00:00:00 GMT"}, 412},
		{"aborted without condition", codeAborted, "PUT", []string{"data", "entity"}, nil, 409},
		{"aborted without Entity", codeAborted, "PUT", []string{"data"}, []string{"if-match: \"x\""}, 409},
		{"Data PATCH content-type not said", codeInvalidArgument, "PATCH", []string{"data"}, nil, 400},
		{"Data PATCH with content-type", codeInvalidArgument, "PATCH", []string{"data"}, []string{"Content-Type: application/merge-patch+json"}, 400},
		{"Data PUT no content-type", codeInvalidArgument, "PUT", []string{"data"}, nil, 400},
		{"Content range", codeOutOfRange, "GET", []string{"content", "entity"}, []string{"Range: bytes=9000-"}, 416},
		{"out of range without range", codeOutOfRange, "GET", []string{"content"}, nil, 400},
		{"Content PUT too large", codeResourceExhausted, "PUT", []string{"content"}, nil, 413},
		{"Upload POST too large", codeResourceExhausted, "POST", []string{"upload"}, nil, 413},
		{"exhausted elsewhere", codeResourceExhausted, "POST", []string{"form"}, nil, 429},
		{"Preflight expect", codeUnimplemented, "PUT", []string{"content", "preflight"}, []string{"Expect: 100-Continue"}, 417},
		{"Preflight without expect", codeUnimplemented, "PUT", []string{"content", "preflight"}, nil, 501},
		{"method not allowed", codeUnimplemented, "PATCH", []string{"form"}, nil, 405},
		{"optional method allowed", codeUnimplemented, "PATCH", []string{"data"}, nil, 501},
		{"method with mixin only", codeUnimplemented, "PATCH", []string{"entity"}, nil, 501},
		{"no method", codeUnimplemented, "", []string{"form"}, nil, 501},
		{"method not allowed by the presented Action", codeUnimplemented, "PATCH", []string{"stepper#incrementer-resource"}, nil, 405},
		{"method allowed by the presented Action", codeUnimplemented, "POST", []string{"stepper#incrementer-resource"}, nil, 501},
		{"not found", codeNotFound, "GET", []string{"data"}, nil, 404},
		{"canceled", codeCanceled, "", nil, nil, 499},
		{"invalid code", statusdv1.Code(17), "", nil, nil, 500},
		{"negative code", statusdv1.Code(-1), "POST", []string{"form"}, nil, 500},
	} {
		tr, err := CodeToHTTP(level3D, tc.code, ctxOf(t, tc.method, tc.profiles, tc.headers...))
		if err != nil {
			t.Fatal(err)
		}
		if tr.HTTPStatus != tc.want || tr.Code != tc.code || tr.Dialect != level3D {
			t.Errorf("%s: %+v, want HTTP %d", tc.name, tr, tc.want)
		}
		if !strings.HasPrefix(tr.Rationale, "Level 3") || len(tr.Citations) == 0 {
			t.Errorf("%s: rationale %q", tc.name, tr.Rationale)
		}
	}
}

// TestLevel3WithoutContextIsConnect checks that with no context, code → HTTP
// is Connect's table, as the design says.
func TestLevel3WithoutContextIsConnect(t *testing.T) {
	for i := -1; i <= numCodes; i++ {
		l3, _ := CodeToHTTP(level3D, statusdv1.Code(i), Context{})
		c, _ := CodeToHTTP(connectD, statusdv1.Code(i), Context{})
		if l3.HTTPStatus != c.HTTPStatus {
			t.Errorf("code %d: Level 3 %d, Connect %d", i, l3.HTTPStatus, c.HTTPStatus)
		}
	}
}

// TestLevel3TriState: a rule that needs a header's absence applies only when
// the caller said the header is absent, by naming it in Absent or by
// passing the whole request (HeadersComplete); a header left out is "not
// said" (issue 11, found item 3).
func TestLevel3TriState(t *testing.T) {
	patch := ctxOf(t, "PATCH", []string{"data"})
	for _, tc := range []struct {
		name string
		edit func(*Context)
		want int
	}{
		{"not said", func(*Context) {}, 400},
		{"said absent", func(c *Context) { c.Absent = []string{"Content-Type"} }, 428},
		{"other header absent", func(c *Context) { c.Absent = []string{"content-length"} }, 400},
		{"whole request", func(c *Context) { c.HeadersComplete = true }, 428},
		{"whole request with it", func(c *Context) {
			c.HeadersComplete = true
			c.Headers = []*statusdv1.Header{{Name: "content-type", Value: "application/json-patch+json"}}
		}, 400},
		{"present and said absent", func(c *Context) {
			c.Absent = []string{"content-type"}
			c.Headers = []*statusdv1.Header{{Name: "content-type", Value: "application/json-patch+json"}}
		}, 400},
		{"PUT said absent", func(c *Context) { c.Method, c.Absent = "PUT", []string{"content-type"} }, 400},
	} {
		ctx := patch
		tc.edit(&ctx)
		tr, _ := CodeToHTTP(level3D, codeInvalidArgument, ctx)
		if tr.HTTPStatus != tc.want {
			t.Errorf("%s: %d, want %d (%s)", tc.name, tr.HTTPStatus, tc.want, tr.Rationale)
		}
		if tc.want == 428 && !strings.Contains(tr.Rationale, "content-type") {
			t.Errorf("%s: rationale %q does not give the catalog's condition", tc.name, tr.Rationale)
		}
	}
	// Entity's 428: the request is said to carry neither validator.
	ctx := ctxOf(t, "PUT", []string{"data", "entity"})
	ctx.Absent = []string{"if-match"}
	if tr, _ := CodeToHTTP(level3D, codeInvalidArgument, ctx); tr.HTTPStatus != 400 {
		t.Errorf("one validator said absent: %d, want 400", tr.HTTPStatus)
	}
	ctx.Absent = append(ctx.Absent, "if-unmodified-since")
	if tr, _ := CodeToHTTP(level3D, codeInvalidArgument, ctx); tr.HTTPStatus != 428 {
		t.Errorf("both validators said absent: %d, want 428", tr.HTTPStatus)
	}
}

// TestLevel3RangeAndPrefer: the catalog's conditional outcomes and the one
// prefer parser (issue 11, found items 2 and 4).
func TestLevel3RangeAndPrefer(t *testing.T) {
	for _, tc := range []struct {
		method   string
		profiles []string
		header   string
		want     int
	}{
		{"GET", []string{"content"}, "range: bytes=0-99", 206},
		{"GET", []string{"content"}, "if-range: \"x\"", 200},
		{"GET", []string{"content", "entity"}, "if-none-match: \"x\"", 304},
		{"PUT", []string{"data", "representation"}, `prefer: return="representation"`, 200},
		{"PUT", []string{"data", "representation"}, "prefer: return = representation", 200},
		{"PUT", []string{"data", "representation"}, "prefer: return=minimal", 204},
		{"POST", []string{"upload", "representation"}, "prefer: RETURN=Representation", 201},
		{"POST", []string{"content", "preflight"}, "expect: 100-continue", 100},
	} {
		tr, _ := CodeToHTTP(level3D, codeOK, ctxOf(t, tc.method, tc.profiles, tc.header))
		if tr.HTTPStatus != tc.want {
			t.Errorf("%s %v %s: %d, want %d (%s)", tc.method, tc.profiles, tc.header, tr.HTTPStatus, tc.want, tr.Rationale)
		}
	}
}
