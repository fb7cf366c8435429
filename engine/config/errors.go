package config

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"ferry/models"
)

// Error is one problem in a config file, at a line.
type Error struct {
	File string
	Line int // from 1; 0 when the problem concerns the whole file
	Msg  string
}

// Error renders "file:line: message".
func (e *Error) Error() string {
	if e.Line <= 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// Unwrap lets callers test errors.Is(err, models.ErrInvalid).
func (e *Error) Unwrap() error { return models.ErrInvalid }

// Errors is every problem found in a config file, sorted by line.
type Errors []*Error

// Error renders one problem per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap exposes the single problems to errors.Is and errors.As.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// sorted orders problems by line, keeping the order they were found in on one
// line, and drops exact repeats.
func (es Errors) sorted() Errors {
	slices.SortStableFunc(es, func(a, b *Error) int { return cmp.Compare(a.Line, b.Line) })
	return slices.CompactFunc(es, func(a, b *Error) bool { return *a == *b })
}
