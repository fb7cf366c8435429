package cli

import (
	"bytes"
	"io"
	"text/tabwriter"
)

// table aligns tab-separated cells in columns two spaces apart, as every listing of
// the CLI does, and ends no line with spaces: tabwriter pads a line's empty last
// cells to their column's width, which a reader sees as noise when copying and
// diff sees as change. Every line written to it ends with a newline.
func table(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(&trimEnds{w: w}, 0, 0, 2, ' ', 0)
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
