//go:build race

package ui

// raceEnabled: the race detector slows the server several times, so the
// first-view time budget is reported, not enforced.
const raceEnabled = true
