package mapping

import (
	"errors"
	"fmt"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
)

// ErrUnsupportedDialect is returned for a value that is not a defined
// dialect.
var ErrUnsupportedDialect = errors.New("mapping: unsupported dialect")

// Translation is the answer to "what does this status (or code) mean on the
// other side?", with the rule that gave it.
type Translation struct {
	// HTTPStatus is the given status, or the one the code maps to.
	HTTPStatus int
	// Code is the given code, or the one the status maps to.
	Code statusdv1.Code
	// Dialect is the dialect that was applied.
	Dialect statusdv1.Dialect
	// Rationale says why, in one sentence naming the rule.
	Rationale string
	// Citations are the sources of the rule. Shared: do not modify.
	Citations []*statusdv1.Citation
}

// numDialects is the number of defined dialects, UNSPECIFIED included.
const numDialects = int(statusdv1.Dialect_DIALECT_TWIRP) + 1

// tables holds the context-free answers of every dialect, indexed by
// dialect; DIALECT_UNSPECIFIED and DIALECT_LEVEL3 share Level 3's.
var tables = [numDialects]*tableDialect{
	statusdv1.Dialect_DIALECT_UNSPECIFIED:    level3Table,
	statusdv1.Dialect_DIALECT_LEVEL3:         level3Table,
	statusdv1.Dialect_DIALECT_CONNECT:        connectDialect,
	statusdv1.Dialect_DIALECT_CONNECT_LEGACY: connectLegacyDialect,
	statusdv1.Dialect_DIALECT_GRPC:           grpcDialect,
	statusdv1.Dialect_DIALECT_GRPC_GATEWAY:   grpcGatewayDialect,
	statusdv1.Dialect_DIALECT_ENVOY:          envoyDialect,
	statusdv1.Dialect_DIALECT_TWIRP:          twirpDialect,
}

// codeTable and statusTable are the bare context-free answers of every
// dialect in flat arrays, so that CodeOf and StatusOf are a single index.
var (
	codeTable   [numDialects][MaxStatus + 1]statusdv1.Code
	statusTable [numDialects][numCodes]int16
)

func init() {
	for d, td := range tables {
		for status := range MaxStatus + 1 {
			codeTable[d][status] = td.httpToCode(status).Code
		}
		for code := range numCodes {
			statusTable[d][code] = int16(td.byCode[code].HTTPStatus)
		}
	}
}

// dialectTitles are the dialects' display names, as the README's tables and
// the explorer head their columns.
var dialectTitles = [numDialects]string{
	statusdv1.Dialect_DIALECT_LEVEL3:         "Level 3",
	statusdv1.Dialect_DIALECT_CONNECT:        "Connect",
	statusdv1.Dialect_DIALECT_CONNECT_LEGACY: "Connect < 2024-03",
	statusdv1.Dialect_DIALECT_GRPC:           "gRPC",
	statusdv1.Dialect_DIALECT_GRPC_GATEWAY:   "grpc-gateway",
	statusdv1.Dialect_DIALECT_ENVOY:          "Envoy",
	statusdv1.Dialect_DIALECT_TWIRP:          "Twirp",
}

// DialectTitle returns a dialect's display name, such as "Connect < 2024-03";
// "" for DIALECT_UNSPECIFIED and undefined values.
func DialectTitle(d statusdv1.Dialect) string {
	if d < 0 || int(d) >= numDialects {
		return ""
	}
	return dialectTitles[d]
}

// Dialects lists the defined dialects, DIALECT_UNSPECIFIED left out, in enum
// order.
func Dialects() []statusdv1.Dialect {
	out := make([]statusdv1.Dialect, 0, numDialects-1)
	for d := 1; d < numDialects; d++ {
		out = append(out, statusdv1.Dialect(d))
	}
	return out
}

