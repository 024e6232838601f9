package mapping

import (
	"strings"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
)

// numCodes is the number of defined codes, CODE_OK (0) to
// CODE_UNAUTHENTICATED (16).
const numCodes = int(statusdv1.Code_CODE_UNAUTHENTICATED) + 1

// connectNames holds the Connect wire name of each code, derived from the
// proto enum names ("CODE_FAILED_PRECONDITION" → "failed_precondition"), so
// the names have one source. OK has no wire name.
var connectNames = func() (names [numCodes]string) {
	for i := 1; i < numCodes; i++ {
		names[i] = strings.ToLower(strings.TrimPrefix(statusdv1.Code(i).String(), "CODE_"))
	}
	return names
}()

// ValidCode reports whether code is one of the 17 defined codes.
func ValidCode(code statusdv1.Code) bool { return code >= 0 && int(code) < numCodes }

// ConnectName returns the Connect wire name of a code, such as
// "failed_precondition". It returns "" for CODE_OK, which is not an error
// and has no wire name, and for undefined codes.
func ConnectName(code statusdv1.Code) string {
	if !ValidCode(code) {
		return ""
	}
	return connectNames[code]
}

// CodeForConnectName returns the code of a Connect wire name, such as
// "failed_precondition"; false if the name is not one.
func CodeForConnectName(name string) (statusdv1.Code, bool) {
	for i := 1; i < numCodes; i++ {
		if connectNames[i] == name {
			return statusdv1.Code(i), true
		}
	}
	return 0, false
}
