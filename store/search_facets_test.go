package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/pressly/goose/v3"

	"ferry/internal/race"
	"ferry/models"
)

func TestFacetToken(t *testing.T) {
	for _, c := range []struct {
		field byte
		in    string
		want  string
	}{
		{facetEnvironment, "production", "ǂe70726F64756374696F6E"},
		{facetModel, "web-service", "ǂm7765622D73657276696365"},
		{facetAssignee, "Zoë", "ǂa5A6FC3AB"},
		{facetKind, "a\x00b", "ǂk610062"},
		{facetRequester, "", "ǂr"},
	} {
		if got := facetToken(c.field, c.in); got != c.want {
			t.Errorf("facetToken(%c, %q) = %q, want %q", c.field, c.in, got, c.want)
		}
	}
}

// Every filter the document knows goes into the match, so that FTS5 intersects.
func TestSearchListingPutsFiltersInTheMatch(t *testing.T) {
	f := models.Filter{Environment: "production", Statuses: []models.Status{models.StatusFailed, models.StatusRolledBack, models.StatusFailed},
		Assignee: "tom", Model: "web-service", Kind: models.KindSoftware, Requester: "Zoë", Component: "payments-api",
		ModelVersion: 3}
	_, where, args, _ := searchListing(f, `"pay"*`)
	want := `"pay"* AND {what} : "payments-api" AND {facets} : "ǂe70726F64756374696F6E"` +
		` AND {facets} : ("ǂs6661696C6564" OR "ǂs726F6C6C65645F6261636B") AND {facets} : "ǂa746F6D"` +
		` AND {facets} : "ǂm7765622D73657276696365" AND {facets} : "ǂk736F667477617265" AND {facets} : "ǂr5A6FC3AB"`
	if where[0] != "search MATCH ?" || args[0] != want {
		t.Fatalf("%s with %q\nwant %q", where[0], args[0], want)
	}
	_, _, args, _ = searchListing(models.Filter{Statuses: []models.Status{""}}, `"pay"*`)
	if args[0] != `"pay"*` {
		t.Fatalf("empty status: %q", args[0])
	}
}

// awkwardValues are filter values that a careless spelling would confuse with each
// other or with search syntax.
var awkwardValues = []string{
	"prod", "Prod", "PROD", "prod-eu", "prod_eu", "prod.eu", "prodeu", "prod eu", "x-", "xd", "xxd", "-", ".", "_",
	"70726F64", "Zürich", "zurich", "Zurich", "日本", `x"y`, `"`, "a*", "NEAR(", "AND", "ǂeprod", "ǂ",
	"a\x00b", "a\x00c", "\xff", "\xfe", "tom ", " tom", "tom",
}

