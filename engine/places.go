package engine

import (
	"context"
	"fmt"

	"ferry/models"
	"ferry/store"
)

// MaxPlace bounds a kept place: a page, an ID and a draft of at most models.MaxText
// characters (four bytes each at most) with its prompt, in the console's encoding.
const MaxPlace = 4*models.MaxText + 4096

// SavePlace keeps where actor's console was when a session ended, as the console
// encodes it, for their next session, across a restart of the server: a technician's
// half-written reason for a block survives both. An empty place forgets it.
func (e *Engine) SavePlace(ctx context.Context, actor models.Person, place string) error {
	if len(place) > MaxPlace {
		return fmt.Errorf("%w: a console place of %d bytes is over %d", models.ErrInvalid, len(place), MaxPlace)
	}
	return e.st.Write(ctx, func(q store.Q) error { return q.SavePlace(ctx, actor.Name, place, e.Now()) })
}

// Place is where actor's console was when their last session ended, or "".
func (e *Engine) Place(ctx context.Context, actor models.Person) (string, error) {
	return e.st.Read().Place(ctx, actor.Name)
}
