package engine

import (
	"context"
	"slices"
	"time"

	"ferry/models"
	"ferry/store"
)

// Dashboard is what a deployment manager needs at a glance.
type Dashboard struct {
	Now            time.Time
	Running        []models.Deployment
	Blocked        []Blocked
	DueToday       []models.Deployment // planned to start later today, or just now (within the adherence tolerance)
	Upcoming       []models.Deployment // planned after today, soonest first
	Overdue        []models.Deployment // planned, not started, its start passed by more than the adherence tolerance; the person's (see overdue)
	Waits          map[int64]WaitKind  // what a running deployment waits for a person to do (none: its runner works)
	Inbox          []InboxItem         // what waits for the person (see Inbox) but its conflicts, which Conflicts counts: Needs you, failures and lateness too
	Watched        []InboxItem         // for one who watches rather than acts (an analyst): every failure and lateness
	ReviewsWaiting int                 // failures waiting for the person's review; Inbox holds the first ReviewsShown
	Conflicts      []models.Conflict   // open conflicts among unfinished deployments, their heads (see ConflictFilter.heads): the dashboard counts and marks them
	OpenIncidents  []IncidentOn        // incidents not yet resolved, newest first
	Last30         Stats
}

// IncidentOn is an incident with the deployment it is linked to.
type IncidentOn struct {
	models.Incident
	Deployment models.Deployment
}

// openIncidentsShown is how many open incidents the dashboard lists at most.
const openIncidentsShown = 20

// Blocked is a checklist item someone reported as blocked.
type Blocked struct {
	Deployment models.Deployment
	Step       models.StepRun
}

// Stats summarises the deployments scheduled in a period.
type Stats struct {
	From, To                                        time.Time
	Total, Succeeded, Failed, RolledBack, Cancelled int
	Finished                                        int           // succeeded + failed + rolled back
	OnTime, Started                                 int           // started within tolerance / started at all
	LeadTimeP50                                     time.Duration // of those finished in the days
	DailySuccess                                    []float64     // success rate per local day, -1 for none
}

// SuccessRate is succeeded / finished, or -1 when nothing finished.
func (s Stats) SuccessRate() float64 { return ratio(s.Succeeded, s.Finished) }

// OnTimeRate is on-time starts / starts, or -1 when nothing started.
func (s Stats) OnTimeRate() float64 { return ratio(s.OnTime, s.Started) }

func ratio(a, b int) float64 {
	if b == 0 {
		return -1
	}
	return float64(a) / float64(b)
}

// Dashboard gathers the dashboard. Technicians see only their own deployments in it.
func (e *Engine) Dashboard(ctx context.Context, actor models.Person) (Dashboard, error) {
	if err := Can(actor, ActRead, nil); err != nil && !onlyOwn(actor) {
		return Dashboard{}, err
	}
	if err := e.useBasis(ctx); err != nil {
		return Dashboard{}, err
	}
	return e.dashboardWith(ctx, actor, e.readers())
}

// dashboardWith reads the dashboard with readers readers at one state.
func (e *Engine) dashboardWith(ctx context.Context, actor models.Person, readers int) (Dashboard, error) {
	var db Dashboard
	err := e.st.Snapshots(ctx, readers, func(qs []store.Q) error {
		var err error
		db, err = e.dashboard(ctx, qs, actor)
		return err
	})
	return db, err
}

// dashboard reads the dashboard through qs, which see one state: the open conflicts,
// the reviews and models due on the second (dashboardBeside), beside the rest, when
// there are two.
func (e *Engine) dashboard(ctx context.Context, qs []store.Q, actor models.Person) (Dashboard, error) {
	var (
		db      Dashboard
		open    []models.Conflict
		side    []InboxItem
		waiting int
		last    Stats
		now     = e.Now()
	)
	err := beside(qs, func(q store.Q) error {
		var err error
		if db, err = e.dashboardNow(ctx, q, actor, now); err != nil {
			return err
		}
		last, err = e.stats(ctx, q, now.AddDate(0, 0, -29), now)
		return err
	}, func(q store.Q) error {
		var err error
		open, side, waiting, err = e.dashboardBeside(ctx, q, actor)
		return err
	})
	db.Conflicts, db.Inbox, db.ReviewsWaiting, db.Last30 = open, joinInbox(db.Inbox, side), waiting, last
	if onlyOwn(actor) {
		db = db.only(actor.Name)
	}
	return db, err
}

