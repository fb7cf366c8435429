package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"ferry/models"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Free-text search: the FTS5 table "search" holds one document per deployment (see
// migrations/00006_search.sql and 00007_search_facets.sql), kept up to date by
// triggers in the transaction of every change. Its rowid is the listing order,
// searchKey(scheduled start, id), so a search walks its matches newest first and
// stops after one page. Its facets column holds one token per filter value
// (facetToken), so that filters intersect inside FTS5 too (searchListing).

// searchKey is the search rowid of a deployment, as migration 00019 computes it: the
// scheduled start (unsigned seconds, clamped to 1970-2242) in the high 33 bits and the
// id in the low 31, so that keys order like (scheduled_start, id).
func searchKey(start int64, id int64) int64 {
	start = min(max(start, 0), 1<<33-1)
	id = min(max(id, 0), 1<<31-1) // a cursor "after every id" (math.MaxInt64) stays in its second
	return (start-1<<32)<<31 + id
}

// keyable reports whether t is inside the range searchKey keeps apart: outside it
// (before 1970, after 2242) the listing does without the rowid bound.
func keyable(t time.Time) bool { return t.Unix() >= 0 && t.Unix() < 1<<33-1 }

// searchIDMask takes the deployment id out of a search rowid.
const searchIDMask = "2147483647"

// matchQuery turns what a person typed into an FTS5 query that cannot be a syntax
// error: each space-separated word becomes a quoted string (inside quotes FTS5 has no
// operators, and a quote is doubled), all of them must match, and the last also
// matches as a prefix ("pay" finds payments-api, "4.1" finds 4.12.0). A word without
// any letter or digit is left out (the index has nothing to find it by); ok is false
// when no word is left, and the search then matches nothing.
//
// facetLead separates words too: every facet token starts with it and no word of a
// search does, so a search's words cannot match a document's facets (or their
// prefix-index entries), without a column filter on every search (~10% slower).
func matchQuery(text string) (query string, ok bool) {
	var words []string
	for _, w := range strings.Fields(strings.ReplaceAll(printable(text), facetLead, " ")) {
		if strings.IndexFunc(w, isWordRune) >= 0 {
			words = append(words, ftsString(w))
		}
	}
	if len(words) == 0 {
		return "", false
	}
	return strings.Join(words, " ") + "*", true
}

// printable replaces control characters (a NUL would end the query early) and bytes
// that are not UTF-8 with spaces.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return ' '
		}
		return r
	}, s)
}

// ftsString quotes s as an FTS5 string: nothing inside is syntax.
func ftsString(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// isWordRune reports whether r belongs to a word for the index's tokenizer
// (unicode61: letters and digits).
func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }

// facetLead starts every facet token (see migrations/00007_search_facets.sql): a
// letter nobody types, so that facet tokens and their prefix-index entries never meet
// the words of a search.
const facetLead = "ǂ"

// The facet fields: the letter that follows facetLead in their tokens.
const (
	facetEnvironment = 'e'
	facetStatus      = 's'
	facetAssignee    = 'a'
	facetModel       = 'm'
	facetKind        = 'k'
	facetRequester   = 'r'
)

// facetToken is the search token of a filter value, spelled as the search_facets view
// spells it: facetLead, the field's letter, and the upper-case hex of the value's
// bytes. Every value has its own token, which unicode61 keeps whole.
func facetToken(field byte, value string) string {
	return facetLead + string(field) + strings.ToUpper(hex.EncodeToString([]byte(value)))
}

// facetMatch is the part of a search's match that keeps the documents whose facets
// hold one of values; empty values do not filter ("" when none is left).
func facetMatch(field byte, values ...string) string {
	var toks []string
	for _, v := range values {
		if t := ftsString(facetToken(field, v)); v != "" && !slices.Contains(toks, t) {
			toks = append(toks, t)
		}
	}
	switch len(toks) {
	case 0:
		return ""
	case 1:
		return " AND {facets} : " + toks[0]
	}
	return " AND {facets} : (" + strings.Join(toks, " OR ") + ")"
}

