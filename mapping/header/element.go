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
	return ok && p.Matches(want)
}

// Matches reports whether p is the preference or token want names: the
// same name in any letter case and, if want has a value, the same value in
// any letter case. Parse want once with ParsePreference to ask about many
// elements.
func (p Preference) Matches(want Preference) bool {
	return p.matches(want.Name, want.Value)
}