// dashboardBeside is what the dashboard reads beside the rest: the open conflicts
// actor sees, what is due to learn from, and how many failures wait for a review.
// Unlike the inbox it makes no item of each conflict of actor's plans: the dashboard
// counts the conflicts by kind and marks the plans it lists, and those items,
// hundreds on a crowded schedule with their plans loaded, took 4–6 ms of the
// console's first frame on the 100k-planned database. Of the failures it lists the
// oldest ReviewsShown and counts the rest, where it loaded a hundred.
func (e *Engine) dashboardBeside(ctx context.Context, q store.Q, actor models.Person) ([]models.Conflict, []InboxItem, int, error) {
	open, err := e.conflicts(ctx, q, actor, ConflictFilter{OpenOnly: true, heads: true})
	if err != nil {
		return nil, nil, 0, err
	}
	later, waiting, err := e.inboxLater(ctx, q, actor, ReviewsShown)
	return open, later, waiting, err
}

// dashboardNow reads all but what dashboard reads beside it.
func (e *Engine) dashboardNow(ctx context.Context, q store.Q, actor models.Person, now time.Time) (Dashboard, error) {
	db := Dashboard{Now: now}
	var err error
	if db.Running, err = q.Running(ctx); err != nil {
		return db, err
	}
	if db.Blocked, err = blocked(ctx, q, db.Running); err != nil {
		return db, err
	}
	planned := []models.Status{models.StatusPlanned}
	endOfDay := startOfDay(now, e.Location()).AddDate(0, 0, 1)
	// A plan for now is due, not late, until it would no longer start on time: the
	// same tolerance the reports and the overdue notice count lateness by.
	late := now.Add(-e.cfg.AdherenceTolerance)
	if db.DueToday, err = q.Deployments(ctx, models.Filter{Statuses: planned, From: late, To: endOfDay, Oldest: true, Limit: 100}); err != nil {
		return db, err
	}
	if db.Upcoming, err = q.Deployments(ctx, models.Filter{Statuses: planned, From: endOfDay, Oldest: true, Limit: 50}); err != nil {
		return db, err
	}
	if db.Overdue, err = e.overdue(ctx, q, actor); err != nil {
		return db, err
	}
	waits, err := e.waits(ctx, q, db.Running)
	if err != nil {
		return db, err
	}
	db.Waits = map[int64]WaitKind{}
	for id, w := range waits {
		db.Waits[id] = w.Kind
	}
	if db.Inbox, err = e.inboxNow(ctx, q, actor, db.Running, db.Overdue, waits); err != nil {
		return db, err
	}
	if watches(actor) {
		if db.Watched, err = e.wrongItems(ctx, q, actor, db.Running, db.Overdue, true); err != nil {
			return db, err
		}
	}
	db.OpenIncidents, err = e.openIncidents(ctx, q, actor)
	return db, err
}

// overdue are the plans that no longer start on time (Overdue) and concern actor
// (theirs, or any for managers), the latest first: chosen in the query, so that a
// requester's are not crowded out of the first hundred by everyone else's.
func (e *Engine) overdue(ctx context.Context, q store.Q, actor models.Person) ([]models.Deployment, error) {
	f := models.Filter{Statuses: []models.Status{models.StatusPlanned}, To: e.Now().Add(-e.cfg.AdherenceTolerance), Limit: 100}
	if actor.Has(models.RoleManager) || watches(actor) {
		return q.Deployments(ctx, f)
	}
	f.Assignee = actor.Name
	assigned, err := q.Deployments(ctx, f)
	if err != nil {
		return nil, err
	}
	f.Assignee, f.Requester = "", actor.Name
	requested, err := q.Deployments(ctx, f)
	for _, d := range requested {
		if !slices.ContainsFunc(assigned, func(a models.Deployment) bool { return a.ID == d.ID }) {
			assigned = append(assigned, d)
		}
	}
	return assigned, err
}

// Overdue reports whether d is planned and no longer starts on time: its start lies
// further back than the adherence tolerance (as the dashboard, the reports and the
// overdue notice count lateness).
func (e *Engine) Overdue(d models.Deployment) bool {
	return d.Status == models.StatusPlanned && d.ScheduledStart.Before(e.Now().Add(-e.cfg.AdherenceTolerance))
}

// Overrunning reports whether d is under way past the end of its window (as the
// dashboard, the inbox, My work and its page say).
func (e *Engine) Overrunning(d models.Deployment) bool { return d.OverrunsAt(e.Now()) }

// openIncidents are the incidents not resolved yet, on deployments actor may see:
// they stay on the dashboard until someone records their resolution.
func (e *Engine) openIncidents(ctx context.Context, q store.Q, actor models.Person) ([]IncidentOn, error) {
	open, err := q.AllIncidents(ctx, true, openIncidentsShown)
	if err != nil {
		return nil, err
	}
	var out []IncidentOn
	for _, in := range open {
		d, err := q.Deployment(ctx, in.DeploymentID)
		if err != nil {
			return nil, err
		}
		if Can(actor, ActRead, &d) == nil {
			out = append(out, IncidentOn{Incident: in, Deployment: d})
		}
	}
	return out, nil
}