// The view spells facets the way facetToken does, whatever the value, and a search
// with an awkward filter value finds exactly the deployments that have it.
func TestFacetsWithAwkwardValues(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	_, mvid := syncModel(t, s, testModel())
	idOf := map[string]int64{}
	write(t, s, func(q Q) error {
		for i, v := range awkwardValues {
			start := t0.Add(time.Duration(i) * time.Hour)
			d := models.Deployment{Model: v, ModelVersion: 1, Service: "svc", Component: "api", Kind: models.Kind(v),
				Version: "1.0", Action: models.ActionDeploy, Environment: v, Status: models.Status(v), Assignee: v,
				Requester: v, ScheduledStart: start, ScheduledEnd: start.Add(time.Hour), CreatedAt: t0, UpdatedAt: t0}
			id, err := q.InsertDeployment(ctx, d, mvid, 1)
			if err != nil {
				return err
			}
			idOf[v] = id
		}
		return nil
	})
	checkIndex(t, s)
	for _, v := range awkwardValues {
		var got string
		if err := s.r.QueryRow(`SELECT facets FROM search_facets WHERE id = ?`, idOf[v]).Scan(&got); err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, f := range []byte{facetEnvironment, facetStatus, facetAssignee, facetModel, facetKind, facetRequester} {
			want = append(want, facetToken(f, v))
		}
		if got != strings.Join(want, " ") {
			t.Errorf("facets of %q: SQL %q, Go %q", v, got, strings.Join(want, " "))
		}
		// The token is one word of the index.
		var n int
		if err := s.r.QueryRow(`SELECT count(*) FROM search WHERE search MATCH ?`,
			"{facets} : "+ftsString(facetToken(facetEnvironment, v))).Scan(&n); err != nil || n != 1 {
			t.Errorf("facet token of %q matches %d documents, %v", v, n, err)
		}
		want1 := fmt.Sprint(idOf[v])
		for _, f := range []models.Filter{
			{Search: "svc", Environment: v}, {Search: "svc", Statuses: []models.Status{models.Status(v)}},
			{Search: "svc", Assignee: v}, {Search: "api", Model: v}, {Search: "ap", Kind: models.Kind(v)},
			{Search: "1.0", Requester: v},
			{Search: "svc", Statuses: []models.Status{"nothing", models.Status(v)}, Environment: v, Assignee: v},
		} {
			if got := ids(t, s, f); got != want1 {
				t.Errorf("%+v: %q, want %q", f, got, want1)
			}
		}
	}
	// Several statuses at once, and one that no deployment has.
	f := models.Filter{Search: "svc", Statuses: []models.Status{"Prod", "x-", "ǂ", "nothing"}, Limit: 100}
	if got, want := ids(t, s, f), fmt.Sprintf("%d %d %d", idOf["ǂ"], idOf["x-"], idOf["Prod"]); got != want {
		t.Errorf("%+v: %q, want %q", f, got, want)
	}
	// A search cannot reach the facets: the lead is not part of what is searched for.
	for _, q := range []string{"ǂe70726F64", "ǂ", "ǂe", "ǂe7", "e70726F64 svc", "prod", "Zürich"} {
		if got := ids(t, s, models.Filter{Search: q}); got != "" {
			t.Errorf("search %q found %q in the facets", q, got)
		}
	}
}

// deployment rows as the oracle sees them
type orow struct {
	id                                        int64
	start                                     time.Time
	env, status, assignee, model, kind, req   string
	service, component, version, change, note string
}

// words of the row's document, as unicode61 would cut and fold them (ASCII here).
func (r orow) words() []string {
	text := strings.Join([]string{r.service, r.component, r.version, r.change, r.note}, " ")
	return strings.FieldsFunc(strings.ToLower(text), func(c rune) bool { return !unicode.IsLetter(c) && !unicode.IsDigit(c) })
}

// matches reports whether the row's document has every word of search, the last as
// a prefix.
func (r orow) matches(search string) bool {
	words := r.words()
	q := strings.Fields(strings.ToLower(search))
	for i, w := range q {
		ok := slices.ContainsFunc(words, func(d string) bool {
			return d == w || (i == len(q)-1 && strings.HasPrefix(d, w))
		})
		if !ok {
			return false
		}
	}
	return true
}

func (r orow) keep(f models.Filter) bool {
	return (f.Environment == "" || r.env == f.Environment) &&
		(len(f.Statuses) == 0 || slices.Contains(f.Statuses, models.Status(r.status))) &&
		(f.Assignee == "" || r.assignee == f.Assignee) && (f.Model == "" || r.model == f.Model) &&
		(f.Kind == "" || r.kind == string(f.Kind)) && (f.Requester == "" || r.req == f.Requester) &&
		(f.From.IsZero() || !r.start.Before(f.From)) && (f.To.IsZero() || r.start.Before(f.To))
}

