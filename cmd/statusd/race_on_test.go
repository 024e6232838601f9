//go:build race

package main

// raceEnabled is true when the tests run with the race detector, which makes
// the load test too slow to be a load test.
const raceEnabled = true
