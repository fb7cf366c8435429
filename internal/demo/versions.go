package demo

import (
	"strconv"
	"strings"
	"time"
)

// packVer packs a version into one number that sorts as the version does.
func packVer(maj, min, pat uint64) uint64 { return maj<<40 | min<<20 | pat }

// bump moves the component to its next version at time t: a new major about once a
// year, a new minor every sprint, else the next patch (build).
func (g *gen) bump(c *compInfo, t int64) uint64 {
	sprint := func() int64 { return t + int64(10+g.rng.IntN(9))*day }
	switch {
	case !c.started:
		c.started = true
		c.maj, c.min, c.pat = uint64(1+g.rng.IntN(4)), uint64(g.rng.IntN(12)), 0
		c.nextMinor, c.nextMajor = sprint(), t+int64(200+g.rng.IntN(300))*day
	case t >= c.nextMajor:
		c.maj, c.min, c.pat = c.maj+1, 0, 0
		c.nextMinor, c.nextMajor = sprint(), t+int64(300+g.rng.IntN(200))*day
	case t >= c.nextMinor || !c.threePart:
		c.min, c.pat = c.min+1, 0
		if t >= c.nextMinor {
			c.nextMinor = sprint()
		}
	default:
		c.pat++
	}
	return packVer(c.maj, c.min, c.pat)
}

// change is the next change number in t's year.
func (g *gen) change(t int64) (uint32, uint16) {
	y := time.Unix(t, 0).In(g.loc).Year()
	g.changes[y]++
	return g.changes[y], uint16(y)
}

// formatVer writes a packed version as major.minor(.patch).
func formatVer(v uint64, three bool) string {
	b := make([]byte, 0, 16)
	b = strconv.AppendUint(b, v>>40, 10)
	b = append(b, '.')
	b = strconv.AppendUint(b, (v>>20)&0xfffff, 10)
	if three {
		b = append(b, '.')
		b = strconv.AppendUint(b, v&0xfffff, 10)
	}
	return string(b)
}

// changeRef is the change request reference, e.g. CHG-2026-000123.
func changeRef(year uint16, n uint32) string {
	if n == 0 {
		return ""
	}
	num := strconv.FormatUint(uint64(n), 10)
	if len(num) < 6 {
		num = strings.Repeat("0", 6-len(num)) + num
	}
	return "CHG-" + strconv.Itoa(int(year)) + "-" + num
}