// HTTPToCode translates an HTTP status to a code in a dialect, with the
// rationale and citations of the rule that applied. Only the Level 3 dialect
// reads ctx; pass the zero Context when nothing is known. A status outside
// 100-599 gets the dialect's answer for an unlisted status.
// DIALECT_UNSPECIFIED means DIALECT_LEVEL3.
func HTTPToCode(d statusdv1.Dialect, status int, ctx Context) (Translation, error) {
	switch {
	case !DialectSupported(d):
		return Translation{}, unsupported(d)
	case ResolveDialect(d) == statusdv1.Dialect_DIALECT_LEVEL3:
		return level3HTTPToCode(status, &ctx), nil
	}
	return tables[d].httpToCode(status), nil
}

// CodeToHTTP translates a code to an HTTP status in a dialect, with the
// rationale and citations of the rule that applied. Only the Level 3 dialect
// reads ctx; pass the zero Context when nothing is known. An undefined code
// gets the dialect's answer for an invalid code (500 in every table).
// DIALECT_UNSPECIFIED means DIALECT_LEVEL3.
func CodeToHTTP(d statusdv1.Dialect, code statusdv1.Code, ctx Context) (Translation, error) {
	switch {
	case !DialectSupported(d):
		return Translation{}, unsupported(d)
	case ResolveDialect(d) == statusdv1.Dialect_DIALECT_LEVEL3:
		return level3CodeToHTTP(code, &ctx), nil
	}
	return tables[d].codeToHTTP(code), nil
}

// CodeForStatus is the fast, context-free HTTPToCode: an array index, no
// allocation. An undefined dialect or a status outside 100-599 gives
// CODE_UNKNOWN.
func CodeForStatus(d statusdv1.Dialect, status int) statusdv1.Code {
	if uint(d) >= uint(numDialects) || uint(status) > MaxStatus {
		return statusdv1.Code_CODE_UNKNOWN
	}
	return codeTable[d][status]
}

// StatusForCode is the fast, context-free CodeToHTTP: an array index, no
// allocation. An undefined dialect or code gives 500.
func StatusForCode(d statusdv1.Dialect, code statusdv1.Code) int {
	if uint(d) >= uint(numDialects) || uint(code) >= uint(numCodes) {
		return 500
	}
	return int(statusTable[d][code])
}

// ResolveDialect returns the dialect that d stands for: DIALECT_LEVEL3 for
// DIALECT_UNSPECIFIED, d itself otherwise.
func ResolveDialect(d statusdv1.Dialect) statusdv1.Dialect {
	if d == statusdv1.Dialect_DIALECT_UNSPECIFIED {
		return statusdv1.Dialect_DIALECT_LEVEL3
	}
	return d
}

// DialectSupported reports whether d is a dialect the library translates
// in: every defined Dialect value.
func DialectSupported(d statusdv1.Dialect) bool {
	return d >= 0 && int(d) < numDialects
}

func unsupported(d statusdv1.Dialect) error {
	return fmt.Errorf("%w: %d", ErrUnsupportedDialect, int32(d))
}

// tableDialectSpec describes a dialect given by two plain tables.
type tableDialectSpec struct {
	dialect statusdv1.Dialect
	// name is the dialect's source, used in rationales.
	name string
	// codeToHTTP gives the status of each defined code.
	codeToHTTP [numCodes]int
	// invalidCode is the status of an undefined code.
	invalidCode   int
	codeCitations []*statusdv1.Citation
	// httpName names the source of the HTTP → code table in rationales, if
	// it is not name.
	httpName string
	// httpToCode lists the statuses the source maps; every other status
	// maps to httpDefault.
	httpToCode    map[int]statusdv1.Code
	httpDefault   statusdv1.Code
	httpCitations []*statusdv1.Citation
	// redirectCode, if hasRedirectMap, is the code of every unlisted 3xx.
	redirectCode   statusdv1.Code
	hasRedirectMap bool
	// okStatus, if not zero, is the status the source treats as success.
	okStatus int
	// httpRule, if set, replaces the tables for HTTP → code.
	httpRule func(status int) Translation
}

