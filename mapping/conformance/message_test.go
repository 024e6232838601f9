package conformance

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/mapping"
	"github.com/statusd/statusd/mapping/header"
)

// TestMessageIsSprintf: message gives fmt.Sprintf's answer for the verbs it
// formats itself and for what it hands to fmt; an argument of a type it
// does not know is replaced by a note, never dropped silently.
func TestMessageIsSprintf(t *testing.T) {
	for _, tc := range []struct {
		format string
		args   []any
	}{
		{"plain", nil},
		{"100%% sure", nil},
		{"%s and %v", []any{"a", "b"}},
		{"%q", []any{"tab\there \"quoted\" é \x00"}},
		{"%q", []any{strings.Repeat("é", 40)[:63]}}, // cut inside a character
		{"%q %q %q %q %q", []any{"plain ASCII ~", "back\\slash", "del\x7f", "", "clipped…"}},
		{"%q %q", []any{"bad \xff\xfe byte", "\"at the start"}},
		{"%d %d %d %v", []any{-1, int64(1) << 40, int32(412), 7}},
		{"it %s.", []any{header.ErrURIAuthority.Error()}},
		// Handed to fmt:
		{"%x", []any{"hex"}},
		{"%5d|%-4s|", []any{42, "ab"}},
		{"%d", []any{"not a number"}},
		{"%q", []any{7}},
		{"missing %s and %s", []any{"one"}},
		{"extra", []any{"arg"}},
		{"trailing %", nil},
		{strings.Repeat("long ", 60) + "%s", []any{strings.Repeat("x", 300)}},
	} {
		if got, want := message(tc.format, tc.args...), fmt.Sprintf(tc.format, tc.args...); got != want {
			t.Errorf("message(%q, %v) = %q, want %q", tc.format, tc.args, got, want)
		}
	}
	type named string
	for _, arg := range []any{statusdv1.Code_CODE_NOT_FOUND, named("n"), errors.New("e"), nil, true, 1.5} {
		if got := message("%v|%s", arg, "next"); got != unsupportedArgument+"|next" {
			t.Errorf("message of a %T: %q", arg, got)
		}
	}
}

// TestMessageKeepsArgumentsOnTheStack: formatting a finding allocates its
// message only, not a copy of each argument.
func TestMessageKeepsArgumentsOnTheStack(t *testing.T) {
	if raceDetector {
		t.Skip("the race detector moves arguments to the heap")
	}
	name, v := strings.Repeat("if-match", 1), clip(strings.Repeat("x", 40))
	if n := testing.AllocsPerRun(100, func() { _ = message("%s element %q, status %d", name, v, 412) }); n != 1 {
		t.Errorf("%v allocations, want 1 (the message)", n)
	}
}

// BenchmarkMessage compares message with fmt.Sprintf on a typical
// finding's message.
func BenchmarkMessage(b *testing.B) {
	const format = "The request's %s element %q (sent by the client) is not an entity tag; status %d."
	v := clip(strings.Repeat("x", 100))
	for name, f := range map[string]func(string, ...any) string{"message": message, "fmt": fmt.Sprintf} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = f(format, "if-match", v, 412)
			}
		})
	}
}

// TestRuleMessagesAreWhole: no finding of the rule tests carries fmt's
// error marks or message's note for an argument it could not format.
func TestRuleMessagesAreWhole(t *testing.T) {
	cat := mapping.DefaultCatalog()
	for id, pair := range rulePairs {
		rep, _ := Check(cat, pair.bad, pair.profiles)
		for _, f := range rep.Findings {
			if strings.Contains(f.Message, "%!") || strings.Contains(f.Message, unsupportedArgument) {
				t.Errorf("%s (pair %s): %q", f.Rule, id, f.Message)
			}
		}
	}
}

// TestAppendQuotedIsQuote: over random strings of printable and
// unprintable ASCII, multi-byte runes, unprintable runes and invalid bytes,
// appendQuoted gives strconv.Quote's text.
func TestAppendQuotedIsQuote(t *testing.T) {
	pieces := []string{"a", " ", "~", "\"", "\\", "\x00", "\t", "\x7f", "é", "…", "日", "\u00ad", "\u200b", "\U0001F600", "\xff", "\xe2\x82", "\uFFFD"}
	rng := rand.New(rand.NewPCG(7, 8))
	for range 2000 {
		var s strings.Builder
		for range rng.IntN(12) {
			s.WriteString(pieces[rng.IntN(len(pieces))])
		}
		if got, want := string(appendQuoted(nil, s.String())), strconv.Quote(s.String()); got != want {
			t.Fatalf("appendQuoted(%q) = %s, want %s", s.String(), got, want)
		}
	}
}
