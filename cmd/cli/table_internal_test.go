package cli

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// A cell before a line's last is cut to maxCell with "…", so it pads no other line
// to its length; the last cell pads nothing and is kept whole.
func TestTableCutsAllButTheLastCell(t *testing.T) {
	var b bytes.Buffer
	tw := table(&b)
	long := strings.Repeat("é", 5000)
	fmt.Fprintf(tw, "1\t%s\tx\n2\tshort\t%s\n", long, long)
	if err := tw.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	want0 := "1  " + strings.Repeat("é", maxCell-1) + "…  x"
	want1 := "2  short" + strings.Repeat(" ", maxCell-5) + "  " + long
	if len(lines) != 2 || lines[0] != want0 || lines[1] != want1 {
		t.Fatalf("got:\n%s", b.String())
	}
}
