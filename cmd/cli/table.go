package cli

import (
	"bytes"
	"io"
	"text/tabwriter"
	"unicode/utf8"
)

// maxCell is the most characters a cell other than a line's last shows: tabwriter
// pads every line of a column to its widest cell, and one summary or note of 100,000
// characters padded every line of deploy show's record to its length. A cut cell
// ends in "…"; show's last cells and --json keep the text whole.
const maxCell = 60

// table aligns tab-separated cells in columns two spaces apart, as every listing of
// the CLI does, and ends no line with spaces: tabwriter pads a line's empty last
// cells to their column's width, which a reader sees as noise when copying and
// diff sees as change. A cell before a line's last is cut to maxCell; the last pads
// nothing and is kept whole. Every line written to it ends with a newline.
func table(w io.Writer) *tableWriter {
	return &tableWriter{tw: tabwriter.NewWriter(&trimEnds{w: w}, 0, 0, 2, ' ', 0)}
}

// tableWriter passes whole lines to its tabwriter with their cells cut (maxCell).
type tableWriter struct {
	tw  *tabwriter.Writer
	buf []byte
}

func (t *tableWriter) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	for {
		i := bytes.IndexByte(t.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		if _, err := t.tw.Write(append(cutCells(t.buf[:i]), '\n')); err != nil {
			return 0, err
		}
		t.buf = t.buf[i+1:]
	}
}

// Flush writes what is aligned, and a last line without its newline as it is.
func (t *tableWriter) Flush() error {
	if len(t.buf) > 0 {
		if _, err := t.tw.Write(cutCells(t.buf)); err != nil {
			return err
		}
		t.buf = nil
	}
	return t.tw.Flush()
}

// cutCells cuts every cell of line but the last to maxCell characters.
func cutCells(line []byte) []byte {
	cells := bytes.Split(line, []byte{'\t'})
	for i, c := range cells[:len(cells)-1] {
		if utf8.RuneCount(c) > maxCell {
			cells[i] = append([]byte(string([]rune(string(c))[:maxCell-1])), "…"...)
		}
	}
	return bytes.Join(cells, []byte{'\t'})
}

// trimEnds passes whole lines on without their trailing spaces.
type trimEnds struct {
	w   io.Writer
	buf []byte
}

func (t *trimEnds) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	for {
		i := bytes.IndexByte(t.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := bytes.TrimRight(t.buf[:i], " ")
		if _, err := t.w.Write(append(line, '\n')); err != nil {
			return 0, err
		}
		t.buf = t.buf[i+1:]
	}
}
