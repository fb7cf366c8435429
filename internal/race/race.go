//go:build race

// Package race tells whether the race detector is on, so that a test whose size
// matters only for volume can run smaller under it.
package race

// Enabled is true when the binary is built with -race.
const Enabled = true
