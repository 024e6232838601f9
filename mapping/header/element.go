package header

// ElementHasToken reports whether one list element matches token the way
// HasToken matches a whole field ("return = \"representation\"" matches
// "return=representation"), so that a caller that reads a field's elements
// itself, within its own bounds, decides the same way.
func ElementHasToken(element, token string) bool {
	want, ok := ParsePreference(token)
	if !ok {
		return false
	}
	p, ok := ParsePreference(element)
	return ok && p.matches(want.Name, want.Value)
}
