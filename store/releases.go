package store

import (
	"context"
	"database/sql"
	"time"

	"ferry/models"
)

// InsertRelease stores a new release with its components and returns its id; a
// name already taken is refused (models.ErrConflict).
func (q Q) InsertRelease(ctx context.Context, r models.Release) (int64, error) {
	res, err := q.db.ExecContext(ctx, `INSERT INTO releases (name, change_ref, notes, created_by, created_at)
		VALUES (?, ?, ?, ?, ?)`, r.Name, r.ChangeRef, r.Notes, r.CreatedBy, r.CreatedAt.Unix())
	if err != nil {
		return 0, mapErr(err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	for _, c := range r.Components {
		if _, err := q.db.ExecContext(ctx, `INSERT INTO release_components (release_id, component, version) VALUES (?, ?, ?)`,
			id, c.Component, c.Version); err != nil {
			return 0, mapErr(err)
		}
	}
	return id, nil
}

// Release loads the release called name with its components.
func (q Q) Release(ctx context.Context, name string) (models.Release, error) {
	var r models.Release
	var at int64
	err := q.db.QueryRowContext(ctx, `SELECT id, name, change_ref, notes, created_by, created_at FROM releases WHERE name = ?`,
		name).Scan(&r.ID, &r.Name, &r.ChangeRef, &r.Notes, &r.CreatedBy, &at)
	if err := mapErr(err); isNotFound(err) {
		return r, models.NotFoundf("no release %q (see 'ferry release list')", name)
	} else if err != nil {
		return r, err
	}
	r.CreatedAt = time.Unix(at, 0).UTC()
	r.Components, err = q.releaseComponents(ctx, r.ID)
	return r, err
}

func (q Q) releaseComponents(ctx context.Context, id int64) ([]models.ReleaseComponent, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT component, version FROM release_components WHERE release_id = ? ORDER BY rowid`, id)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []models.ReleaseComponent
	for rows.Next() {
		var c models.ReleaseComponent
		if err := rows.Scan(&c.Component, &c.Version); err != nil {
			return nil, mapErr(err)
		}
		out = append(out, c)
	}
	return out, mapErr(rows.Err())
}

// Releases lists every release, newest first, with its components.
func (q Q) Releases(ctx context.Context) ([]models.Release, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT name FROM releases ORDER BY created_at DESC, id DESC`)
	if err != nil {
		return nil, mapErr(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, mapErr(err)
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, mapErr(err)
	}
	out := make([]models.Release, 0, len(names))
	for _, n := range names {
		r, err := q.Release(ctx, n)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// LinkRelease records that deployment id was planned for release rel.
func (q Q) LinkRelease(ctx context.Context, rel, id int64) error {
	_, err := q.db.ExecContext(ctx, `INSERT INTO release_deployments (release_id, deployment_id) VALUES (?, ?)`, rel, id)
	return mapErr(err)
}

// ReleaseOf is the release deployment id was planned for, if any.
func (q Q) ReleaseOf(ctx context.Context, id int64) (rel int64, ok bool, err error) {
	err = q.db.QueryRowContext(ctx, `SELECT release_id FROM release_deployments WHERE deployment_id = ?`, id).Scan(&rel)
	if err == sql.ErrNoRows {
		return 0, false, nil
	}
	return rel, err == nil, mapErr(err)
}

// ReleaseDeployments lists the deployments planned for release rel, oldest first.
func (q Q) ReleaseDeployments(ctx context.Context, rel int64) ([]models.Deployment, error) {
	return q.queryDeployments(ctx, `SELECT `+deploymentCols+` FROM deployments
		WHERE id IN (SELECT deployment_id FROM release_deployments WHERE release_id = ?) ORDER BY id`, rel)
}
