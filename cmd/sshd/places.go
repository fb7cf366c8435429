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

// placeOf is where p's next session opens: where the server last saw them, else
// where their last session ended before it started.
func (s *Server) placeOf(ctx context.Context, p models.Person) common.Place {
	s.mu.Lock()
	place, ok := s.places[p.Name]
	s.mu.Unlock()
	if ok {
		return place
	}
	text, err := s.eng.Place(ctx, p)
	if err != nil {
		s.log.Printf("%s: where their last session was could not be read: %v", p.Name, err)
		return common.Place{}
	}
	if text != "" {
		// A place written by another version of Ferry that no longer decodes opens
		// the home page, as a first session does.
		if err := json.Unmarshal([]byte(text), &place); err != nil {
			s.log.Printf("%s: where their last session was could not be read: %v", p.Name, err)
			return common.Place{}
		}
	}
	return place
}

// remember is the console's Remember for p.
func (s *Server) remember(p models.Person) func(common.Place) {
	return func(place common.Place) {
		s.mu.Lock()
		s.places[p.Name] = place
		s.mu.Unlock()
	}
}

// keepPlace writes where p was to the database, once one of their sessions ended.
func (s *Server) keepPlace(p models.Person) {
	s.mu.Lock()
	place, ok := s.places[p.Name]
	s.mu.Unlock()
	if !ok {
		return
	}
	var text string
	if place != (common.Place{}) {
		b, err := json.Marshal(place)
		if err != nil {
			s.log.Printf("%s: where the session ended was not kept: %v", p.Name, err)
			return
		}
		text = string(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), keepPlaceWait)
	defer cancel()
	if err := s.eng.SavePlace(ctx, p, text); err != nil {
		s.log.Printf("%s: where the session ended was not kept: %v", p.Name, err)
	}
}

// keepPlaceWait bounds a place's write, which waits for the database's writer.
const keepPlaceWait = 5 * time.Second

// waitGroupWithin waits for wg, at most d, and says whether it was done.
func waitGroupWithin(wg *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}
