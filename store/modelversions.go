package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"ferry/models"
)

// SyncModel stores m unless a version with the same content exists, and returns the
// model with its version number and the row id deployments refer to.
func (q Q) SyncModel(ctx context.Context, m models.Model, now time.Time) (models.Model, int64, error) {
	stored, id, err := q.FindModel(ctx, m)
	if err == nil || !isNotFound(err) {
		return stored, id, err
	}
	fp := m.Fingerprint()
	if err := q.db.QueryRowContext(ctx,
		`SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions WHERE name = ?`, m.Name).
		Scan(&m.Version); err != nil {
		return m, 0, mapErr(err)
	}
	def, err := json.Marshal(m)
	if err != nil {
		return m, 0, err
	}
	res, err := q.db.ExecContext(ctx,
		`INSERT INTO model_versions (name, version, fingerprint, definition, created_at) VALUES (?, ?, ?, ?, ?)`,
		m.Name, m.Version, fp, string(def), now.Unix())
	if err != nil {
		return m, 0, mapErr(err)
	}
	id, err = res.LastInsertId()
	return m, id, err
}

// FindModel returns m with the version number of the stored version with the same
// content, and its row id; ErrNotFound when no version has this content.
func (q Q) FindModel(ctx context.Context, m models.Model) (models.Model, int64, error) {
	var id int64
	err := q.db.QueryRowContext(ctx,
		`SELECT id, version FROM model_versions WHERE name = ? AND fingerprint = ?`, m.Name, m.Fingerprint()).
		Scan(&id, &m.Version)
	return m, id, mapErr(err)
}

// ModelVersion loads one stored version of a model.
func (q Q) ModelVersion(ctx context.Context, name string, version int) (models.Model, error) {
	var def string
	err := q.db.QueryRowContext(ctx,
		`SELECT definition FROM model_versions WHERE name = ? AND version = ?`, name, version).Scan(&def)
	if err != nil {
		if err := mapErr(err); isNotFound(err) {
			return models.Model{}, models.NotFoundf("model %q has no version %d", name, version)
		}
		return models.Model{}, mapErr(err)
	}
	return decodeModel(def)
}

// ModelVersionByID loads the model version a deployment refers to.
func (q Q) modelVersionByID(ctx context.Context, id int64) (models.Model, error) {
	var def string
	if err := q.db.QueryRowContext(ctx, `SELECT definition FROM model_versions WHERE id = ?`, id).Scan(&def); err != nil {
		return models.Model{}, mapErr(err)
	}
	return decodeModel(def)
}

// ModelVersions lists every stored version of every model, by name then version.
func (q Q) ModelVersions(ctx context.Context) ([]models.ModelVersionInfo, error) {
	rows, err := q.db.QueryContext(ctx,
		`SELECT name, version, fingerprint, created_at, COALESCE(json_extract(definition, '$.change_note'), '')
		FROM model_versions ORDER BY name, version`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []models.ModelVersionInfo
	for rows.Next() {
		var v models.ModelVersionInfo
		var at int64
		if err := rows.Scan(&v.Name, &v.Version, &v.Fingerprint, &at, &v.ChangeNote); err != nil {
			return nil, mapErr(err)
		}
		v.CreatedAt = time.Unix(at, 0).UTC()
		out = append(out, v)
	}
	return out, mapErr(rows.Err())
}

func decodeModel(def string) (models.Model, error) {
	if m, ok := decoded.get(def); ok {
		return m, nil
	}
	var m models.Model
	if err := json.Unmarshal([]byte(def), &m); err != nil {
		return m, fmt.Errorf("stored model definition is unreadable: %w", err)
	}
	decoded.put(def, m)
	return m, nil
}

// decoded holds the models decoded lately, by their stored definition: a version's
// definition never changes, and a tick or a checklist's reload reads the model of
// its deployment each time (decoding a checklist of 300 items took 3.5 ms a tick).
// Keyed by the text itself, it holds across databases; callers get copies.
var decoded = &modelCache{m: map[string]models.Model{}}

type modelCache struct {
	mu sync.Mutex
	m  map[string]models.Model
}

// modelCacheSize bounds the cache: an organisation has tens of model versions.
const modelCacheSize = 256

func (c *modelCache) get(def string) (models.Model, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.m[def]
	if !ok {
		return m, false
	}
	return m.Clone(), true
}

func (c *modelCache) put(def string, m models.Model) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= modelCacheSize {
		clear(c.m)
	}
	c.m[def] = m.Clone()
}
