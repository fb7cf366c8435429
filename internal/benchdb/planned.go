package benchdb

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"ferry/engine/config"
	"ferry/models"
	"ferry/store"
)

// Planned100k is a private copy of 100,000 planned deployments over three years, the
// schedule conflict detection is measured on.
func Planned100k(tb testing.TB) string {
	return Cached(tb, "planned-100k-v3", func(ctx context.Context, st *store.Store) error {
		return fillPlanned(ctx, st, Config(tb), 100_000)
	})
}

// fillPlanned writes n planned deployments shaped like a real schedule: each version
// moves through dev, test and staging an hour apart, people take turns, and one
// version in thirty goes on to production inside its maintenance windows, one at a
// time. So most plans are free of conflicts, as in a schedule people look after.
func fillPlanned(ctx context.Context, st *store.Store, cfg *config.Config, n int) error {
	mvid := map[string]int64{}
	versions := map[string]int{}
	err := st.Write(ctx, func(q store.Q) error {
		for _, m := range cfg.Models {
			stored, id, err := q.SyncModel(ctx, m, Now)
			if err != nil {
				return err
			}
			mvid[m.Name], versions[m.Name] = id, stored.Version
		}
		return nil
	})
	if err != nil {
		return err
	}
	web, _ := cfg.Model("web-service")
	var comps []models.Component
	for _, c := range cfg.Components() {
		if web.AppliesToKind(c.Kind) {
			comps = append(comps, c)
		}
	}
	crew := []string{"sam", "jon", "lea", "tom", "ines", "raj"}
	managers := []string{"ana", "marc"}
	prod, _ := cfg.Environment("production")
	from := Now.Add(24 * time.Hour).Truncate(time.Hour)
	windows := prodSlots(prod, cfg, from, from.Add(4*365*24*time.Hour), web.DefaultDuration)
	groups := n * 30 / 91 // 3 per group, plus one production per 30 groups
	// Three years: a component comes back every len(comps) groups, after its last
	// version has left staging.
	gap := 3 * 365 * 24 * time.Hour / time.Duration(groups)
	written := 0
	return st.Bulk(ctx, func(bk *store.Bulk) error {
		add := func(c models.Component, version, env, who string, start time.Time) error {
			d := models.Deployment{Model: web.Name, ModelVersion: versions[web.Name], Service: c.Service,
				Component: c.Name, Kind: c.Kind, Version: version, Action: models.ActionDeploy, Environment: env,
				Status: models.StatusPlanned, Assignee: who, ScheduledStart: start,
				ScheduledEnd: start.Add(web.DefaultDuration), CreatedAt: Now, UpdatedAt: Now}
			written++
			_, err := bk.Deployment(d, mvid[web.Name])
			return err
		}
		for g := 0; written < n; g++ {
			c := comps[g%len(comps)]
			version := fmt.Sprintf("%d.%d", g/len(comps), g%len(comps))
			start := from.Add(time.Duration(g) * gap).Truncate(time.Minute)
			who := crew[g%len(crew)]
			for i, env := range []string{"dev", "test", "staging"} {
				if written == n {
					return nil
				}
				if err := add(c, version, env, who, start.Add(time.Duration(i)*time.Hour)); err != nil {
					return err
				}
			}
			if g%30 == 0 && len(windows) > 0 && written < n {
				// The next free production slot after staging has finished.
				ready := start.Add(3 * time.Hour)
				for len(windows) > 0 && windows[0].Before(ready) {
					windows = windows[1:]
				}
				if len(windows) > 0 {
					if err := add(c, version, "production", managers[(g/30)%2], windows[0]); err != nil {
						return err
					}
					windows = windows[1:]
				}
			}
		}
		return nil
	})
}

// prodSlots cuts an environment's maintenance windows, outside its freezes, into
// back-to-back slots of length d.
func prodSlots(env models.Environment, cfg *config.Config, from, to time.Time, d time.Duration) []time.Time {
	var out []time.Time
	for _, m := range env.Maintenance {
		for _, occ := range m.Occurrences(from, to, cfg.Location) {
		slot:
			for s := occ.Start; !s.Add(d).After(occ.End); s = s.Add(d) {
				iv := models.Interval{Start: s, End: s.Add(d)}
				for _, f := range env.Freeze {
					if len(f.Occurrences(iv.Start, iv.End, cfg.Location)) > 0 {
						continue slot
					}
				}
				out = append(out, s)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}
