package mapping

import (
	"errors"
	"fmt"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
)

// ErrUnsupportedDialect is returned for a dialect this version of the
// library does not translate in.
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

// HTTPToCode translates an HTTP status to a code in a dialect. Only the
// Level 3 dialect reads ctx; pass the zero Context when nothing is known. A
// status outside 100-599 gets the dialect's answer for an unlisted status.
// DIALECT_UNSPECIFIED means DIALECT_LEVEL3.
func HTTPToCode(d statusdv1.Dialect, status int, ctx Context) (Translation, error) {
	switch Resolve(d) {
	case statusdv1.Dialect_DIALECT_LEVEL3:
		return level3HTTPToCode(status, &ctx), nil
	case statusdv1.Dialect_DIALECT_CONNECT:
		return connectDialect.httpToCode(status), nil
	}
	return Translation{}, unsupported(d)
}

// CodeToHTTP translates a code to an HTTP status in a dialect. Only the
// Level 3 dialect reads ctx; pass the zero Context when nothing is known. An
// undefined code gets the dialect's answer for an invalid code (500 in every
// current table). DIALECT_UNSPECIFIED means DIALECT_LEVEL3.
func CodeToHTTP(d statusdv1.Dialect, code statusdv1.Code, ctx Context) (Translation, error) {
	switch Resolve(d) {
	case statusdv1.Dialect_DIALECT_LEVEL3:
		return level3CodeToHTTP(code, &ctx), nil
	case statusdv1.Dialect_DIALECT_CONNECT:
		return connectDialect.codeToHTTP(code), nil
	}
	return Translation{}, unsupported(d)
}

// Resolve returns the dialect that d stands for: DIALECT_LEVEL3 for
// DIALECT_UNSPECIFIED, d itself otherwise.
func Resolve(d statusdv1.Dialect) statusdv1.Dialect {
	if d == statusdv1.Dialect_DIALECT_UNSPECIFIED {
		return statusdv1.Dialect_DIALECT_LEVEL3
	}
	return d
}

// Supported reports whether the library translates in dialect d.
func Supported(d statusdv1.Dialect) bool {
	switch Resolve(d) {
	case statusdv1.Dialect_DIALECT_LEVEL3, statusdv1.Dialect_DIALECT_CONNECT:
		return true
	}
	return false
}

func unsupported(d statusdv1.Dialect) error {
	return fmt.Errorf("%w: %s", ErrUnsupportedDialect, d)
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
	// httpToCode lists the statuses the source maps; every other status
	// maps to httpDefault.
	httpToCode    map[int]statusdv1.Code
	httpDefault   statusdv1.Code
	httpCitations []*statusdv1.Citation
	// okStatus, if not zero, is the status the source treats as success.
	okStatus int
}

// tableDialect holds every answer of a table dialect, computed once, so that
// a lookup is an array index and allocates nothing.
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
		Code:       statusdv1.Code_CODE_UNKNOWN,
		Dialect:    spec.dialect,
		Rationale:  fmt.Sprintf("%s: an undefined code is treated as unknown, HTTP %d.", spec.name, spec.invalidCode),
		Citations:  spec.codeCitations,
	}
	for status := range MaxStatus + 1 {
		t := Translation{HTTPStatus: status, Dialect: spec.dialect, Citations: spec.httpCitations}
		code, listed := spec.httpToCode[status]
		switch {
		case spec.okStatus != 0 && status == spec.okStatus:
			t.Code = statusdv1.Code_CODE_OK
			t.Rationale = fmt.Sprintf("%s: HTTP %d is success, not an error.", spec.name, status)
		case listed:
			t.Code = code
			t.Rationale = fmt.Sprintf("%s: HTTP %d maps to %s.", spec.name, status, codeLabel(code))
		default:
			t.Code = spec.httpDefault
			t.Rationale = fmt.Sprintf("%s: HTTP %d is not in the table, so it maps to %s.", spec.name, status, codeLabel(spec.httpDefault))
		}
		td.byStatus[status] = t
	}
	td.outsideRange = Translation{
		Code:      spec.httpDefault,
		Dialect:   spec.dialect,
		Rationale: fmt.Sprintf("%s: a status outside %d-%d is not in the table, so it maps to %s.", spec.name, MinStatus, MaxStatus, codeLabel(spec.httpDefault)),
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
