// Package export writes what Ferry shows as files other tools read: a list of
// deployments (a page of the CLI's history, or a whole filtered history) and a
// metrics report, as CSV, JSON or Markdown (and a report also as aligned text). The
// CLI and the console both write through it, so a file is the same whichever door
// wrote it. Times a person reads are in the organisation's zone; times a program
// reads are RFC 3339 UTC. It formats onto an io.Writer and knows nothing of screens.
package export

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Format is how a file is written.
type Format string

const (
	CSV      Format = "csv"
	JSON     Format = "json"
	Markdown Format = "markdown"
	// Table is aligned text for a terminal (a report only).
	Table Format = "table"
)

// extensions name the formats a file's name chooses, in the order they are offered.
var extensions = []struct {
	ext string
	f   Format
}{{".csv", CSV}, {".json", JSON}, {".md", Markdown}, {".markdown", Markdown}}

// FormatOf is the format path's extension asks for: .csv, .json or .md.
func FormatOf(path string) (Format, error) {
	ext := strings.ToLower(filepath.Ext(path))
	for _, e := range extensions {
		if e.ext == ext {
			return e.f, nil
		}
	}
	if ext == "" {
		return "", fmt.Errorf("%s has no extension: end it in .csv, .json or .md to say the format", path)
	}
	return "", fmt.Errorf("%s: %s is not a format Ferry writes: end it in .csv, .json or .md", path, ext)
}
