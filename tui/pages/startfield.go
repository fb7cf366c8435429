package pages

import (
	"strings"
	"time"

	"charm.land/huh/v2"

	"ferry/models"
	"ferry/tui/common"
	"ferry/tui/components"
)

// startField is a plan form's Start. Left empty it means the next whole hour, which
// it shows greyed as its placeholder: a start typed replaces it, where a time filled
// in had "now" typed after it ("2026-12-06 07:00now").
type startField struct {
	c    *common.Common
	next string // the next whole hour, local
}

func newStartField(c *common.Common) startField {
	next := c.Eng.Now().In(c.Eng.Location()).Truncate(time.Hour).Add(time.Hour)
	return startField{c: c, next: next.Format(models.LocalLayout)}
}

// parse reads what the field holds: a time, "now", or nothing for the next hour.
func (s startField) parse(v string) (time.Time, error) {
	if strings.TrimSpace(v) == "" {
		v = s.next
	}
	return models.ParseTimeAt(v, s.c.Eng.Location(), s.c.Eng.Now())
}

// input is the field over v.
func (s startField) input(fe *components.FieldErrors, v *string) *huh.Input {
	return fe.Input("start", "Start", v).Placeholder(s.next).Validate(func(v string) error {
		_, err := s.parse(v)
		return err
	}).Description("YYYY-MM-DD HH:MM, " + s.c.Eng.Location().String() + ", or now") // as the edit form says it
}
