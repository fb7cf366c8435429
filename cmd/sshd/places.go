package sshd

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"ferry/models"
	"ferry/tui/common"
)

// Where each person was is kept in memory while the server runs (the console tells
// it on every move) and in the database when a session ends, so that it survives a
// restart of the server as well as a dropped connection. Writing on every move would
// put a write behind each key typed into a field; a session's end is when it matters.
//
// A server that dies under a live session must lose at most that session's moves,
// never bring back a draft sent since the row was written ("not sent yet" of a reason
// already filed, which enter would file twice): a draft sent or dropped while a row
// is kept is written through at once.

// placeOf is where p's next session opens: where the server last saw them, else
// where their last session ended before it started.
func (s *Server) placeOf(ctx context.Context, p models.Person) common.Place {
	s.keepMu.Lock() // a write under way lands before the read
	defer s.keepMu.Unlock()
	s.mu.Lock()
	place, ok := s.places[p.Name]
	s.mu.Unlock()
	if ok {
		return place
	}
	place, kept := s.readPlace(ctx, p)
	s.mu.Lock()
	defer s.mu.Unlock()
	if now, moved := s.places[p.Name]; moved { // another session of theirs, meanwhile
		return now
	}
	s.places[p.Name], s.kept[p.Name] = place, kept
	return place
}

// readPlace is the place kept for p, and whether a row was there.
func (s *Server) readPlace(ctx context.Context, p models.Person) (common.Place, bool) {
	var place common.Place
	text, err := s.eng.Place(ctx, p)
	if err != nil {
		s.log.Printf("%s: where their last session was could not be read: %v", p.Name, err)
		return place, false
	}
	if text == "" {
		return place, false
	}
	// A place written by another version of Ferry that no longer decodes opens the
	// home page, as a first session does.
	if err := json.Unmarshal([]byte(text), &place); err != nil {
		s.log.Printf("%s: where their last session was could not be read: %v", p.Name, err)
		return common.Place{}, true
	}
	return place, true
}

// remember is the console's Remember for p.
func (s *Server) remember(p models.Person) func(common.Place) {
	return func(place common.Place) {
		s.mu.Lock()
		defer s.mu.Unlock()
		prev := s.places[p.Name]
		s.places[p.Name] = place
		if s.kept[p.Name] && prev.Draft.Text != "" && place.Draft.Text == "" && !s.stopping {
			s.ending.Add(1) // under mu while not stopping, as program's
			go func() {
				defer s.ending.Done()
				s.keepPlace(p)
			}()
		}
	}
}

// keepPlace writes where p is now to the database: when one of their sessions ended,
// or when a kept draft was sent.
func (s *Server) keepPlace(p models.Person) {
	s.keepMu.Lock()
	defer s.keepMu.Unlock()
	s.mu.Lock()
	place, ok := s.places[p.Name]
	s.mu.Unlock()
	if ok {
		s.writePlace(p, place)
	}
}

// writePlace writes place as p's kept one (the zero place forgets it), under keepMu:
// writes in the order the places were read, so the last one stands.
func (s *Server) writePlace(p models.Person, place common.Place) {
	var text string
	if place != (common.Place{}) {
		b, err := json.Marshal(place)
		if err != nil {
			s.log.Printf("%s: where the session was is not kept: %v", p.Name, err)
			return
		}
		text = string(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), keepPlaceWait)
	defer cancel()
	if err := s.eng.SavePlace(ctx, p, text); err != nil {
		s.log.Printf("%s: where the session was is not kept: %v", p.Name, err)
		return
	}
	s.mu.Lock()
	s.kept[p.Name] = text != ""
	s.mu.Unlock()
}

// keepPlaceWait bounds a place's write, which waits for the database's writer.
const keepPlaceWait = 5 * time.Second

// waitGroupWithin waits for wg until ctx ends, and says whether it was done.
func waitGroupWithin(ctx context.Context, wg *sync.WaitGroup) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-ctx.Done():
		return false
	}
}
