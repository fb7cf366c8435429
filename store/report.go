package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"math/bits"
	"slices"
	"strings"
	"time"
)

// PeriodSums is the rollup counters summed over one period and one group.
type PeriodSums struct {
	Period int    // the period's first day, YYYYMMDD
	Group  string // "" when not grouped
	// By planned start.
	Deployments, Succeeded, Failed, RolledBack, Cancelled, Started, OnTime, Adherent int64
	Incidents, WithIncident                                                          int64
	Current                                                                          int64 // planned with their model's current version
	Emergency                                                                        int64 // planned as emergencies
	Adopted                                                                          int64 // finished without override or emergency lane
	Reviewed, SatSum, SatN, LeadSatSum, LeadSatN, QualitySum, QualityN               int64 // reviews and their scores
	// By the day requested, closed (finished or cancelled), and done (finished).
	Requested, Closed, Done, DoneOK, DoneBad int64
	Lead                                     Hist // done: lead times
	// By the day an outage ended or an incident was resolved, in every environment.
	Restores int64
	// DORA: the same, over the environments the report takes them in (production).
	DoraDone, DoraOK, DoraBad, DoraRestores int64
	DoraRestore                             Hist
}

// Period expressions over rollup_days: the first day of the period a day falls in.
var periodExpr = map[string]string{
	"day":     "day",
	"week":    "week",
	"month":   "day / 100 * 100 + 1",
	"quarter": "day / 10000 * 10000 + ((day / 100 % 100 - 1) / 3 * 3 + 1) * 100 + 1",
}

var groupExpr = map[string]string{"": "''", "environment": "environment", "model": "model", "service": "service",
	"model-version": "model || ' v' || model_version"}

// ReportSums sums the rollups of the local days [fromDay, toDay) (YYYYMMDD) by period
// ("day", "week", "month" or "quarter") and group ("", "environment", "model",
// "model-version" or "service"), and gives each period's and group's sums to each, in
// period order; the sums are each's to keep, not the pointer. current names each
// model's current version, for the Current count; dora the environments the DORA sums
// are taken over. A daily report over years is thousands of sums of some 350 bytes:
// they go straight where the report keeps them, not into a slice grown and copied.
func (q Q) ReportSums(ctx context.Context, fromDay, toDay int, period, by string, current map[string]int, dora []string, each func(*PeriodSums)) error {
	pe, ok1 := periodExpr[period]
	ge, ok2 := groupExpr[by]
	if !ok1 || !ok2 {
		return fmt.Errorf("report: unknown period %q or grouping %q", period, by)
	}
	// The current version of each model, as CASE model WHEN name THEN version ... END:
	// a handful of models, and far cheaper per row than a lookup table.
	isCurrent, args := "0", []any{}
	if len(current) > 0 {
		isCurrent = "CASE model" + strings.Repeat(" WHEN ? THEN ?", len(current)) + " END = model_version"
		for _, m := range slices.Sorted(maps.Keys(current)) {
			args = append(args, m, current[m])
		}
	}
	// The DORA environments, as environment IN (...): a handful of names.
	isDora := "0"
	if len(dora) > 0 {
		isDora = "environment IN (" + placeholders(len(dora)) + ")"
	}
	// Ungrouped, the groups are one constant: grouped by it too, SQLite sorted every
	// row (hists and all) in a temporary tree, where by day alone it reads them in the
	// primary key's order, already grouped.
	groupBy := "p, g"
	if by == "" {
		groupBy = "p"
	}
	for range 5 { // isDora appears five times below, after isCurrent
		for _, env := range dora {
			args = append(args, env)
		}
	}
	rows, err := q.db.QueryContext(ctx, `SELECT `+pe+` AS p, `+ge+` AS g,
		SUM(deployments), SUM(succeeded), SUM(failed), SUM(rolled_back), SUM(cancelled), SUM(started),
		SUM(on_time), SUM(adherent), SUM(incidents), SUM(with_incident),
		SUM(CASE WHEN `+isCurrent+` THEN deployments ELSE 0 END),
		SUM(requested), SUM(closed), SUM(done), SUM(done_ok), SUM(done_bad), SUM(restores), SUM(emergency),
		SUM(adopted), SUM(reviewed), SUM(satisfaction_sum), SUM(satisfaction_n), SUM(lead_sat_sum), SUM(lead_sat_n),
		SUM(quality_sum), SUM(quality_n),
		SUM(CASE WHEN `+isDora+` THEN done ELSE 0 END), SUM(CASE WHEN `+isDora+` THEN done_ok ELSE 0 END),
		SUM(CASE WHEN `+isDora+` THEN done_bad ELSE 0 END), SUM(CASE WHEN `+isDora+` THEN restores ELSE 0 END),
		COALESCE(group_concat(NULLIF(lead_hist, ''), ' '), ''),
		COALESCE(group_concat(CASE WHEN `+isDora+` THEN NULLIF(restore_hist, '') END, ' '), '')
		FROM rollup_days WHERE day >= ? AND day < ? GROUP BY `+groupBy+` ORDER BY `+groupBy, append(args, fromDay, toDay)...)
	if err != nil {
		return mapErr(err)
	}
	defer rows.Close()
	var hp histParser
	var s PeriodSums               // each row's, given to each, which copies it
	var lead, restore sql.RawBytes // parsed at once: no copy of their own
	for rows.Next() {
		if err := rows.Scan(&s.Period, &s.Group, &s.Deployments, &s.Succeeded, &s.Failed, &s.RolledBack,
			&s.Cancelled, &s.Started, &s.OnTime, &s.Adherent, &s.Incidents, &s.WithIncident, &s.Current,
			&s.Requested, &s.Closed, &s.Done, &s.DoneOK, &s.DoneBad, &s.Restores, &s.Emergency,
			&s.Adopted, &s.Reviewed, &s.SatSum, &s.SatN, &s.LeadSatSum, &s.LeadSatN, &s.QualitySum, &s.QualityN,
			&s.DoraDone, &s.DoraOK, &s.DoraBad, &s.DoraRestores, &lead, &restore); err != nil {
			return mapErr(err)
		}
		var err1, err2 error
		s.Lead, err1 = hp.parse(lead)
		s.DoraRestore, err2 = hp.parse(restore)
		if err := errors.Join(err1, err2); err != nil {
			return err
		}
		each(&s)
	}
	return mapErr(rows.Err())
}

