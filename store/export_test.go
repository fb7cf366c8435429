package store

import "context"

// OpenBeforeCounted is OpenBefore counted back from now or forward, for tests of
// both ways.
func (q Q) OpenBeforeCounted(ctx context.Context, day int, by string, back bool) (map[string]int64, error) {
	return q.openBefore(ctx, day, by, back)
}
