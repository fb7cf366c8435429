package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"ferry/models"
)

func TestMatchQuery(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"pay", `"pay"*`, true},
		{"  payments   api ", `"payments" "api"*`, true},
		{"payments-api", `"payments-api"*`, true},
		{`say "hi"`, `"say" """hi"""*`, true},
		{"4.12", `"4.12"*`, true},
		{"CHG-4", `"CHG-4"*`, true},
		{"v 4", `"v" "4"*`, true},
		{"NEAR(pay", `"NEAR(pay"*`, true},
		{"pay AND api", `"pay" "AND" "api"*`, true},
		{"pay - *", `"pay"*`, true}, // words without letters or digits are left out
		{"Zürich", `"Zürich"*`, true},
		{"a\x00b", `"a" "b"*`, true},
		{"", "", false},
		{"   ", "", false},
		{`" * - ( ) :`, "", false},
		{"😀", "", false},
		{"ǂetest", `"etest"*`, true}, // the facets' lead is not searched for
		{"aǂb", `"a" "b"*`, true},
		{"ǂ", "", false},
	} {
		got, ok := matchQuery(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("matchQuery(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestSearchKeyOrdersLikeStartThenID(t *testing.T) {
	base := t0.Unix()
	last := time.Date(models.MaxYear, 12, 31, 23, 59, 0, 0, time.UTC).Unix()
	keys := []int64{searchKey(0, 1), searchKey(base-1, 1<<31-1), searchKey(base, 1), searchKey(base, 2), searchKey(base+1, 1),
		searchKey(1<<32, 1), searchKey(last, 1), searchKey(last+1, 1)}
	if !slices.IsSorted(keys) || len(slices.Compact(slices.Clone(keys))) != len(keys) {
		t.Fatalf("keys out of order: %v", keys)
	}
	if got := searchKey(last, 12345) & (1<<31 - 1); got != 12345 {
		t.Fatalf("id from key: %d", got)
	}
	// The migration's view computes the same key, up to the last year Ferry keeps.
	s := openTemp(t)
	m, mvid := syncModel(t, s, testModel())
	for _, start := range []time.Time{t0, time.Unix(1<<32+5, 0), time.Unix(last, 0)} {
		id := plan(t, s, m, mvid, "test", start)
		var sqlKey int64
		if err := s.r.QueryRow(`SELECT key FROM search_source WHERE id = ?`, id).Scan(&sqlKey); err != nil {
			t.Fatal(err)
		}
		if sqlKey != searchKey(start.Unix(), id) {
			t.Fatalf("%s: SQL key %d, Go key %d", start, sqlKey, searchKey(start.Unix(), id))
		}
	}
}

// checkIndex recomputes every document from the rows it comes from and compares it
// with what the index holds.
func checkIndex(t *testing.T, s *Store) {
	t.Helper()
	var docs, deployments, wrong int
	err := s.r.QueryRow(`SELECT (SELECT count(*) FROM search), (SELECT count(*) FROM deployments),
		(SELECT count(*) FROM search_source v LEFT JOIN search ON search.rowid = v.key
		 WHERE search.rowid IS NULL OR search.what IS NOT v.what OR search.notes IS NOT v.notes
		    OR search.facets IS NOT v.facets)`).
		Scan(&docs, &deployments, &wrong)
	if err != nil {
		t.Fatal(err)
	}
	if docs != deployments || wrong != 0 {
		t.Fatalf("search index: %d documents for %d deployments, %d missing or different", docs, deployments, wrong)
	}
	// And the index holds what the documents say.
	if _, err := s.w.Exec(`INSERT INTO search (search) VALUES ('integrity-check')`); err != nil {
		t.Fatalf("search index: %v", err)
	}
}

// ids lists the ids of a search.
func ids(t *testing.T, s *Store, f models.Filter) string {
	t.Helper()
	list, err := s.Read().Deployments(context.Background(), f)
	if err != nil {
		t.Fatalf("search %+v: %v", f, err)
	}
	var out []string
	for _, d := range list {
		out = append(out, fmt.Sprint(d.ID))
	}
	return strings.Join(out, " ")
}

// planWith stores a deployment with the given fields and returns its id.
func planWith(t *testing.T, s *Store, mvid int64, d models.Deployment) int64 {
	t.Helper()
	d.Model, d.ModelVersion, d.Kind, d.Action = "web", 1, models.KindSoftware, models.ActionDeploy
	d.Status, d.CreatedAt, d.UpdatedAt = models.StatusPlanned, t0, t0
	if d.Service == "" {
		d.Service = "svc"
	}
	if d.Environment == "" {
		d.Environment = "test"
	}
	d.ScheduledEnd = d.ScheduledStart.Add(time.Hour)
	var id int64
	err := s.Write(context.Background(), func(q Q) error {
		var err error
		id, err = q.InsertDeployment(context.Background(), d, mvid, 3)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func write(t *testing.T, s *Store, fn func(q Q) error) {
	t.Helper()
	if err := s.Write(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// Every way a document's text changes reaches the index in the same transaction.
func TestSearchIndexFollowsEveryChange(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	_, mvid := syncModel(t, s, testModel())
	pay := planWith(t, s, mvid, models.Deployment{Service: "payments", Component: "payments-api", Version: "4.12.0",
		ChangeRef: "CHG-2025-000123", ScheduledStart: t0})
	auth := planWith(t, s, mvid, models.Deployment{Service: "identity", Component: "auth-service", Version: "2.0",
		ScheduledStart: t0.Add(time.Hour)})
	checkIndex(t, s)
	for q, want := range map[string]string{
		"pay": fmt.Sprint(pay), "payments api": fmt.Sprint(pay), "identity": fmt.Sprint(auth),
		"4.12": fmt.Sprint(pay), "000123": fmt.Sprint(pay), "CHG-2025": fmt.Sprint(pay), "ser": fmt.Sprint(auth),
		"2.0": fmt.Sprint(auth), "api service": "", "hotfix": "",
	} {
		if got := ids(t, s, models.Filter{Search: q}); got != want {
			t.Errorf("search %q: %q, want %q", q, got, want)
		}
	}
	step := func(id int64, seq int, status models.StepStatus, note string) func(Q) error {
		return func(q Q) error {
			return q.SetStepRun(ctx, models.StepRun{DeploymentID: id, Seq: seq, Status: status, Actor: "bo", At: t0, Note: note}, t0)
		}
	}
	// A step note added later.
	write(t, s, step(auth, 1, models.StepDone, "waiting for the vendor hotfix"))
	if got := ids(t, s, models.Filter{Search: "hotfix"}); got != fmt.Sprint(auth) {
		t.Fatalf("note: %q", got)
	}
	// Blocked, then unblocked: the step note is cleared, the record keeps the reason.
	write(t, s, func(q Q) error {
		if err := step(pay, 2, models.StepBlocked, "PDU B has no free outlet")(q); err != nil {
			return err
		}
		return q.AddEvent(ctx, models.Event{DeploymentID: pay, At: t0, Actor: "bo", Type: "step",
			Detail: `blocked 2 "Power: both feeds": PDU B has no free outlet`})
	})
	write(t, s, func(q Q) error {
		if err := step(pay, 2, models.StepPending, "")(q); err != nil {
			return err
		}
		return q.AddEvent(ctx, models.Event{DeploymentID: pay, At: t0, Actor: "bo", Type: "step",
			Detail: `unblocked 2 "Power: both feeds": extension cable fitted`})
	})
	for q, want := range map[string]string{"outlet": fmt.Sprint(pay), "extension": fmt.Sprint(pay), "feeds": ""} {
		if got := ids(t, s, models.Filter{Search: q}); got != want {
			t.Errorf("search %q after block and unblock: %q, want %q", q, got, want)
		}
	}
	// Other record entries do not count: the step's name is not the note.
	write(t, s, func(q Q) error {
		return q.AddEvent(ctx, models.Event{DeploymentID: auth, At: t0, Actor: "bo", Type: "step", Detail: `ticked 1 "Smoke tests"`})
	})
	if got := ids(t, s, models.Filter{Search: "smoke"}); got != "" {
		t.Errorf("a step's name is not searched: %q", got)
	}
	// An incident, a cancellation reason, a note event.
	write(t, s, func(q Q) error {
		if _, err := q.AddIncident(ctx, models.Incident{DeploymentID: auth, OpenedAt: t0, Summary: "Login latency doubled"}); err != nil {
			return err
		}
		if err := q.AddEvent(ctx, models.Event{DeploymentID: pay, At: t0, Actor: "ana", Type: "cancelled",
			Detail: "planned → cancelled: vendor delivery delayed"}); err != nil {
			return err
		}
		return q.AddEvent(ctx, models.Event{DeploymentID: pay, At: t0, Actor: "ana", Type: "note",
			Detail: `note on 1 "Check": ask Zoë about the firewall`})
	})
	for q, want := range map[string]string{"latency": fmt.Sprint(auth), "delivery": fmt.Sprint(pay),
		"zoe firewall": fmt.Sprint(pay), "cancelled": ""} {
		if got := ids(t, s, models.Filter{Search: q}); got != want {
			t.Errorf("search %q: %q, want %q", q, got, want)
		}
	}
	checkIndex(t, s)
	if got := ids(t, s, models.Filter{Search: "firewall OR hotfix"}); got != "" {
		t.Errorf("words are all required, OR is a word: %q", got)
	}
	// Rescheduling moves the document (its rowid is the listing order).
	if got, want := ids(t, s, models.Filter{Search: "vendor"}), fmt.Sprintf("%d %d", auth, pay); got != want {
		t.Errorf("newest first: %q, want %q", got, want)
	}
	write(t, s, func(q Q) error { return q.SetSchedule(ctx, pay, t0.Add(5*time.Hour), t0.Add(6*time.Hour), t0) })
	write(t, s, step(auth, 3, models.StepDone, "done hotfix")) // another note on the same deployment
	checkIndex(t, s)
	if got, want := ids(t, s, models.Filter{Search: "vendor"}), fmt.Sprintf("%d %d", pay, auth); got != want {
		t.Errorf("after rescheduling, newest first: %q, want %q", got, want)
	}
	// A retry clears automated steps' notes.
	write(t, s, func(q Q) error { return q.ResetStepRuns(ctx, auth, []int{1, 3}, t0) })
	if got := ids(t, s, models.Filter{Search: "hotfix"}); got != "" {
		t.Errorf("cleared note still found: %q", got)
	}
	checkIndex(t, s)
	// A failed transaction leaves the index as it was.
	err := s.Write(ctx, func(q Q) error {
		if _, err := q.AddIncident(ctx, models.Incident{DeploymentID: auth, OpenedAt: t0, Summary: "phantom"}); err != nil {
			return err
		}
		return fmt.Errorf("changed my mind")
	})
	if err == nil || ids(t, s, models.Filter{Search: "phantom"}) != "" {
		t.Fatalf("rolled back incident: %v, found %q", err, ids(t, s, models.Filter{Search: "phantom"}))
	}
	checkIndex(t, s)
}

// Whatever a person types, the search answers without an error.
func TestSearchAwkwardInput(t *testing.T) {
	s := openTemp(t)
	_, mvid := syncModel(t, s, testModel())
	id := fmt.Sprint(planWith(t, s, mvid, models.Deployment{Service: "payments", Component: "payments-api",
		Version: "4.12.0", ChangeRef: "Zürich-7", ScheduledStart: t0}))
	for q, want := range map[string]string{
		`"payments"`: id, `"payments`: id, `pay*`: id, `*pay`: id, `-pay`: id, `pay-`: id, `NOT pay`: "",
		`NEAR(pay`: "", `NEAR(pay api)`: "", `payments AND`: "", `pay OR x`: "", `(payments)`: id,
		`payments:`: id, `what:payments`: "", `{what}: pay`: "", `^pay`: id, `pay + api`: "", `payments + api`: id, `"" pay`: id,
		`pay'`: id, `'; DROP TABLE deployments; --`: "", `%`: "", `_`: "", `\`: "", `pay\`: id,
		`zurich`: id, `ZÜRICH`: id, `zür`: id, `payments 日本`: "", `😀 pay`: id, "pay\x00ments": "",
		"\xff\xfe": "", "pay\xff": id, strings.Repeat("payments ", 200): id, `*`: "", `"`: "", `""""`: "",
		`-`: "", `AND`: "", `OR`: "", `NOT`: "", `NEAR`: "", `near(`: "",
	} {
		got := ids(t, s, models.Filter{Search: q})
		if got != want {
			t.Errorf("search %q: %q, want %q", q, got, want)
		}
	}
	// The component, service and change filters go into the match too.
	for _, c := range []struct {
		f    models.Filter
		want string
	}{
		{models.Filter{Search: "pay", Component: "payments-api"}, id},
		{models.Filter{Search: "pay", Component: "payments"}, ""},
		{models.Filter{Search: "pay", Component: "api"}, ""},
		{models.Filter{Search: "pay", Service: "payments", ChangeRef: "Zürich-7"}, id},
		{models.Filter{Search: "pay", ChangeRef: "zurich-7"}, ""}, // the filter is exact, the search is not
		{models.Filter{Search: "pay", Component: "---"}, ""},
		{models.Filter{Search: "pay", Component: `payments-api" OR "x`}, ""},
		{models.Filter{Search: "pay", Component: "payments\x00-api"}, ""},
		{models.Filter{Search: "pay", Component: "payments-api\xff", Service: "NEAR("}, ""},
	} {
		if got := ids(t, s, c.f); got != c.want {
			t.Errorf("%+v: %q, want %q", c.f, got, c.want)
		}
	}
}

// Pages of a search, with other filters, in both directions: every matching row once,
// in order, whatever the page size.
func TestSearchPagingWithFilters(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	_, mvid := syncModel(t, s, testModel())
	type row struct {
		id    int64
		start time.Time
		env   string
		comp  string
	}
	var rows []row
	comps := []string{"payments-api", "auth-service", "ledger-db"}
	for i := range 60 {
		// Several rows share a start, and ids do not follow starts.
		start := t0.Add(time.Duration((i*37)%20) * time.Hour)
		env := []string{"test", "prod"}[i%2]
		comp := comps[i%3]
		id := planWith(t, s, mvid, models.Deployment{Component: comp, Version: "1.0", Environment: env, ScheduledStart: start})
		rows = append(rows, row{id, start, env, comp})
	}
	// Some move, so that their rowid in the index has to move too.
	for i := 0; i < len(rows); i += 7 {
		rows[i].start = rows[i].start.Add(-3 * time.Hour)
		write(t, s, func(q Q) error {
			return q.SetSchedule(ctx, rows[i].id, rows[i].start, rows[i].start.Add(time.Hour), t0)
		})
	}
	checkIndex(t, s)
	for _, c := range []struct {
		f    models.Filter
		keep func(r row) bool
	}{
		{models.Filter{Search: "api"}, func(r row) bool { return r.comp == "payments-api" }},
		{models.Filter{Search: "svc"}, func(r row) bool { return true }},
		{models.Filter{Search: "a", Environment: "prod"}, func(r row) bool { return r.comp != "ledger-db" && r.env == "prod" }},
		{models.Filter{Search: "se", Environment: "prod"}, func(r row) bool { return r.comp == "auth-service" && r.env == "prod" }},
		{models.Filter{Search: "svc le", From: t0.Add(4 * time.Hour), To: t0.Add(15 * time.Hour)}, func(r row) bool {
			return r.comp == "ledger-db" && !r.start.Before(t0.Add(4*time.Hour)) && r.start.Before(t0.Add(15*time.Hour))
		}},
		{models.Filter{Search: "api", Oldest: true}, func(r row) bool { return r.comp == "payments-api" }},
		{models.Filter{Search: "svc", Component: "ledger-db", Environment: "test"}, func(r row) bool {
			return r.comp == "ledger-db" && r.env == "test"
		}},
		{models.Filter{Search: "pay", Environment: "test", Oldest: true, From: t0.Add(2 * time.Hour)}, func(r row) bool {
			return r.comp == "payments-api" && r.env == "test" && !r.start.Before(t0.Add(2*time.Hour))
		}},
	} {
		var want []int64
		sorted := slices.Clone(rows)
		slices.SortFunc(sorted, func(a, b row) int {
			if c := a.start.Compare(b.start); c != 0 {
				return c
			}
			return int(a.id - b.id)
		})
		if !c.f.Oldest {
			slices.Reverse(sorted)
		}
		for _, r := range sorted {
			if c.keep(r) {
				want = append(want, r.id)
			}
		}
		for _, size := range []int{1, 4, 7, 100} {
			f := c.f
			f.Limit = size
			var got []int64
			for pages := 0; pages < 100; pages++ {
				page, err := s.Read().Deployments(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range page {
					got = append(got, d.ID)
				}
				if len(page) < size {
					break
				}
				f.After = models.CursorOf(page[len(page)-1])
			}
			if !slices.Equal(got, want) {
				t.Errorf("%+v in pages of %d:\n got %v\nwant %v", c.f, size, got, want)
			}
		}
	}
}

// A bulk load writes the documents at the end of each batch, puts the triggers back,
// and indexes what is written through Q.
func TestBulkIndexesItsRows(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	_, mvid := syncModel(t, s, testModel())
	triggers := func() int {
		var n int
		if err := s.r.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search%'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := triggers()
	if before < 5 {
		t.Fatalf("%d search triggers", before)
	}
	bulkLoad(t, s, mvid, 1, 101)
	bulkLoad(t, s, mvid, 1001, 7)
	checkIndex(t, s)
	if triggers() != before {
		t.Fatalf("after a batch: %d search triggers, want %d", triggers(), before)
	}
	var want []string
	for id := 1007; id >= 1; id-- {
		if id%10 == 0 && (id <= 101 || id > 1000) {
			want = append(want, fmt.Sprint(id))
		}
	}
	if got := ids(t, s, models.Filter{Search: "slow", Limit: 100}); got != strings.Join(want, " ") {
		t.Fatalf("incident summaries: %q", got)
	}
	// Rows added to deployments of an earlier batch, and rows written through Q.
	err := s.Bulk(ctx, func(b *Bulk) error {
		if err := b.Event(models.Event{DeploymentID: 5, At: t0, Actor: "ana", Type: "cancelled", Detail: "x → cancelled: duplicate request"}); err != nil {
			return err
		}
		if err := b.Flush(); err != nil {
			return err
		}
		_, err := b.Q().AddIncident(ctx, models.Incident{DeploymentID: 7, OpenedAt: t0, Summary: "pager storm"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	checkIndex(t, s)
	if got := ids(t, s, models.Filter{Search: "duplicate"}) + "/" + ids(t, s, models.Filter{Search: "storm"}); got != "5/7" {
		t.Fatalf("later rows: %q", got)
	}
	// A failed batch leaves index and triggers as they were.
	err = s.Bulk(ctx, func(b *Bulk) error {
		if err := b.Incident(models.Incident{DeploymentID: 9, OpenedAt: t0, Summary: "ghost"}); err != nil {
			return err
		}
		return fmt.Errorf("boom")
	})
	if err == nil || triggers() != before || ids(t, s, models.Filter{Search: "ghost"}) != "" {
		t.Fatalf("failed batch: %v, %d triggers, %q", err, triggers(), ids(t, s, models.Filter{Search: "ghost"}))
	}
	checkIndex(t, s)
}

// Opening a database from before the search migration indexes what it holds.
func TestSearchMigrationIndexesExistingRows(t *testing.T) {
	s := migrated(t, 5,
		`INSERT INTO model_versions VALUES (1, 'web', 1, 'f', '{}', 0)`,
		`INSERT INTO deployments (id, model_version_id, model, model_version, service, component, kind, version, action,
			environment, status, change_ref, scheduled_start, scheduled_end, created_at, updated_at)
			VALUES (1, 1, 'web', 1, 'payments', 'payments-api', 'software', '4.12.0', 'deploy', 'test', 'planned', 'CHG-9', 100, 200, 0, 0),
			       (2, 1, 'web', 1, 'identity', 'auth-service', 'software', '2.0', 'deploy', 'test', 'planned', '', 50, 200, 0, 0)`,
		`INSERT INTO step_runs (deployment_id, seq, note) VALUES (1, 1, 'serial numbers match'), (2, 1, '')`,
		`INSERT INTO events (deployment_id, at, actor, type, detail) VALUES (2, 0, 'bo', 'step', 'blocked 1 "Power": no PDU')`,
		`INSERT INTO incidents (deployment_id, opened_at, summary) VALUES (2, 0, 'login errors')`,
	)
	checkIndex(t, s)
	for q, want := range map[string]string{"serial": "1", "pdu": "2", "login": "2", "chg-9": "1", "software": ""} {
		if got := ids(t, s, models.Filter{Search: q}); got != want {
			t.Errorf("search %q: %q, want %q", q, got, want)
		}
	}
}

// Starts after 2106 (where 32 bits of seconds end) up to the last year Ferry keeps
// are listed in order by a search and paged without a skip or a repeat.
func TestSearchOrdersStartsUpToTheLastYear(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	m, mvid := syncModel(t, s, testModel())
	var starts []time.Time
	for _, y := range []int{2199, 2107, 2150, 2105, 2200, 2150} {
		starts = append(starts, time.Date(y, 6, 1, 10, 0, 0, 0, time.UTC))
	}
	ids := map[time.Time][]int64{}
	for _, st := range starts {
		ids[st] = append(ids[st], plan(t, s, m, mvid, "test", st))
	}
	slices.SortFunc(starts, func(a, b time.Time) int { return b.Compare(a) })
	var want []int64
	for _, st := range slices.Compact(starts) {
		own := slices.Clone(ids[st])
		slices.Reverse(own)
		want = append(want, own...)
	}
	for _, size := range []int{1, 2, 100} {
		f := models.Filter{Search: "svc", Limit: size}
		var got []int64
		for range 20 {
			page, err := s.Read().Deployments(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range page {
				got = append(got, d.ID)
			}
			if len(page) < size {
				break
			}
			f.After = models.CursorOf(page[len(page)-1])
		}
		if !slices.Equal(got, want) {
			t.Errorf("pages of %d: got %v, want %v", size, got, want)
		}
	}
}
