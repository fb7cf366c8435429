package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/s2"

	"ferry/models"
)

// Step output is stored a chunk of lines to a row (see migration 00015): one insert
// for a batch of thousands of lines instead of one per line. A line's ID is its
// chunk's id shifted left by lineBits, plus its index in the chunk, so IDs increase
// in the order lines were written and a reader follows new output from the last ID.
const (
	lineBits      = 16
	maxChunkLines = 1 << lineBits
)

// AppendOutput stores lines (in the order given) and adds them to their attempts'
// line and byte counts. Call it inside a write transaction with a batch of lines:
// each run of lines of one attempt becomes one row.
func (q Q) AppendOutput(ctx context.Context, lines []models.OutputLine) error {
	return q.AppendPacked(ctx, PackOutput(lines))
}

// PackedOutput is a batch of output lines made ready to store: joined and compressed,
// a chunk to a run of lines of one attempt. PackOutput does that work outside any
// transaction, so that a runner compresses one batch while the last is written and
// the write lock is held only for the inserts.
type PackedOutput []packedChunk

type packedChunk struct {
	first       models.OutputLine // its deployment, step, attempt, number and time
	lines, size int               // how many lines, and their bytes before compression
	lens        string            // each line's length, comma-separated
	errs        any               // nil, or a '0'/'1' a line: which came from stderr
	body, codec any
}

// PackOutput prepares lines (in the order given) for AppendPacked.
func PackOutput(lines []models.OutputLine) PackedOutput {
	var out PackedOutput
	for len(lines) > 0 {
		n := 1
		for n < len(lines) && n < maxChunkLines && sameAttempt(lines[0], lines[n]) {
			n++
		}
		out = append(out, packChunk(lines[:n]))
		lines = lines[n:]
	}
	return out
}

// AppendPacked stores what PackOutput prepared, as AppendOutput does.
func (q Q) AppendPacked(ctx context.Context, p PackedOutput) error {
	for _, c := range p {
		if err := q.appendChunk(ctx, c); err != nil {
			return err
		}
	}
	return nil
}

func sameAttempt(a, b models.OutputLine) bool {
	return a.DeploymentID == b.DeploymentID && a.Seq == b.Seq && a.Attempt == b.Attempt
}

// packChunk joins the lines of one attempt into one chunk.
func packChunk(lines []models.OutputLine) packedChunk {
	n := 0
	for _, l := range lines {
		n += len(l.Text)
	}
	text := make([]byte, 0, n)
	lens := make([]byte, 0, 4*len(lines))
	var errs []byte
	for i, l := range lines {
		text = append(text, l.Text...)
		if i > 0 {
			lens = append(lens, ',')
		}
		lens = strconv.AppendInt(lens, int64(len(l.Text)), 10)
		if l.Stream == models.StreamErr && errs == nil {
			errs = make([]byte, i, len(lines))
			for j := range errs {
				errs[j] = '0'
			}
		}
		if errs != nil {
			errs = append(errs, "01"[boolInt(l.Stream == models.StreamErr)])
		}
	}
	c := packedChunk{first: lines[0], lines: len(lines), size: n, lens: string(lens)}
	if errs != nil {
		c.errs = string(errs)
	}
	c.body, c.codec = compressChunk(text)
	return c
}

// appendChunk stores one chunk as one row and counts its lines on the attempt.
func (q Q) appendChunk(ctx context.Context, c packedChunk) error {
	f := c.first
	if _, err := q.db.ExecContext(ctx, `INSERT INTO step_output_chunks
		(deployment_id, seq, attempt, first_line, lines, at, lens, errs, text, codec) VALUES (?,?,?,?,?,?,?,?,?,?)`,
		f.DeploymentID, f.Seq, f.Attempt, f.LineNo, c.lines, f.At.UnixMilli(), c.lens, c.errs, c.body, c.codec); err != nil {
		return mapErr(err)
	}
	_, err := q.db.ExecContext(ctx, `UPDATE step_attempts SET lines = lines + ?, bytes = bytes + ?
		WHERE deployment_id = ? AND seq = ? AND attempt = ?`, c.lines, c.size, f.DeploymentID, f.Seq, f.Attempt)
	return mapErr(err)
}

