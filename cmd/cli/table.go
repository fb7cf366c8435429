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
	tw := tabwriter.NewWriter(eachLine(w, func(l []byte) []byte { return bytes.TrimRight(l, " ") }), 0, 0, 2, ' ', 0)
	return &tableWriter{lineWriter: lineWriter{w: tw, fn: cutCells}, tw: tw}
}

// tableWriter passes whole lines to its tabwriter with their cells cut (maxCell).
type tableWriter struct {
	lineWriter
	tw *tabwriter.Writer
}

// Flush writes what is aligned, and a last line without its newline as it is.
func (t *tableWriter) Flush() error {
	if err := t.flush(); err != nil {
		return err
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

// lineWriter passes each whole line written to it on to w as fn makes it, ending in
// a newline; flush passes a last line without its newline.
type lineWriter struct {
	w   io.Writer
	fn  func(line []byte) []byte
	buf []byte
}

func eachLine(w io.Writer, fn func([]byte) []byte) *lineWriter { return &lineWriter{w: w, fn: fn} }

func (t *lineWriter) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	for {
		i := bytes.IndexByte(t.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		if _, err := t.w.Write(append(t.fn(t.buf[:i]), '\n')); err != nil {
			return 0, err
		}
		t.buf = t.buf[i+1:]
	}
}

func (t *lineWriter) flush() error {
	if len(t.buf) == 0 {
		return nil
	}
	_, err := t.w.Write(t.fn(t.buf))
	t.buf = nil
	return err
}
