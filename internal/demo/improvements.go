package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"ferry/engine"
	"ferry/engine/config"
	"ferry/models"
	"ferry/store"
)

// improvementTitles are what the failures of each kind of deployment taught, as a
// team would write it into the improvement register (see failureLessons).
var improvementTitles = map[models.Kind][]string{
	models.KindSoftware: {"Smoke-test every new endpoint before traffic moves",
		"Compare staging and production configuration before the start"},
	models.KindData:          {"Try each migration on a full-size copy of production first"},
	models.KindHardware:      {"Check the supplier's package against the bill of materials on arrival"},
	models.KindDocumentation: {"Start the documentation review two days before the release"},
	models.KindLicence:       {"Check the seat count with purchasing before activation"},
}

// improvementPath is how far each improvement of the demo moves, in turn: most are on
// their way, one was turned down.
var improvementPath = [][]models.ImprovementStatus{
	{models.ImprovementApproved, models.ImprovementInProgress, models.ImprovementImplemented, models.ImprovementVerified},
	{},
	{models.ImprovementApproved, models.ImprovementInProgress},
	{models.ImprovementRejected},
	{models.ImprovementApproved},
	{models.ImprovementApproved, models.ImprovementInProgress, models.ImprovementImplemented},
}

// Improvements fills the improvement register of a demo history in st: for each
// model, what its recent failures taught, proposed by a practitioner from those
// failures and moved on by a manager over the six weeks before now. Every act goes
// through the engine, as in the console, so the register and the audit log hold what
// a team's would. A verification the version's measure does not allow yet is left
// implemented.
func Improvements(ctx context.Context, st *store.Store, cfg *config.Config, now time.Time) (int, error) {
	at := now.AddDate(0, 0, -42)
	eng, err := engine.New(ctx, st, cfg, engine.WithClock(func() time.Time { return at }))
	if err != nil {
		return 0, err
	}
	mgr, pract, ok := proposers(cfg)
	if !ok {
		return 0, nil
	}
	versions, err := eng.ModelVersions(ctx, mgr)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range cfg.Models {
		if len(m.Kinds) == 0 {
			continue
		}
		v := newest(versions, m.Name)
		for _, title := range improvementTitles[m.Kinds[0]] {
			// What a model's latest version changed was learnt from the failures of the
			// one before it.
			f := models.Filter{Model: m.Name, To: at, Limit: 2, Statuses: []models.Status{models.StatusFailed, models.StatusRolledBack}}
			if v > 1 {
				f.ModelVersion = v - 1
			}
			from, err := eng.List(ctx, mgr, f)
			if err == nil && len(from) == 0 && f.ModelVersion != 0 { // none of it: any failure, still worth proposing
				f.ModelVersion = 0
				from, err = eng.List(ctx, mgr, f)
			}
			if err != nil {
				return n, err
			}
			if len(from) == 0 {
				continue
			}
			im, err := eng.AddImprovement(ctx, pract, engine.ImprovementRequest{Model: m.Name, Title: title,
				Owner: pract.Name, From: models.IDs(from), Note: fmt.Sprintf("what #%d's review taught", from[0].ID)})
			if err != nil {
				return n, err
			}
			if err := moveOn(ctx, eng, im.ID, improvementPath[n%len(improvementPath)], mgr, pract, v, &at); err != nil {
				return n, err
			}
			n++
			at = at.Add(actApart)
		}
	}
	return n, nil
}

// actApart is the time between two acts on the register: the clock only moves on,
// so the audit log, listed by its order, reads in time too (the demo's 17 acts take
// 34 of the 42 days).
const actApart = 2 * 24 * time.Hour

// moveOn moves improvement id along path, an act every actApart from *at, which it
// moves on: managers decide, the practitioner carries it out in version v.
func moveOn(ctx context.Context, eng *engine.Engine, id int64, path []models.ImprovementStatus,
	mgr, pract models.Person, v int, at *time.Time) error {
	for _, to := range path {
		*at = at.Add(actApart)
		who, note, in := pract, "", 0
		switch to {
		case models.ImprovementApproved, models.ImprovementVerified:
			who = mgr
		case models.ImprovementRejected:
			who, note = mgr, "the checklist already asks for it: the step was skipped, not missing"
		case models.ImprovementImplemented:
			in = v
		}
		_, err := eng.SetImprovement(ctx, who, id, to, note, in)
		switch {
		case errors.Is(err, models.ErrConflict) && to == models.ImprovementImplemented:
			// v is no later than what its failures ran (the engine's rule): the work
			// goes on, and nothing was done at that time.
			*at = at.Add(-actApart)
			return nil
		case errors.Is(err, models.ErrConflict) && to == models.ImprovementVerified:
			return nil // its version's effect is not measured yet: it stays implemented
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// proposers are the demo's first manager and first practitioner (the manager when
// there is none).
func proposers(cfg *config.Config) (mgr, pract models.Person, ok bool) {
	for _, p := range cfg.People {
		switch {
		case mgr.Name == "" && p.Has(models.RoleManager):
			mgr = p
		case pract.Name == "" && p.Has(models.RolePractitioner) && !p.Has(models.RoleManager):
			pract = p
		}
	}
	if pract.Name == "" {
		pract = mgr
	}
	return mgr, pract, mgr.Name != ""
}

// newest is the newest stored version of model.
func newest(versions []models.ModelVersionInfo, model string) int {
	v := 0
	for _, mv := range versions {
		if mv.Name == model {
			v = max(v, mv.Version)
		}
	}
	return v
}