// compressMin: a chunk shorter than this is stored as it is (a few lines, written
// as they come, gain nothing).
const compressMin = 4 << 10

// compressChunk is what to store of a chunk's text, and its codec (nil: plain). A
// chunk is stored compressed when that saves at least a tenth: most of what
// storing output costs is writing pages, and logs compress two to four times.
func compressChunk(text []byte) (body, codec any) {
	if len(text) < compressMin {
		return string(text), nil
	}
	packed := s2.Encode(nil, text)
	if len(packed) > len(text)*9/10 {
		return string(text), nil
	}
	return packed, "s2"
}

// chunkText is a stored chunk's text, decompressed.
func chunkText(id int64, body []byte, codec *string) (string, error) {
	if codec == nil {
		return string(body), nil
	}
	if *codec != "s2" {
		return "", fmt.Errorf("step output chunk %d is stored with codec %q, which this Ferry cannot read", id, *codec)
	}
	text, err := s2.Decode(nil, body)
	if err != nil {
		return "", fmt.Errorf("step output chunk %d is damaged: %v", id, err)
	}
	return string(text), nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Output returns output lines in the order they were written: the first f.Limit
// after f.AfterID, or with f.Tail the last f.Limit. Chunks are read one at a time
// and reading stops once the page is full.
func (q Q) Output(ctx context.Context, f models.OutputFilter) ([]models.OutputLine, error) {
	where := []string{"deployment_id = ?"}
	args := []any{f.DeploymentID}
	if f.Seq != 0 {
		where, args = append(where, "seq = ?"), append(args, f.Seq)
		if f.Attempt != 0 {
			where, args = append(where, "attempt = ?"), append(args, f.Attempt)
		}
	}
	if f.AfterID > 0 {
		where, args = append(where, "id >= ?"), append(args, f.AfterID>>lineBits)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	order := "ASC"
	if f.Tail {
		order = "DESC"
	}
	rows, err := q.db.QueryContext(ctx, `SELECT id, deployment_id, seq, attempt, first_line, at, lens, errs, text, codec
		FROM step_output_chunks WHERE `+strings.Join(where, " AND ")+` ORDER BY id `+order, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []models.OutputLine
	for len(out) < limit && rows.Next() {
		lines, err := scanChunk(rows)
		if err != nil {
			return nil, err
		}
		if f.Tail {
			slices.Reverse(lines)
		}
		for _, l := range lines {
			if l.ID > f.AfterID && len(out) < limit {
				out = append(out, l)
			}
		}
	}
	if f.Tail {
		slices.Reverse(out)
	}
	return out, mapErr(rows.Err())
}

// scanChunk splits one stored chunk into its lines.
func scanChunk(rows interface{ Scan(...any) error }) ([]models.OutputLine, error) {
	var (
		id, dep, at         int64
		seq, attempt, first int
		lens                string
		body                []byte
		errs, codec         *string
	)
	if err := rows.Scan(&id, &dep, &seq, &attempt, &first, &at, &lens, &errs, &body, &codec); err != nil {
		return nil, mapErr(err)
	}
	text, err := chunkText(id, body, codec)
	if err != nil {
		return nil, err
	}
	when := time.UnixMilli(at).UTC()
	var out []models.OutputLine
	off := 0
	for i, n := range strings.Split(lens, ",") {
		size, err := strconv.Atoi(n)
		if err != nil || size < 0 || off+size > len(text) {
			return nil, fmt.Errorf("step output chunk %d is damaged: its line lengths do not match its text", id)
		}
		stream := models.StreamOut
		if errs != nil && i < len(*errs) && (*errs)[i] == '1' {
			stream = models.StreamErr
		}
		out = append(out, models.OutputLine{ID: id<<lineBits | int64(i), DeploymentID: dep, Seq: seq, Attempt: attempt,
			LineNo: first + i, Stream: stream, At: when, Text: text[off : off+size]})
		off += size
	}
	return out, nil
}