// Work is one unfinished deployment on a person's list, with what stands in its way.
type Work struct {
	Deployment models.Deployment
	Blocked    *models.StepRun   // its first blocked checklist item, if any
	Waiting    *Waiting          // what it waits for a person to do (a tick, an approval…); nil when nothing
	Conflicts  []models.Conflict // the open conflicts it is in (a freeze, a clash)
}

// OpenWork lists the unfinished deployments assigned to actor, soonest first (at
// most limit), with their blocked items, what each waits for and the open conflicts
// each is in, in one snapshot: a technician's "My work".
func (e *Engine) OpenWork(ctx context.Context, actor models.Person, limit int) ([]Work, error) {
	var open []models.Status
	for _, s := range models.Statuses {
		if !s.Final() {
			open = append(open, s)
		}
	}
	var out []Work
	err := e.st.Snapshot(ctx, func(q store.Q) error {
		ds, err := q.Deployments(ctx, models.Filter{Assignee: actor.Name, Statuses: open, Oldest: true, Limit: limit})
		if err != nil {
			return err
		}
		bs, err := blocked(ctx, q, ds)
		if err != nil {
			return err
		}
		cs, err := e.conflicts(ctx, q, actor, ConflictFilter{OpenOnly: true})
		if err != nil {
			return err
		}
		for _, d := range ds {
			w := Work{Deployment: d}
			if i := slices.IndexFunc(bs, func(b Blocked) bool { return b.Deployment.ID == d.ID }); i >= 0 {
				w.Blocked = &bs[i].Step
			}
			if w.Waiting, err = e.waitingNow(ctx, q, d); err != nil {
				return err
			}
			for _, c := range cs {
				if c.Involves(d.ID) {
					w.Conflicts = append(w.Conflicts, c)
				}
			}
			out = append(out, w)
		}
		return nil
	})
	return out, err
}

func blocked(ctx context.Context, q store.Q, ds []models.Deployment) ([]Blocked, error) {
	var out []Blocked
	for _, d := range ds {
		if !d.Status.Running() {
			continue
		}
		runs, err := q.StepRuns(ctx, d)
		if err != nil {
			return nil, err
		}
		for _, r := range runs {
			if r.Status == models.StepBlocked {
				out = append(out, Blocked{d, r})
			}
		}
	}
	return out, nil
}

// only keeps what is assigned to person.
func (db Dashboard) only(person string) Dashboard {
	mine := func(ds []models.Deployment) []models.Deployment {
		return slices.DeleteFunc(slices.Clone(ds), func(d models.Deployment) bool { return d.Assignee != person })
	}
	db.Running, db.DueToday, db.Overdue = mine(db.Running), mine(db.DueToday), mine(db.Overdue)
	db.Upcoming = mine(db.Upcoming)
	db.Blocked = slices.DeleteFunc(db.Blocked, func(b Blocked) bool { return b.Deployment.Assignee != person })
	db.OpenIncidents = slices.DeleteFunc(db.OpenIncidents, func(in IncidentOn) bool { return in.Deployment.Assignee != person })
	waits := map[int64]WaitKind{}
	for _, d := range db.Running {
		if k, ok := db.Waits[d.ID]; ok {
			waits[d.ID] = k
		}
	}
	db.Waits = waits
	return db
}

// Stats summarises the local days from's to to's (both included) from the report
// rollups, with the same definitions as the Reports screen and ferry report.
func (e *Engine) Stats(ctx context.Context, from, to time.Time) (Stats, error) {
	if err := e.useBasis(ctx); err != nil {
		return Stats{}, err
	}
	var s Stats
	err := e.st.Snapshot(ctx, func(q store.Q) error {
		var err error
		s, err = e.stats(ctx, q, from, to)
		return err
	})
	return s, err
}

func (e *Engine) stats(ctx context.Context, q store.Q, from, to time.Time) (Stats, error) {
	r := ReportRequest{From: from, To: to.Add(time.Second), Period: PeriodDay}
	if err := e.validReport(ctx, r); err != nil {
		return Stats{}, err
	}
	rep, err := e.report(ctx, []store.Q{q}, r)
	if err != nil {
		return Stats{}, err
	}
	s := Stats{From: rep.From, To: rep.To}
	for _, r := range rep.Rows {
		s.DailySuccess = append(s.DailySuccess, ratio(int(r.SuccessRate.N), int(r.SuccessRate.D)))
	}
	t := rep.Totals[0].Metrics
	s.Total, s.Succeeded, s.Failed = int(t.Deployments), int(t.Succeeded), int(t.Failed)
	s.RolledBack, s.Cancelled = int(t.RolledBack), int(t.Cancelled)
	s.Finished = int(t.SuccessRate.D)
	s.OnTime, s.Started = int(t.OnTimeStart.N), int(t.OnTimeStart.D)
	s.LeadTimeP50 = t.LeadP50
	return s, nil
}

// startOfDay is local midnight of t's day, in UTC.
func startOfDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc).UTC()
}
