// Package common is what every part of Ferry's console shares within one session:
// the engine and the person, the styles, the keys, the messages pages send the
// root, and small formatting helpers. Nothing here is global: a session builds its
// own Common.
package common

import (
	"context"
	"time"

	"ferry/engine"
	"ferry/models"
)

// Common is what every page and component of one console session shares; one per
// session (a local terminal or one SSH connection), never global.
type Common struct {
	Ctx    context.Context
	Eng    *engine.Engine
	Actor  models.Person
	Styles Styles
	Keys   KeyMap
	// RunsDue: this console starts due automated deployments itself (a local
	// console; under serve, the server's scheduler does it once for everyone).
	RunsDue bool
	// Remote: the session comes over SSH, so this machine's files are not the
	// person's; the console writes none (exports are for a local console or the CLI).
	Remote bool
	// SSH is how the person reached this console over SSH ("ssh -p 2222 kim@host"),
	// for the commands the console names to run from their own machine; "" names
	// none ("ssh HOST").
	SSH string
	// RunCtx, when set, is the context of what this console's acts carry on: the runs
	// a start, a tick, an approval or a resume sets going. Under serve it outlives the
	// session, so a dropped connection does not stop a deployment mid-step (it stopped
	// "Roll out" with "context canceled", leaving it interrupted for a person to
	// decide); the server's stop still stops it. Nil: Ctx (a local console's runs end
	// with its process anyway).
	RunCtx context.Context
	// Remember, when set, is told where the person is (a deployment or its
	// checklist, or nowhere), and Resume is where a new session starts: together
	// they land a reconnecting person where they were.
	Remember func(Place)
	Resume   Place
	// Hello is a note the console shows in its footer when it opens: who the person
	// acts as, when no --as said so (printed before the console, it would be hidden
	// until it closes).
	Hello string
}

// Place is where in the console a person is: a deployment's detail or checklist,
// and what they were typing there and had not sent yet.
type Place struct {
	Checklist bool
	ID        int64 // 0: on a screen, no deployment open
	Draft     Draft
}

// Draft is text typed into a page's field and not sent: a dropped connection (a
// phone in a data centre) lost a blocker's reason half written, while the ticks
// before it were safe. Kind and Seq are the page's: which question, about which item.
type Draft struct {
	Kind   int
	Seq    int
	Prompt string
	Text   string
	About  string // what the field said of what enter does, as it was asked
}

// SameField is whether p and o hold unsent text for the same field: the same
// question about the same item of the same deployment.
func (p Place) SameField(o Place) bool {
	return p.Draft.Text != "" && o.Draft.Text != "" && p.ID == o.ID && p.Checklist == o.Checklist &&
		p.Draft.Kind == o.Draft.Kind && p.Draft.Seq == o.Draft.Seq
}

// DraftMovedMsg tells a session that the unsent text it held at Place was taken by
// another session of the same person (one that opened since, on another device or
// after a dropped connection): its field closes, so that the text can be sent from
// one session only and is never filed twice.
type DraftMovedMsg struct{ Place Place }

// New builds a session's shared state, in the dark styles until the terminal says
// its background is light.
func New(ctx context.Context, eng *engine.Engine, actor models.Person) *Common {
	return &Common{Ctx: ctx, Eng: eng, Actor: actor, Styles: NewStyles(true), Keys: DefaultKeyMap()}
}

// Runs is the context for an act that may carry a run on (see RunCtx).
func (c *Common) Runs() context.Context {
	if c.RunCtx != nil {
		return c.RunCtx
	}
	return c.Ctx
}

// DayLayout is a day as every screen writes one: the weekday and the day of the
// month in two digits, "Tue 08", so that days line up in a column and read alike
// from screen to screen (My work and the Schedule wrote "Tue 8" where the dashboard
// wrote "Tue 08"). Layouts build on it: DayLayout+" 15:04", DayLayout+" Jan 2006".
const DayLayout = "Mon 02"

// At is a moment as every screen writes one, a start, a finish, when something was
// done: "Tue 08 Dec 15:04", with the year when it is not this year's ("Tue 05 Jan
// 2027 15:04"). The year says that a moment is far from now, whichever screen shows
// it: History wrote "Tue 08 Dec 2026 12:15" where the other screens wrote "Tue 08
// Dec 12:15" for the same kind of value. "—" for none.
func (c *Common) At(t time.Time) string { return c.AtIn(t, 0) }

