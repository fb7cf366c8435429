package store

import "context"

// OpenBeforeWithin is OpenBefore counting back from now while fewer than limit
// deployments are open (0: always forward), for tests of both ways.
func (q Q) OpenBeforeWithin(ctx context.Context, day int, by string, limit int) (map[string]int64, error) {
	return q.openBefore(ctx, day, by, limit)
}
