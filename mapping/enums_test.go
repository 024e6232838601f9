package mapping

import (
	"testing"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// The sizes of the package's tables come from the proto enums; these tests
// fail when a value is added to an enum and a table does not have it yet.

// enumSize checks that an enum's values are 0..n-1 and returns n.
func enumSize(t *testing.T, ed protoreflect.EnumDescriptor) int {
	t.Helper()
	n := ed.Values().Len()
	for i := range n {
		if v := ed.Values().Get(i).Number(); int(v) < 0 || int(v) >= n {
			t.Errorf("%s: value %s = %d is outside 0..%d, so it cannot index the tables", ed.FullName(), ed.Values().Get(i).Name(), v, n-1)
		}
	}
	return n
}

func TestTablesCoverEveryCode(t *testing.T) {
	if n := enumSize(t, statusdv1.Code(0).Descriptor()); n != numCodes {
		t.Fatalf("statusd.v1.Code has %d values, numCodes is %d: add the new code to every table (connect.go, dialects.go) and raise numCodes", n, numCodes)
	}
	for c := range numCodes {
		code := statusdv1.Code(c)
		if c > 0 && ConnectName(code) == "" {
			t.Errorf("%v has no Connect name", code)
		}
		if connectCodeToHTTP[c] == 0 || googleRPCCodeToHTTP[c] == 0 {
			t.Errorf("%v is missing from a code → HTTP table", code)
		}
		for d, td := range tables {
			if s := td.byCode[c].HTTPStatus; s < MinStatus || s > MaxStatus {
				t.Errorf("%v: dialect %v maps %v to %d", code, statusdv1.Dialect(d), code, s)
			}
		}
	}
}

func TestTablesCoverEveryDialect(t *testing.T) {
	if n := enumSize(t, statusdv1.Dialect(0).Descriptor()); n != numDialects {
		t.Fatalf("statusd.v1.Dialect has %d values, numDialects is %d: add the new dialect's table to tables and raise numDialects", n, numDialects)
	}
	for d, td := range tables {
		if td == nil {
			t.Errorf("dialect %v has no table", statusdv1.Dialect(d))
		}
	}
	if got := len(Dialects()); got != numDialects-1 {
		t.Errorf("Dialects() lists %d, want %d", got, numDialects-1)
	}
	for _, d := range Dialects() {
		if DialectTitle(d) == "" {
			t.Errorf("dialect %v has no title in dialectTitles", d)
		}
	}
}

// TestStatusClassesFollowTheFirstDigit: checkStatus derives a status's
// class from its first digit, which needs the enum's numbering.
func TestStatusClassesFollowTheFirstDigit(t *testing.T) {
	ed := statusdv1.StatusClass(0).Descriptor()
	if n := enumSize(t, ed); n != 6 {
		t.Fatalf("statusd.v1.StatusClass has %d values, want UNSPECIFIED and the five classes", n)
	}
	for _, st := range DefaultCatalog().Statuses() {
		if int(st.GetStatusClass()) != int(st.GetCode())/100 {
			t.Errorf("%d: class %v", st.GetCode(), st.GetStatusClass())
		}
	}
}
