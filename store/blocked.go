package store

import (
	"context"
	"time"

	"ferry/models"
)

// BlockVersion blocks a component's version, or replaces the reason of a block.
func (q Q) BlockVersion(ctx context.Context, b models.BlockedVersion) error {
	_, err := q.db.ExecContext(ctx, `INSERT INTO blocked_versions (component, version, reason, actor, at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (component, version) DO UPDATE SET reason = excluded.reason, actor = excluded.actor, at = excluded.at`,
		b.Component, b.Version, b.Reason, b.Actor, b.At.Unix())
	return mapErr(err)
}

// UnblockVersion lifts a block; a version not blocked is models.ErrNotFound.
func (q Q) UnblockVersion(ctx context.Context, component, version string) error {
	err := q.exec1(ctx, `DELETE FROM blocked_versions WHERE component = ? AND version = ?`, component, version)
	if isNotFound(err) {
		return models.NotFoundf("%s %s is not blocked", component, version)
	}
	return err
}

// BlockedVersions lists every blocked version, by component and version. There are
// few: the conflict detection reads them all at once.
func (q Q) BlockedVersions(ctx context.Context) ([]models.BlockedVersion, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT component, version, reason, actor, at FROM blocked_versions ORDER BY component, version`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []models.BlockedVersion
	for rows.Next() {
		var b models.BlockedVersion
		var at int64
		if err := rows.Scan(&b.Component, &b.Version, &b.Reason, &b.Actor, &at); err != nil {
			return nil, mapErr(err)
		}
		b.At = time.Unix(at, 0).UTC()
		out = append(out, b)
	}
	return out, mapErr(rows.Err())
}

// Blocked is the block of a component's version, if it has one.
func (q Q) Blocked(ctx context.Context, component, version string) (models.BlockedVersion, bool, error) {
	b := models.BlockedVersion{Component: component, Version: version}
	var at int64
	err := mapErr(q.db.QueryRowContext(ctx, `SELECT reason, actor, at FROM blocked_versions WHERE component = ? AND version = ?`,
		component, version).Scan(&b.Reason, &b.Actor, &at))
	if isNotFound(err) {
		return b, false, nil
	}
	b.At = time.Unix(at, 0).UTC()
	return b, err == nil, err
}