// AtIn is At in at most w cells, for a column (0: any width): without the weekday
// ("08 Dec 15:04", "05 Jan 2027 15:04"), then another year's without its time ("05
// Jan 2027"), never without its year. It takes at most 12 cells; narrower than
// that, it is the shortest and the column cuts it.
func (c *Common) AtIn(t time.Time, w int) string {
	if t.IsZero() {
		return "—"
	}
	year := ""
	if c.OtherYear(t) {
		year = " 2006"
	}
	lt, s := t.In(c.Eng.Location()), ""
	for _, layout := range []string{DayLayout + " Jan" + year + " 15:04", "02 Jan" + year + " 15:04", "02 Jan" + year} {
		if s = lt.Format(layout); w <= 0 || len(s) <= w {
			break
		}
	}
	return s
}

// Near is a moment where most are today, a technician's work and ticks: the time
// alone today ("22:00"), the weekday and the day this month ("Tue 08 22:00"), and
// further off as AtIn writes it in w cells ("04 Jan 22:00", "06 Jan 2027"; w 0: At,
// "Mon 04 Jan 22:00"). A tick of yesterday evening said "tom 21:19" on the
// checklist, as if it were today's.
func (c *Common) Near(t time.Time, w int) string {
	if t.IsZero() {
		return "—"
	}
	lt := t.In(c.Eng.Location())
	switch {
	case !c.ThisMonth(t):
		return c.AtIn(t, w)
	case !c.Today(t):
		return lt.Format(DayLayout + " 15:04")
	}
	return lt.Format("15:04")
}

// Today is whether t falls on today's date, in the organisation's zone.
func (c *Common) Today(t time.Time) bool {
	loc := c.Eng.Location()
	y, m, d := c.Eng.Now().In(loc).Date()
	ty, tm, td := t.In(loc).Date()
	return y == ty && m == tm && d == td
}

// ThisMonth is whether t falls in this month, in the organisation's zone: a day of
// it is written without its month ("Tue 08"), one of another month with it.
func (c *Common) ThisMonth(t time.Time) bool {
	loc := c.Eng.Location()
	lt, now := t.In(loc), c.Eng.Now().In(loc)
	return lt.Year() == now.Year() && lt.Month() == now.Month()
}

// OtherYear is whether t falls in another year than now, in the organisation's
// zone: the console writes it with its year.
func (c *Common) OtherYear(t time.Time) bool {
	loc := c.Eng.Location()
	return t.In(loc).Year() != c.Eng.Now().In(loc).Year()
}

// A WindowForm is how a screen writes its windows (Common.WindowAs). Every window
// the console writes goes through WindowAs, so that one across a daylight-saving
// change names its zone at both ends on every screen.
type WindowForm struct {
	// Day is the layout of the start's day, and of the end's when it ends on another
	// day; "" is DayLayout+" Jan" ("Tue 08 Dec"), with the year for a day not in this
	// year ("Tue 05 Jan 2027", as At writes a moment), on every screen alike.
	Day string
	// Tight joins a window within a day without spaces: "10:00–10:45".
	Tight bool
	// Zone names the zone after every window's end: "10:00 – 10:45 CET".
	Zone bool
}

// WindowAs writes a window in form f: "Tue 08 Dec 10:00–10:45", or with the end's day
// when it ends on another day. A window whose start and end are in different zone
// offsets (across a daylight-saving change) names the zone at both ends, whatever
// the form: "Sat 27 Mar 22:00 CET – Sun 28 Mar 04:00 CEST"; "… 04:00 CEST" alone
// read as if the start were CEST too, and no zone at all hid the hour the clocks
// jump.
func (c *Common) WindowAs(start, end time.Time, f WindowForm) string {
	loc := c.Eng.Location()
	a, b := start.In(loc), end.In(loc)
	day := func(t time.Time) string {
		if f.Day != "" {
			return f.Day + " 15:04"
		}
		if c.OtherYear(t) {
			return DayLayout + " Jan 2006 15:04"
		}
		return DayLayout + " Jan 15:04"
	}
	shift := models.ZoneShifts(a, b, loc)
	from, to, sep := day(a), "15:04", "–"
	if a.Year() != b.Year() || a.YearDay() != b.YearDay() {
		to = day(b)
	}
	if shift {
		from += " MST"
	}
	if shift || f.Zone {
		to += " MST"
	}
	if !f.Tight || to != "15:04" {
		sep = " – "
	}
	return a.Format(from) + sep + b.Format(to)
}

// Window is a window as the console writes one: "Tue 08 Dec 10:00–10:45", or
// "Tue 08 Dec 22:00 – Wed 09 Dec 02:00" when it ends on another day, with the zone at
// both ends across a daylight-saving change (WindowAs).
func (c *Common) Window(start, end time.Time) string {
	return c.WindowAs(start, end, WindowForm{Tight: true})
}

// Local formats t in the organisation's zone with layout.
func (c *Common) Local(t time.Time, layout string) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(c.Eng.Location()).Format(layout)
}
