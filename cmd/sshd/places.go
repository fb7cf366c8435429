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
// What a person typed and did not send is kept apart from where they were: one of
// their sessions moving (a laptop beside the phone) must not throw away the text
// another is writing. It stays until the session that holds it sends it or drops it
// (esc, another place); a next session opens where it is and takes it, and a session
// that still held it closes its field, so that it is never sent twice.
//
// A server that dies under a live session must lose at most that session's moves,
// never bring back a draft sent since the row was written ("not sent yet" of a reason
// already filed, which enter would file twice): a draft sent or dropped while a row
// is kept is written through at once.

// placeOf is where st, a session that opens, starts: where the server last saw its
// person (or one of their sessions holds unsent text, which moves to st), else where
// their last session ended before it started.
func (s *Server) placeOf(st *session) common.Place {
	s.keepMu.Lock() // a write under way lands before the read
	defer s.keepMu.Unlock()
	if place, ok := s.take(st); ok {
		return place
	}
	place, kept := s.readPlace(st.ctx, st.person)
	s.mu.Lock()
	defer s.mu.Unlock()
	if now, ok := s.takeLocked(st); ok { // another session of theirs, meanwhile
		return now
	}
	s.places[st.person.Name], s.kept[st.person.Name] = place, kept
	return place
}

// take is where st opens, as far as this server knows (see takeLocked).
func (s *Server) take(st *session) (common.Place, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.takeLocked(st)
}

// takeLocked is currentLocked for st, which opens: unsent text another session of
// the person holds becomes st's. That session may still be live (the phone whose
// connection dropped without the server noticing yet, or the laptop beside it): it
// is told to close its field, so that the text is sent from one session only.
func (s *Server) takeLocked(st *session) (common.Place, bool) {
	name := st.person.Name
	d, ok := s.drafts[name]
	if !ok {
		return s.currentLocked(name)
	}
	for p, other := range s.programs {
		if other == d.by {
			go p.Send(common.DraftMovedMsg{Place: d.place}) // a program that ended takes nothing
		}
	}
	s.drafts[name] = draftPlace{d.place, st}
	return d.place, true
}

// current is where p's next session opens, as far as this server knows: where one
// of their sessions holds unsent text, else where they last were.
func (s *Server) current(p models.Person) (common.Place, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.currentLocked(p.Name)
}

func (s *Server) currentLocked(name string) (common.Place, bool) {
	if d, ok := s.drafts[name]; ok {
		return d.place, true
	}
	place, ok := s.places[name]
	return place, ok
}

// draftPlace is a place with unsent text, and the session that holds it.
type draftPlace struct {
	place common.Place
	by    *session
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

// remember is the console's Remember for the session st.
func (s *Server) remember(st *session) func(common.Place) {
	p := st.person
	return func(place common.Place) {
		s.mu.Lock()
		defer s.mu.Unlock()
		before, _ := s.currentLocked(p.Name)
		s.places[p.Name] = place
		switch d, ok := s.drafts[p.Name]; {
		case place.Draft.Text != "":
			s.drafts[p.Name] = draftPlace{place, st}
		case ok && d.by == st: // sent, dropped or left by the session that holds it
			delete(s.drafts, p.Name)
		}
		after, _ := s.currentLocked(p.Name)
		if s.kept[p.Name] && before.Draft.Text != "" && after.Draft.Text == "" && !s.stopping {
			s.ending.Add(1) // under mu while not stopping, as program's
			go func() {
				defer s.ending.Done()
				s.keepPlace(p)
			}()
		}
	}
}

// keepPlace writes where p's next session would open to the database: when one of
// their sessions ended, or when a kept draft was sent.
func (s *Server) keepPlace(p models.Person) {
	s.keepMu.Lock()
	defer s.keepMu.Unlock()
	if place, ok := s.current(p); ok {
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
