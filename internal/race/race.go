//go:build race

// Package race tells whether the race detector is on, so that tests can do less
// work under it.
package race

// Enabled is true when the program is built with -race.
const Enabled = true
