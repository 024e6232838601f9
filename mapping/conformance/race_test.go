//go:build race

package conformance

// The race detector's instrumentation changes what escapes, so allocation
// counts under it are not the program's (race_test.go is built only with
// -race; the plain test run checks them).
func init() { raceDetector = true }
