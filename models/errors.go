// Package models holds Ferry's domain types and their validation. It does no I/O.
package models

import (
	"errors"
	"fmt"
)

// Domain errors. Store and engine wrap these so callers (CLI, console, SSH)
// can decide what to say and which exit code to use with errors.Is.
var (
	ErrNotFound  = errors.New("not found")
	ErrConflict  = errors.New("conflict")
	ErrInvalid   = errors.New("invalid")
	ErrForbidden = errors.New("not allowed")
)

// Invalidf returns an error that wraps ErrInvalid with a message.
func Invalidf(format string, args ...any) error {
	return &domainError{kind: ErrInvalid, msg: fmt.Sprintf(format, args...)}
}

// NotFoundf returns an error that wraps ErrNotFound with a message.
func NotFoundf(format string, args ...any) error {
	return &domainError{kind: ErrNotFound, msg: fmt.Sprintf(format, args...)}
}

// Forbiddenf returns an error that wraps ErrForbidden with a message.
func Forbiddenf(format string, args ...any) error {
	return &domainError{kind: ErrForbidden, msg: fmt.Sprintf(format, args...)}
}

// Conflictf returns an error that wraps ErrConflict with a message.
func Conflictf(format string, args ...any) error {
	return &domainError{kind: ErrConflict, msg: fmt.Sprintf(format, args...)}
}

type domainError struct {
	kind error
	msg  string
}

func (e *domainError) Error() string { return e.msg }
func (e *domainError) Unwrap() error { return e.kind }
