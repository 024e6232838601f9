package conformance

import "testing"

func TestFirstElements(t *testing.T) {
	for _, tc := range []struct {
		v    string
		n    int
		want string
	}{
		{"a,b,c", 1, "a"},
		{"a,b,c", 2, "a,b"},
		{"a,b,c", 3, "a,b,c"},
		{"a,b,c", 9, "a,b,c"},
		{"a, b ,c", 2, "a, b "},
		{",,", 1, ""},
		{",,", 2, ","},
		{"", 1, ""},
		{"a,b", 0, "a,b"},
	} {
		if got := firstElements(tc.v, tc.n); got != tc.want {
			t.Errorf("firstElements(%q, %d) = %q, want %q", tc.v, tc.n, got, tc.want)
		}
	}
}