// A search with environment, statuses, assignee, model, kind or requester filters
// returns exactly what the same filters return without the search, intersected with
// the deployments that have the words; and exactly what a brute-force look at the
// rows says; in order, in pages of any size, both ways. Again after status changes,
// reassignments and reschedules.
func TestSearchWithFiltersMatchesOracle(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	_, mvid := syncModel(t, s, testModel())
	rng := rand.New(rand.NewPCG(7, 11))
	pick := func(vs []string) string { return vs[rng.IntN(len(vs))] }
	envs := []string{"dev", "test", "prod", "eu-west.1", "Prod"}
	var statuses []string
	for _, st := range models.Statuses {
		statuses = append(statuses, string(st))
	}
	people := []string{"", "tom", "Tom", "ana-maria", "zoë", "x.y"}
	modelNames := []string{"web", "rack-server"}
	kinds := []string{"software", "hardware"}
	requesters := []string{"", "ana", "marc"}
	what := [][2]string{{"payments", "payments-api"}, {"identity", "auth-service"}, {"ledger", "ledger-db"}, {"payments", "pay-worker"}}
	// The race detector makes each query here some forty times dearer and finds
	// nothing to watch in this one goroutine: under it the oracle is smaller, with
	// fewer deployments and random filter combinations; the fixed filters, the words
	// and both orders stay.
	nRows, nRandom := 300, 20
	if race.Enabled {
		nRows, nRandom = 100, 5
	}
	rows := map[int64]*orow{}
	write(t, s, func(q Q) error {
		for i := range nRows {
			w := what[rng.IntN(len(what))]
			r := &orow{start: t0.Add(time.Duration(rng.IntN(200)) * time.Hour), env: pick(envs), status: pick(statuses),
				assignee: pick(people), model: pick(modelNames), kind: pick(kinds), req: pick(requesters),
				service: w[0], component: w[1], version: fmt.Sprintf("1.%d", i%7)}
			if rng.IntN(3) == 0 {
				r.change = fmt.Sprintf("CHG-%d", i)
			}
			d := models.Deployment{Model: r.model, ModelVersion: 1, Service: r.service, Component: r.component,
				Kind: models.Kind(r.kind), Version: r.version, Action: models.ActionDeploy, Environment: r.env,
				Status: models.Status(r.status), Assignee: r.assignee, Requester: r.req, ChangeRef: r.change,
				ScheduledStart: r.start, ScheduledEnd: r.start.Add(time.Hour), CreatedAt: t0, UpdatedAt: t0}
			id, err := q.InsertDeployment(ctx, d, mvid, 2)
			if err != nil {
				return err
			}
			r.id = id
			if rng.IntN(5) == 0 {
				r.note = "waiting for the vendor hotfix"
				if err := q.SetStepRun(ctx, models.StepRun{DeploymentID: id, Seq: 1, Status: models.StepDone,
					Actor: "bo", At: t0, Note: r.note}, t0); err != nil {
					return err
				}
			}
			rows[id] = r
		}
		return nil
	})
	words := []string{"pay", "api", "hotfix", "ledger db", "payments", "chg", "vendor hot", "1"}
	var filters []models.Filter
	for _, e := range envs {
		filters = append(filters, models.Filter{Environment: e})
	}
	filters = append(filters,
		models.Filter{Statuses: []models.Status{models.StatusFailed, models.StatusRolledBack}},
		models.Filter{Statuses: []models.Status{models.StatusPlanned, models.StatusSucceeded, models.StatusCancelled}},
		models.Filter{Statuses: []models.Status{models.StatusExecuting}, Environment: "prod"},
		models.Filter{Assignee: "tom"}, models.Filter{Assignee: "Tom"}, models.Filter{Assignee: "zoë"}, models.Filter{Assignee: "nobody"},
		models.Filter{Model: "rack-server", Kind: "software"}, models.Filter{Requester: "marc", Assignee: "x.y"},
		models.Filter{Environment: "eu-west.1", From: t0.Add(50 * time.Hour), To: t0.Add(150 * time.Hour)},
	)
	for range nRandom {
		var f models.Filter
		if rng.IntN(2) == 0 {
			f.Environment = pick(envs)
		}
		for range rng.IntN(4) {
			f.Statuses = append(f.Statuses, models.Status(pick(statuses)))
		}
		if rng.IntN(2) == 0 {
			f.Assignee = pick(people)
		}
		if rng.IntN(4) == 0 {
			f.Model = pick(modelNames)
		}
		if rng.IntN(4) == 0 {
			f.Kind = models.Kind(pick(kinds))
		}
		if rng.IntN(4) == 0 {
			f.Requester = pick(requesters)
		}
		filters = append(filters, f)
	}

	// The listings without the search, and of the search alone, recur across the
	// cases of a round: each is read once a round.
	var listed map[string][]int64
	listAll := func(f models.Filter) []int64 {
		t.Helper()
		f.Limit = 100_000
		key := fmt.Sprintf("%+v", f)
		if out, ok := listed[key]; ok {
			return out
		}
		list, err := s.Read().Deployments(ctx, f)
		if err != nil {
			t.Fatalf("%+v: %v", f, err)
		}
		var out []int64
		for _, d := range list {
			out = append(out, d.ID)
		}
		listed[key] = out
		return out
	}
	check := func(round string) {
		t.Helper()
		checkIndex(t, s)
		listed = map[string][]int64{}
		sorted := make([]*orow, 0, len(rows))
		for _, r := range rows {
			sorted = append(sorted, r)
		}
		slices.SortFunc(sorted, func(a, b *orow) int { return cmp.Or(b.start.Compare(a.start), cmp.Compare(b.id, a.id)) })
		for _, base := range filters {
			for _, w := range words {
				for _, oldest := range []bool{false, true} {
					f := base
					f.Search, f.Oldest = w, oldest
					var want []int64
					for _, r := range sorted {
						if r.keep(f) && r.matches(w) {
							want = append(want, r.id)
						}
					}
					if oldest {
						slices.Reverse(want)
					}
					// The same filters without the search, intersected with the search alone.
					noSearch, searchOnly := base, models.Filter{Search: w}
					noSearch.Oldest, searchOnly.Oldest = oldest, oldest
					var inter []int64
					found := listAll(searchOnly)
					for _, id := range listAll(noSearch) {
						if slices.Contains(found, id) {
							inter = append(inter, id)
						}
					}
					if !slices.Equal(inter, want) {
						t.Fatalf("%s: oracle and listings disagree for %+v:\nlistings %v\n  oracle %v", round, f, inter, want)
					}
					size := []int{1, 3, 7, 50}[rng.IntN(4)]
					var got []int64
					pf := f
					pf.Limit = size
					for pages := 0; pages <= len(rows); pages++ {
						page, err := s.Read().Deployments(ctx, pf)
						if err != nil {
							t.Fatal(err)
						}
						for _, d := range page {
							got = append(got, d.ID)
						}
						if len(page) < size {
							break
						}
						pf.After = models.CursorOf(page[len(page)-1])
					}
					if !slices.Equal(got, want) {
						t.Errorf("%s: %+v in pages of %d:\n got %v\nwant %v", round, f, size, got, want)
					}
				}
			}
		}
	}
	check("as planned")

	// Status changes, reassignments, reschedules, and rows changed by hand: several
	// columns in one UPDATE, some of them in the document's text.
	order := make([]int64, 0, len(rows))
	for id := range rows {
		order = append(order, id)
	}
	slices.Sort(order)
	write(t, s, func(q Q) error {
		for _, id := range order {
			r := rows[id]
			switch rng.IntN(6) {
			case 0:
				r.status = pick(statuses)
				if err := q.SetStatus(ctx, id, models.Status(r.status), time.Time{}, time.Time{}, t0); err != nil {
					return err
				}
			case 1:
				r.assignee = pick(people)
				if err := q.SetAssignee(ctx, id, r.assignee, t0); err != nil {
					return err
				}
			case 2:
				r.start = r.start.Add(time.Duration(rng.IntN(100)-50) * time.Hour)
				if err := q.SetSchedule(ctx, id, r.start, r.start.Add(time.Hour), t0); err != nil {
					return err
				}
			case 3:
				r.status, r.start = pick(statuses), r.start.Add(time.Duration(rng.IntN(10)+1)*time.Hour)
				if _, err := q.db.ExecContext(ctx, `UPDATE deployments SET status = ?, scheduled_start = ?, scheduled_end = ?
					WHERE id = ?`, r.status, r.start.Unix(), r.start.Add(time.Hour).Unix(), id); err != nil {
					return err
				}
			case 4:
				r.env, r.req, r.component = pick(envs), pick(requesters), r.component+"-v2"
				if _, err := q.db.ExecContext(ctx, `UPDATE deployments SET environment = ?, requester = ?, component = ?
					WHERE id = ?`, r.env, r.req, r.component, id); err != nil {
					return err
				}
			}
		}
		return nil
	})
	check("after changes")
}