// searchListing is the FROM, extra conditions and ORDER BY of a listing restricted to
// the deployments whose document matches f.Search. FTS5 drives: it hands over matches
// in rowid order, which is the listing order, within the rowid range the cursor and
// the dates allow; each match is joined to its deployment by primary key and the other
// filters are checked there, until the page is full. CROSS JOIN keeps that order.
//
// A filter that rarely meets the words would make that walk long (every "payments"
// in the history to find the 13 assigned to tom: 165 ms on 1M deployments). So every
// filter the document knows also goes into the match, and FTS5 intersects instead of
// walking: the component, service and change reference as phrases of the what
// column; the environment, statuses, assignee, model, kind and requester as facet
// tokens (statuses as an OR group): payments assigned to tom in 19 ms instead of 167.
// The conditions on the deployment still decide.
func searchListing(f models.Filter, match string) (from string, where []string, args []any, orderBy string) {
	for _, v := range []string{f.Component, f.Service, f.ChangeRef} {
		if v = printable(v); strings.IndexFunc(v, isWordRune) >= 0 {
			match += " AND {what} : " + ftsString(v)
		}
	}
	statuses := make([]string, len(f.Statuses))
	for i, s := range f.Statuses {
		statuses[i] = string(s)
	}
	match += facetMatch(facetEnvironment, f.Environment) + facetMatch(facetStatus, statuses...) +
		facetMatch(facetAssignee, f.Assignee) + facetMatch(facetModel, f.Model) +
		facetMatch(facetKind, string(f.Kind)) + facetMatch(facetRequester, f.Requester)
	from = "search CROSS JOIN deployments ON deployments.id = (search.rowid & " + searchIDMask + ")"
	where, args = []string{"search MATCH ?"}, []any{match}
	// The deployments' own conditions on these stay too; these bounds let FTS5 skip.
	if !f.From.IsZero() && keyable(f.From) {
		where, args = append(where, "search.rowid >= ?"), append(args, searchKey(f.From.Unix(), 0))
	}
	if !f.To.IsZero() && keyable(f.To) {
		where, args = append(where, "search.rowid < ?"), append(args, searchKey(f.To.Unix(), 0))
	}
	dir, cmp := "DESC", "<"
	if f.Oldest {
		dir, cmp = "ASC", ">"
	}
	if f.After != nil && keyable(f.After.Start) {
		where = append(where, "search.rowid "+cmp+" ?")
		args = append(args, searchKey(f.After.Start.Unix(), f.After.ID))
	}
	return from, where, args, "search.rowid " + dir
}

// searchPause is a bulk batch's hold on the search index. Writing each document as
// its rows arrive, out of rowid order, makes FTS5 flush and merge small segments all
// the time, and even idle triggers cost a sub-program call per inserted row: with the
// triggers at work the 1M demo took 61 s instead of 34 s. So a batch sets the
// triggers aside, notes which deployments it inserted or added rows to, and at its end
// writes their documents in rowid order and puts the triggers back: all inside the
// batch's transaction, so no other connection ever sees the index without them, or
// behind.
type searchPause struct {
	triggers []string // CREATE TRIGGER statements set aside; nil when the triggers are in place
	ids      []int64  // deployments whose documents the batch writes at its end
}

// pauseSearch sets aside every trigger named search_*.
func pauseSearch(ctx context.Context, tx *sql.Tx) (*searchPause, error) {
	triggers, err := dropTriggers(ctx, tx, `name LIKE 'search\_%' ESCAPE '\'`)
	if err != nil || triggers == nil { // none: set aside already, by a Fill
		return &searchPause{}, err
	}
	return &searchPause{triggers: triggers}, searchHash(ctx, tx, bulkHash)
}

// bulkHash is the FTS5 hash size a bulk load writes with. FTS5 writes the terms it
// holds in memory out as a new segment whenever they pass its hash size (1 MB), and
// merges segments as they pile up: a batch's documents in one segment instead of many
// made the 100k demo 13% faster. An everyday write holds far less than 64 MB and
// writes its terms at its commit, as before.
const bulkHash = 64 << 20

// searchHash sets the size of FTS5's hash, in bytes; the setting is kept in the index.
func searchHash(ctx context.Context, tx *sql.Tx, size int) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO search(search, rank) VALUES('hashsize', ?)`, size)
	return mapErr(err)
}

// touch notes that the document of deployment id must be written.
func (p *searchPause) touch(id int64) {
	if p.triggers != nil {
		p.ids = append(p.ids, id)
	}
}

// resume writes the documents of the deployments touched so far, in rowid order, and
// puts the triggers back. Once resumed, the triggers keep the index as usual.
func (p *searchPause) resume(ctx context.Context, tx *sql.Tx) error {
	if p.triggers == nil {
		return nil
	}
	slices.Sort(p.ids)
	ids := []byte{'['}
	for i, id := range slices.Compact(p.ids) {
		if i > 0 {
			ids = append(ids, ',')
		}
		ids = strconv.AppendInt(ids, id, 10)
	}
	ids = append(ids, ']')
	const touched = `(SELECT value FROM json_each(?))`
	if _, err := tx.ExecContext(ctx, `DELETE FROM search WHERE rowid IN
		(SELECT key FROM search_source WHERE id IN `+touched+`)`, string(ids)); err != nil {
		return mapErr(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO search (rowid, what, notes, facets)
		SELECT key, what, notes, facets FROM search_source WHERE id IN `+touched+` ORDER BY key`, string(ids)); err != nil {
		return mapErr(err)
	}
	if err := restoreTriggers(ctx, tx, p.triggers); err != nil {
		return err
	}
	p.triggers, p.ids = nil, nil
	return nil
}
