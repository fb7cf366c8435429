package tui

import (
	"charm.land/bubbles/v2/table"

	"ferry/tui/common"
)

// newTable is a focused table in the console's styles; screens set its columns.
func newTable(c *common.Common) table.Model {
	ts := table.DefaultStyles()
	ts.Header = c.Styles.TableHeader.Padding(0, 1)
	ts.Selected = c.Styles.Selected
	return table.New(table.WithFocused(true), table.WithStyles(ts), table.WithWidth(80), table.WithHeight(10))
}