// A database from before the facets gets them when it opens, and the migration goes
// back down to the search of 00006.
func TestSearchFacetsMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	provider := func() (*goose.Provider, *sql.DB) { return migrationProvider(t, path) }
	p, db := provider()
	if _, err := p.UpTo(ctx, 6); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO model_versions VALUES (1, 'web', 1, 'f', '{}', 0)`,
		`INSERT INTO deployments (id, model_version_id, model, model_version, service, component, kind, version, action,
			environment, status, assignee, change_ref, scheduled_start, scheduled_end, created_at, updated_at)
			VALUES (1, 1, 'web', 1, 'payments', 'payments-api', 'software', '4.12.0', 'deploy', 'test', 'failed', 'tom', 'CHG-9', 100, 200, 0, 0),
			       (2, 1, 'web', 1, 'payments', 'payments-db', 'software', '2.0', 'deploy', 'prod', 'planned', 'Zoë', '', 50, 200, 0, 0)`,
		`INSERT INTO step_runs (deployment_id, seq, note) VALUES (1, 1, 'serial numbers match'), (2, 1, 'serial ok')`,
		`INSERT INTO incidents (deployment_id, opened_at, summary) VALUES (2, 0, 'login errors')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	want := map[string]models.Filter{
		"1":   {Search: "serial", Environment: "test"},
		"2":   {Search: "serial", Assignee: "Zoë", Statuses: []models.Status{models.StatusPlanned, models.StatusFailed}},
		"1 2": {Search: "payments", Kind: models.KindSoftware},
		"":    {Search: "login", Environment: "test"},
	}
	open := func() *Store {
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		checkIndex(t, s)
		for w, f := range want {
			if got := ids(t, s, f); got != w {
				t.Errorf("%+v: %q, want %q", f, got, w)
			}
		}
		return s
	}
	s := open()
	write(t, s, func(q Q) error { return q.SetStatus(ctx, 2, models.StatusFailed, time.Time{}, time.Time{}, t0) })
	want["1 2"] = models.Filter{Search: "payments", Statuses: []models.Status{models.StatusFailed}}
	checkIndex(t, s)
	s.Close()

	p, db = provider()
	if _, err := p.DownTo(ctx, 6); err != nil {
		t.Fatal(err)
	}
	var cols, docs, triggers, views int
	if err := db.QueryRow(`SELECT (SELECT count(*) FROM pragma_table_info('search')), (SELECT count(*) FROM search
		WHERE search MATCH 'serial'), (SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search%'),
		(SELECT count(*) FROM sqlite_master WHERE type = 'view' AND name LIKE 'search%')`).Scan(&cols, &docs, &triggers, &views); err != nil {
		t.Fatal(err)
	}
	if cols != 2 || docs != 2 || triggers != 8 || views != 1 {
		t.Fatalf("after down: %d columns, %d documents, %d triggers, %d views", cols, docs, triggers, views)
	}
	db.Close()
	open().Close()
}
