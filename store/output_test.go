package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"ferry/models"
)

// Output written before chunks (a row a line) reads the same after the migration,
// and new lines follow it: IDs keep increasing, so following from the last old line
// finds the new ones.
func TestOutputMigrationKeepsOldLines(t *testing.T) {
	ctx := context.Background()
	s := migrated(t, 14,
		`INSERT INTO model_versions VALUES (1, 'web', 1, 'f', '{}', 0)`,
		`INSERT INTO deployments (id, model_version_id, model, model_version, service, component, kind, version, action,
			environment, status, change_ref, scheduled_start, scheduled_end, created_at, updated_at)
			VALUES (1, 1, 'web', 1, 'payments', 'payments-api', 'software', '4.12.0', 'deploy', 'test', 'running', '', 100, 200, 0, 0)`,
		`INSERT INTO step_attempts (deployment_id, seq, attempt, status, holder, host, boot_id, started_at, lines, bytes)
			VALUES (1, 1, 1, 'running', 'h', 'box', 'b', 0, 3, 9)`,
		`INSERT INTO step_output (deployment_id, seq, attempt, line_no, stream, at, text)
			VALUES (1, 1, 1, 1, 'out', 1000, 'one'), (1, 1, 1, 2, 'err', 2000, 'twö'), (1, 1, 1, 3, 'out', 3000, '')`,
	)
	old, err := s.Read().Output(ctx, models.OutputFilter{DeploymentID: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got := describe(old); got != "1 out one @1000|2 err twö @2000|3 out  @3000" {
		t.Fatalf("old lines after the migration: %s", got)
	}
	next := []models.OutputLine{{DeploymentID: 1, Seq: 1, Attempt: 1, LineNo: 4, Stream: models.StreamOut,
		At: time.UnixMilli(4000), Text: "four"}}
	if err := s.Write(ctx, func(q Q) error { return q.AppendOutput(ctx, next) }); err != nil {
		t.Fatal(err)
	}
	after, err := s.Read().Output(ctx, models.OutputFilter{DeploymentID: 1, AfterID: old[2].ID})
	if err != nil || describe(after) != "4 out four @4000" {
		t.Fatalf("following from the last old line: %s %v", describe(after), err)
	}
}

// A page or a tail that ends inside a chunk returns exactly what was asked, and the
// next page goes on from the last line given, across chunks and streams.
func TestOutputPagesAcrossChunks(t *testing.T) {
	s, id := attemptStarted(t)
	ctx := context.Background()
	no := 0
	for _, size := range []int{7, 1, 5} { // three batches, three chunks
		var batch []models.OutputLine
		for range size {
			no++
			stream := models.StreamOut
			if no%3 == 0 {
				stream = models.StreamErr
			}
			batch = append(batch, models.OutputLine{DeploymentID: id, Seq: 1, Attempt: 1, LineNo: no, Stream: stream,
				At: time.UnixMilli(int64(no)), Text: fmt.Sprintf("line %d", no)})
		}
		if err := s.Write(ctx, func(q Q) error { return q.AppendOutput(ctx, batch) }); err != nil {
			t.Fatal(err)
		}
	}
	q := s.Read()
	var got []models.OutputLine
	var after int64
	for {
		page, err := q.Output(ctx, models.OutputFilter{DeploymentID: id, AfterID: after, Limit: 4})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		got = append(got, page...)
		after = page[len(page)-1].ID
	}
	if len(got) != 13 {
		t.Fatalf("%d lines paged, want 13", len(got))
	}
	for i, l := range got {
		want := models.StreamOut
		if (i+1)%3 == 0 {
			want = models.StreamErr
		}
		if l.LineNo != i+1 || l.Text != fmt.Sprintf("line %d", i+1) || l.Stream != want || (i > 0 && l.ID <= got[i-1].ID) {
			t.Errorf("line %d: %+v", i+1, l)
		}
	}
	tail, err := q.Output(ctx, models.OutputFilter{DeploymentID: id, Tail: true, Limit: 7})
	if err != nil || describe(tail) != describe(got[6:]) {
		t.Errorf("the last 7: %s %v", describe(tail), err)
	}
	atts, err := q.Attempts(ctx, id)
	if err != nil || atts[0].Lines != 13 {
		t.Errorf("the attempt counts %+v %v", atts, err)
	}
}

func describe(lines []models.OutputLine) string {
	s := ""
	for i, l := range lines {
		if i > 0 {
			s += "|"
		}
		s += fmt.Sprintf("%d %s %s @%d", l.LineNo, l.Stream, l.Text, l.At.UnixMilli())
	}
	return s
}

// A long chunk of log lines is stored compressed and reads back line for line, its
// lengths, streams and multi-byte text intact; a short one is stored as it is; and a
// chunk whose compressed text is damaged is an error that names it, not garbage.
func TestOutputCompressedChunks(t *testing.T) {
	s, id := attemptStarted(t)
	ctx := context.Background()
	var long, short []models.OutputLine
	for no := 1; no <= 500; no++ {
		stream := models.StreamOut
		if no%7 == 0 {
			stream = models.StreamErr
		}
		text := fmt.Sprintf("2026-12-05T10:00:%02d INFO req=%06d GET /api/v1/orders 200 — größe %d", no%60, no*37, no)
		if no%50 == 0 {
			text = ""
		}
		long = append(long, models.OutputLine{DeploymentID: id, Seq: 1, Attempt: 1, LineNo: no, Stream: stream,
			At: time.UnixMilli(int64(no)), Text: text})
	}
	short = append(short, models.OutputLine{DeploymentID: id, Seq: 1, Attempt: 1, LineNo: 501, Stream: models.StreamOut,
		At: time.UnixMilli(501), Text: "done"})
	for _, b := range [][]models.OutputLine{long, short} {
		if err := s.Write(ctx, func(q Q) error { return q.AppendOutput(ctx, b) }); err != nil {
			t.Fatal(err)
		}
	}
	var codecs []string
	rows, err := s.r.QueryContext(ctx, `SELECT COALESCE(codec, 'plain') FROM step_output_chunks WHERE deployment_id = ? ORDER BY id`, id)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		codecs = append(codecs, c)
	}
	rows.Close()
	if fmt.Sprint(codecs) != "[s2 plain]" {
		t.Fatalf("chunks stored as %v, want the long one compressed and the short one plain", codecs)
	}
	got, err := s.Read().Output(ctx, models.OutputFilter{DeploymentID: id, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	want := append(append([]models.OutputLine{}, long...), short...)
	if len(got) != len(want) {
		t.Fatalf("%d lines read back, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Text != want[i].Text || got[i].Stream != want[i].Stream || got[i].LineNo != want[i].LineNo {
			t.Fatalf("line %d: got %+v, want %+v", i+1, got[i], want[i])
		}
	}
	// Damage the compressed chunk (the triggers keep output append-only: drop them
	// on this copy, as a careless tool would).
	for _, q := range []string{`DROP TRIGGER step_output_chunks_no_update`,
		`UPDATE step_output_chunks SET text = x'00ff00ff' WHERE codec = 's2'`} {
		if _, err := s.w.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Read().Output(ctx, models.OutputFilter{DeploymentID: id}); err == nil ||
		!strings.Contains(err.Error(), "is damaged") {
		t.Fatalf("a damaged chunk should be an error naming it, got %v", err)
	}
}

// attemptStarted is a new store with one planned deployment whose first step has
// begun its first attempt, for output to be stored on.
func attemptStarted(t *testing.T) (*Store, int64) {
	t.Helper()
	s := openTemp(t)
	ctx := context.Background()
	m, mvid := syncModel(t, s, testModel())
	id := plan(t, s, m, mvid, "test", t0)
	if err := s.Write(ctx, func(q Q) error {
		_, err := q.StartAttempt(ctx, models.Attempt{DeploymentID: id, Seq: 1, Holder: "h", Host: "box", StartedAt: time.Now()})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return s, id
}
