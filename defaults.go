// Package ferry is the root of the Ferry module; it holds the files embedded into the binary.
package ferry

import _ "embed"

// DefaultConfig is the example organisation the binary falls back to when no config file is found.
//
//go:embed config.toml
var DefaultConfig []byte
