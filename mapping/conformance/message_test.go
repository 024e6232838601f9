package conformance

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/mapping/header"
)

// TestMessageIsSprintf: message gives fmt.Sprintf's answer for the verbs it
// formats itself and for everything it hands to fmt.
func TestMessageIsSprintf(t *testing.T) {
	var nilErr error
	type named string
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
		{"it %v.", []any{header.ErrURIAuthority}},
		{"%s", []any{errors.New("wrapped")}},
		// Handed to fmt:
		{"%x", []any{"hex"}},
		{"%5d|%-4s|", []any{42, "ab"}},
		{"%s", []any{statusdv1.Code_CODE_NOT_FOUND}},
		{"%d", []any{statusdv1.Code_CODE_NOT_FOUND}},
		{"%s", []any{named("n")}},
		{"%v", []any{nilErr}},
		{"%d", []any{"not a number"}},
		{"%q", []any{7}},
		{"missing %s and %s", []any{"one"}},
		{"extra", []any{"arg"}},
		{"trailing %", nil},
		{"%s %d", []any{true, 1.5}},
		{strings.Repeat("long ", 60) + "%s", []any{strings.Repeat("x", 300)}},
	} {
		if got, want := message(tc.format, tc.args...), fmt.Sprintf(tc.format, tc.args...); got != want {
			t.Errorf("message(%q, %v) = %q, want %q", tc.format, tc.args, got, want)
		}
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