// tableDialect holds every context-free answer of a dialect, computed once,
// so that a lookup is an array index and allocates nothing.
type tableDialect struct {
	byCode       [numCodes]Translation
	invalidCode  Translation
	byStatus     [MaxStatus + 1]Translation
	outsideRange Translation
}

func newTableDialect(spec tableDialectSpec) *tableDialect {
	td := &tableDialect{}
	for i := range numCodes {
		code := statusdv1.Code(i)
		td.byCode[i] = Translation{
			HTTPStatus: spec.codeToHTTP[i],
			Code:       code,
			Dialect:    spec.dialect,
			Rationale:  fmt.Sprintf("%s: %s maps to HTTP %d.", spec.name, codeLabel(code), spec.codeToHTTP[i]),
			Citations:  spec.codeCitations,
		}
	}
	td.invalidCode = Translation{
		HTTPStatus: spec.invalidCode,
		Dialect:    spec.dialect,
		Rationale:  fmt.Sprintf("%s: an undefined code is treated as unknown, HTTP %d.", spec.name, spec.invalidCode),
		Citations:  spec.codeCitations,
	}
	httpName := spec.httpName
	if httpName == "" {
		httpName = spec.name
	}
	for status := range MaxStatus + 1 {
		var t Translation
		if spec.httpRule != nil {
			t = spec.httpRule(status)
		} else {
			t = Translation{HTTPStatus: status, Dialect: spec.dialect, Citations: spec.httpCitations}
			code, listed := spec.httpToCode[status]
			switch {
			case spec.okStatus != 0 && status == spec.okStatus:
				t.Code = statusdv1.Code_CODE_OK
				t.Rationale = fmt.Sprintf("%s: HTTP %d is success, not an error.", httpName, status)
			case listed:
				t.Code = code
				t.Rationale = fmt.Sprintf("%s: HTTP %d maps to %s.", httpName, status, codeLabel(code))
			case spec.hasRedirectMap && status/100 == 3:
				t.Code = spec.redirectCode
				t.Rationale = fmt.Sprintf("%s: every 3xx (here %d) maps to %s.", httpName, status, codeLabel(spec.redirectCode))
			default:
				t.Code = spec.httpDefault
				t.Rationale = fmt.Sprintf("%s: HTTP %d is not in the table, so it maps to %s.", httpName, status, codeLabel(spec.httpDefault))
			}
		}
		td.byStatus[status] = t
	}
	td.outsideRange = Translation{
		Code:      statusdv1.Code_CODE_UNKNOWN,
		Dialect:   spec.dialect,
		Rationale: fmt.Sprintf("%s: a status outside %d-%d is no HTTP status, so it maps to unknown.", httpName, MinStatus, MaxStatus),
		Citations: spec.httpCitations,
	}
	return td
}

func (td *tableDialect) httpToCode(status int) Translation {
	if status < MinStatus || status > MaxStatus {
		t := td.outsideRange
		t.HTTPStatus = status
		return t
	}
	return td.byStatus[status]
}

func (td *tableDialect) codeToHTTP(code statusdv1.Code) Translation {
	if !ValidCode(code) {
		t := td.invalidCode
		t.Code = code
		return t
	}
	return td.byCode[code]
}

// codeLabel names a code in rationales: its Connect wire name, or "ok".
func codeLabel(code statusdv1.Code) string {
	if code == statusdv1.Code_CODE_OK {
		return "ok"
	}
	return ConnectName(code)
}

// Names kept for callers of the first release. The new names say what
// they take: CodeOf read like connect.CodeOf (the code of an error), and
// Supported and Resolve did not say "dialect".
var (
	// Deprecated: use CodeForStatus.
	CodeOf = CodeForStatus
	// Deprecated: use StatusForCode.
	StatusOf = StatusForCode
	// Deprecated: use DialectSupported.
	Supported = DialectSupported
	// Deprecated: use ResolveDialect.
	Resolve = ResolveDialect
)
