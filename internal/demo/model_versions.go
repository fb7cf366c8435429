package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"ferry/models"
	"ferry/store"
)

// olderVariant is m as it was before its last improvement: without the first step
// of the latest stage that has two or more (for web-service: before the smoke tests).
func olderVariant(m models.Model) (models.Model, bool) {
	for _, st := range slices.Backward(models.Stages) {
		var idx []int
		for i, s := range m.Steps {
			if s.Stage == st {
				idx = append(idx, i)
			}
		}
		if len(idx) >= 2 {
			old := m
			old.Steps = slices.Delete(slices.Clone(m.Steps), idx[0], idx[0]+1)
			return old, true
		}
	}
	return m, false
}

// syncModels stores every config model, two of them after an older version of
// themselves, and prepares their step lists per environment.
func (g *gen) syncModels(ctx context.Context, st *store.Store) error {
	olds, err := g.olderModels(ctx, st)
	if err != nil {
		return err
	}
	early := time.Unix(g.targetStart-60*day, 0)
	cur := make([]int, len(g.cfg.Models))
	old := make([]int, len(g.cfg.Models))
	err = st.Write(ctx, func(q store.Q) error {
		g.mvs = nil
		for i, m := range g.cfg.Models {
			created := early
			if o, ok := olds[i]; ok {
				sm, id, err := q.SyncModel(ctx, o, early)
				if err != nil {
					return fmt.Errorf("store model %q: %w", m.Name, err)
				}
				old[i] = len(g.mvs)
				g.mvs = append(g.mvs, g.mvInfo(sm, id))
				created = time.Unix(g.cutoff-3*day, 0)
			}
			sm, id, err := q.SyncModel(ctx, m, created)
			if err != nil {
				return fmt.Errorf("store model %q: %w", m.Name, err)
			}
			cur[i] = len(g.mvs)
			if _, ok := olds[i]; !ok {
				old[i] = len(g.mvs)
			}
			g.mvs = append(g.mvs, g.mvInfo(sm, id))
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(g.mvs) > 250 { // stored as a byte in the history records
		return models.Invalidf("demo data supports at most 250 model versions")
	}
	for _, c := range g.comps {
		c.mvCur, c.mvOld = cur[c.model], old[c.model]
	}
	return nil
}

// olderModels picks the first two models that components use, that the database
// does not know yet and that had an older variant, by index into the config's models.
func (g *gen) olderModels(ctx context.Context, st *store.Store) (map[int]models.Model, error) {
	stored, err := st.Read().ModelVersions(ctx)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, v := range stored {
		known[v.Name] = true
	}
	usedModel := map[int]bool{}
	for _, c := range g.comps {
		usedModel[c.model] = true
	}
	olds := map[int]models.Model{}
	for i, m := range g.cfg.Models {
		if len(olds) == 2 {
			break
		}
		if !usedModel[i] || known[m.Name] {
			continue
		}
		if old, ok := olderVariant(m); ok {
			olds[i] = old
		}
	}
	return olds, nil
}

// mvInfo prepares a stored model version: its steps and whether it runs by itself
// in each environment, who may approve its gates, and its on-failure steps by stage.
func (g *gen) mvInfo(m models.Model, id int64) *mvInfo {
	mv := &mvInfo{m: m, id: id, steps: make([][]models.Step, len(g.envs)), automated: make([]bool, len(g.envs)),
		approvers: map[string][]string{}, onFailure: make([]map[models.Stage][]string, len(g.envs)),
		rollback:   make([][]models.Step, len(g.envs)),
		hasFailure: len(m.OnFailure) > 0}
	for i, e := range g.envs {
		if m.OnPath(e.e.Name) {
			mv.steps[i] = m.StepsFor(e.e.Name)
			mv.automated[i] = m.Automated(e.e.Name)
			mv.rollback[i] = m.OnFailureFor(e.e.Name)
			mv.onFailure[i] = onFailureByStage(mv.rollback[i])
		}
	}
	for _, s := range m.Steps {
		if s.Kind != models.StepGate {
			continue
		}
		roles := s.Roles
		if len(roles) == 0 {
			roles = []models.Role{models.RoleManager}
		}
		var who []string
		for _, p := range g.cfg.People {
			if slices.ContainsFunc(roles, p.Has) {
				who = append(who, p.Name)
			}
		}
		if len(who) == 0 {
			who = g.managers
		}
		mv.approvers[s.Name] = who
	}
	return mv
}

// onFailureByStage lists the on-failure steps' names by stage, in run order.
func onFailureByStage(steps []models.Step) map[models.Stage][]string {
	out := map[models.Stage][]string{}
	for _, s := range steps {
		out[s.Stage] = append(out[s.Stage], s.Name)
	}
	return out
}
