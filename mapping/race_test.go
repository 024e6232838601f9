//go:build race

package mapping

// The race detector slows the exhaustive comparisons about tenfold; they
// sample under it (race_test.go is built only with -race).
func init() { raceDetector = true }
