package engine

import (
	"context"
	"fmt"
	"strings"

	"ferry/models"
	"ferry/store"
)

// Audit log entry types of version blocks and releases.
const (
	EntryBlock   = "block"
	EntryUnblock = "unblock"
	EntryRelease = "release"
)

// BlockVersion blocks a component's version (managers): it can no longer be
// planned or started anywhere, and its planned deployments are in a blocked_version
// conflict. The audit log keeps who blocked it and why.
func (e *Engine) BlockVersion(ctx context.Context, actor models.Person, component, version, reason string) (models.BlockedVersion, error) {
	if err := models.CheckText("reason", reason); err != nil { // a paste gone wrong, not an account
		return models.BlockedVersion{}, err
	}
	b := models.BlockedVersion{Component: component, Version: strings.TrimSpace(version), Reason: strings.TrimSpace(reason),
		Actor: actor.Name, At: e.Now()}
	if err := e.checkBlock(actor, b.Component, b.Version); err != nil {
		return b, err
	}
	if b.Reason == "" {
		return b, models.Invalidf("--reason: %s", NeedVersionReason(component, version))
	}
	if err := models.CheckLine("reason", b.Reason); err != nil {
		return b, err
	}
	err := e.st.Write(ctx, func(q store.Q) error {
		if err := q.BlockVersion(ctx, b); err != nil {
			return err
		}
		return e.audit(ctx, q, actor, EntryBlock, fmt.Sprintf("blocked %s %s: %s", b.Component, b.Version, b.Reason))
	})
	return b, err
}

// UnblockVersion lifts a block (managers), with an optional note for the audit log.
func (e *Engine) UnblockVersion(ctx context.Context, actor models.Person, component, version, note string) error {
	if err := models.CheckText("note", note); err != nil { // a paste gone wrong, not an account
		return err
	}
	version = strings.TrimSpace(version)
	if err := e.checkBlock(actor, component, version); err != nil {
		return err
	}
	return e.st.Write(ctx, func(q store.Q) error {
		if err := q.UnblockVersion(ctx, component, version); err != nil {
			return err
		}
		detail := fmt.Sprintf("unblocked %s %s", component, version)
		if note = strings.TrimSpace(note); note != "" {
			detail += ": " + note
		}
		return e.audit(ctx, q, actor, EntryUnblock, detail)
	})
}

// BlockedVersions lists the blocked versions.
func (e *Engine) BlockedVersions(ctx context.Context, actor models.Person) ([]models.BlockedVersion, error) {
	if err := Can(actor, ActRead, nil); err != nil && !onlyOwn(actor) {
		return nil, err
	}
	return e.st.Read().BlockedVersions(ctx)
}

func (e *Engine) checkBlock(actor models.Person, component, version string) error {
	if err := Can(actor, ActBlock, nil); err != nil {
		return err
	}
	if _, ok := e.cfg.Component(component); !ok {
		return models.Invalidf("unknown component %q", component)
	}
	if version == "" {
		return models.Invalidf("a version is needed")
	}
	return models.CheckLabel("version", version)
}