// RollupDays are the first and last local days (YYYYMMDD) in [fromDay, toDay) that
// have rollups, or zeros when none has.
func (q Q) RollupDays(ctx context.Context, fromDay, toDay int) (first, last int, err error) {
	// Two subqueries: SQLite takes a MIN or a MAX from the key alone only on its own.
	err = q.db.QueryRowContext(ctx, `SELECT
		COALESCE((SELECT MIN(day) FROM rollup_days WHERE day >= ?1 AND day < ?2), 0),
		COALESCE((SELECT MAX(day) FROM rollup_days WHERE day >= ?1 AND day < ?2), 0)`,
		fromDay, toDay).Scan(&first, &last)
	return first, last, mapErr(err)
}

// OpenBefore counts, per group, deployments requested before the local day (YYYYMMDD)
// and not finished or cancelled before it: the backlog a report range opens with.
//
// It is counted whichever way reads less (backward). Forward: every day of the
// history before the range (14 ms of the dashboard's 38 on the 1M demo, whose last
// 30 days follow three years). Back from now: the deployments open now, less those
// the days from day on opened, plus those they closed (each deployment is requested
// on one day and, once final, closed on one); that reads the open rows, which on a
// schedule of 100,000 planned deployments are the many, and every day from day on,
// which for a report over all of a long history are the many.
func (q Q) OpenBefore(ctx context.Context, day int, by string) (map[string]int64, error) {
	back, err := q.backward(ctx, day)
	if err != nil {
		return nil, err
	}
	return q.openBefore(ctx, day, by, back)
}

// openBeforeLimit is how many open deployments counting back reads at most.
const openBeforeLimit = 5000

// backward reports whether the backlog before day reads less counted back from now:
// fewer than openBeforeLimit deployments are open, and fewer of the history's days
// come from day on than before it.
func (q Q) backward(ctx context.Context, day int) (bool, error) {
	var open int
	var first, last sql.NullInt64
	if err := q.db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM deployments
		WHERE `+notFinished+` LIMIT ?)), (SELECT MIN(day) FROM rollup_days), (SELECT MAX(day) FROM rollup_days)`,
		openBeforeLimit).Scan(&open, &first, &last); err != nil {
		return false, mapErr(err)
	}
	if open >= openBeforeLimit || !first.Valid {
		return false, nil
	}
	return dayNumber(int(last.Int64))-dayNumber(day) < dayNumber(day)-dayNumber(int(first.Int64)), nil
}

// dayNumber counts days to a local date given as YYYYMMDD, for its distance to others.
func dayNumber(day int) int {
	return int(time.Date(day/10000, time.Month(day/100%100), day%100, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func (q Q) openBefore(ctx context.Context, day int, by string, back bool) (map[string]int64, error) {
	ge, ok := groupExpr[by]
	if !ok {
		return nil, fmt.Errorf("report: unknown grouping %q", by)
	}
	query := `SELECT ` + ge + ` AS g, SUM(requested) - SUM(closed) FROM rollup_days WHERE day < ? GROUP BY g`
	if back {
		// The groups are those open now or with rollups from day on: any other
		// group's backlog is 0.
		query = `SELECT g, SUM(n) FROM (
			SELECT ` + ge + ` AS g, COUNT(*) AS n FROM deployments WHERE ` + notFinished + ` GROUP BY g
			UNION ALL
			SELECT ` + ge + ` AS g, SUM(closed) - SUM(requested) AS n FROM rollup_days WHERE day >= ? GROUP BY g)
			GROUP BY g`
	}
	rows, err := q.db.QueryContext(ctx, query, day)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var g string
		var n int64
		if err := rows.Scan(&g, &n); err != nil {
			return nil, mapErr(err)
		}
		out[g] = n
	}
	return out, mapErr(rows.Err())
}

// Hist is a duration histogram: counts by LeadBucket, in bucket order.
type Hist []HistBucket

// HistBucket is one bucket of a Hist.
type HistBucket struct {
	Bucket int
	N      int64
}

// histParser reads stored histogram text ("bucket:count ...", several joined by
// spaces when SQL concatenated rows). It is the hot loop of a report over years, so
// it reads bytes directly and merges buckets in a dense scratch array it reuses,
// marking the buckets it touched in a bitmap instead of sorting them.
type histParser struct {
	dense   []int64
	touched []uint64     // bit b%64 of word b/64: bucket b is in dense
	slab    []HistBucket // where the hists it returns are cut from, a few thousand at a time
}

// maxBucket bounds a stored bucket number, so that damaged text cannot make the
// parser allocate without end (lead times of centuries stay far below it).
const maxBucket = 1 << 16

func (p *histParser) parse(s []byte) (Hist, error) {
	lo, hi, n := maxBucket, -1, 0
	for i := 0; i < len(s); {
		bucket, at := 0, i
		for ; i < len(s) && s[i]-'0' <= 9 && bucket <= maxBucket; i++ {
			bucket = bucket*10 + int(s[i]-'0')
		}
		if i == at || i == len(s) || s[i] != ':' || bucket > maxBucket {
			return nil, histError(s, i)
		}
		i++
		count, at := int64(0), i
		for ; i < len(s) && s[i]-'0' <= 9; i++ {
			count = count*10 + int64(s[i]-'0')
		}
		if i == at || (i < len(s) && (s[i] != ' ' || i == len(s)-1)) {
			return nil, histError(s, i)
		}
		i++ // the space between two buckets
		if bucket >= len(p.dense) {
			p.dense = append(p.dense, make([]int64, bucket+1-len(p.dense))...)
			p.touched = append(p.touched, make([]uint64, bucket/64+1-len(p.touched))...)
		}
		if w, bit := bucket/64, uint64(1)<<(bucket%64); p.touched[w]&bit == 0 {
			p.touched[w] |= bit
			n++
		}
		p.dense[bucket] += count
		lo, hi = min(lo, bucket), max(hi, bucket)
	}
	h := p.cut(n)
	for w := lo / 64; w <= hi/64 && n > 0; w++ {
		for word := p.touched[w]; word != 0; word &= word - 1 {
			b := w*64 + bits.TrailingZeros64(word)
			if p.dense[b] != 0 {
				h = append(h, HistBucket{b, p.dense[b]})
			}
			p.dense[b] = 0
		}
		p.touched[w] = 0
	}
	return h, nil
}

// cut is an empty Hist with room for n buckets, cut from the slab: a report over
// years parses tens of thousands of hists, and one allocation each was a tenth of it.
// Its capacity is n, so an append to it never reaches the next one's buckets.
func (p *histParser) cut(n int) Hist {
	if len(p.slab) < n {
		p.slab = make([]HistBucket, max(n, 4096))
	}
	h := p.slab[:0:n]
	p.slab = p.slab[n:]
	return h
}

func histError(s []byte, at int) error {
	return fmt.Errorf("rollups: bad histogram at byte %d of %q", at, s)
}
