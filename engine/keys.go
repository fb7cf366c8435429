package engine

import (
	"context"
	"strings"

	gossh "golang.org/x/crypto/ssh"

	"ferry/models"
	"ferry/store"
)

// KeyInfo is one SSH key that lets a person in: from config or added.
type KeyInfo struct {
	Person      string
	Type        string
	Fingerprint string
	Comment     string
	Source      string // "config" or "added by NAME"
}

// configKeys maps the wire form of every key in config to its person.
func (e *Engine) configKeys() map[string]string {
	e.keysOnce.Do(func() {
		e.keyOwners = map[string]string{}
		for _, p := range e.cfg.People {
			for _, line := range p.SSHKeys {
				// config has checked that every key parses.
				if pub, _, _, _, err := gossh.ParseAuthorizedKey([]byte(line)); err == nil {
					e.keyOwners[string(pub.Marshal())] = p.Name
				}
			}
		}
	})
	return e.keyOwners
}

// PersonByKey is who a public key (SSH wire format) lets in: a key in config, or one
// added with AddKey (looked up at each call, so an added key works at once).
func (e *Engine) PersonByKey(ctx context.Context, key []byte) (models.Person, bool, error) {
	name, ok := e.configKeys()[string(key)]
	if !ok {
		var err error
		if name, err = e.st.Read().KeyOwner(ctx, key); err != nil || name == "" {
			return models.Person{}, false, err
		}
	}
	p, err := e.Person(name)
	if err != nil {
		return models.Person{}, false, nil // an added key of someone no longer in config
	}
	return p, true, nil
}

// AddKey lets person log in over SSH with the public key in line (authorized_keys
// form). Managers only; a key may belong to one person.
func (e *Engine) AddKey(ctx context.Context, actor models.Person, person, line string) (KeyInfo, error) {
	if err := Can(actor, ActAdmin, nil); err != nil {
		return KeyInfo{}, models.Forbiddenf("%s (%s) may not add SSH keys: only managers may", actor.Name, actor.MainRole())
	}
	if _, err := e.Person(person); err != nil {
		return KeyInfo{}, models.Invalidf("%v", err)
	}
	pub, comment, _, _, err := gossh.ParseAuthorizedKey([]byte(strings.TrimSpace(line)))
	if err != nil {
		return KeyInfo{}, models.Invalidf("not an SSH public key in authorized_keys form (e.g. \"ssh-ed25519 AAAA… tom@laptop\"): %v", err)
	}
	info := KeyInfo{Person: person, Type: pub.Type(), Fingerprint: gossh.FingerprintSHA256(pub), Comment: comment,
		Source: "added by " + actor.Name}
	if owner, ok, err := e.PersonByKey(ctx, pub.Marshal()); err != nil {
		return info, err
	} else if ok {
		return info, models.Conflictf("key %s already lets %s in", info.Fingerprint, owner.Name)
	}
	err = e.st.Write(ctx, func(q store.Q) error {
		return q.AddPersonKey(ctx, models.PersonKey{Key: pub.Marshal(), Person: person,
			Line: strings.TrimSpace(line), Fingerprint: info.Fingerprint, AddedBy: actor.Name, AddedAt: e.Now()})
	})
	return info, err
}

// Keys lists every key that lets someone in, config's first. Managers only: it says
// who can reach the console.
func (e *Engine) Keys(ctx context.Context, actor models.Person) ([]KeyInfo, error) {
	if err := Can(actor, ActAdmin, nil); err != nil {
		return nil, models.Forbiddenf("%s (%s) may not list SSH keys: only managers may", actor.Name, actor.MainRole())
	}
	var out []KeyInfo
	for _, p := range e.cfg.People {
		for _, line := range p.SSHKeys {
			if pub, comment, _, _, err := gossh.ParseAuthorizedKey([]byte(line)); err == nil {
				out = append(out, KeyInfo{Person: p.Name, Type: pub.Type(), Fingerprint: gossh.FingerprintSHA256(pub),
					Comment: comment, Source: "config"})
			}
		}
	}
	added, err := e.st.Read().PersonKeys(ctx)
	if err != nil {
		return nil, err
	}
	for _, k := range added {
		pub, comment, _, _, _ := gossh.ParseAuthorizedKey([]byte(k.Line))
		typ := ""
		if pub != nil {
			typ = pub.Type()
		}
		out = append(out, KeyInfo{Person: k.Person, Type: typ, Fingerprint: k.Fingerprint, Comment: comment,
			Source: "added by " + k.AddedBy})
	}
	return out, nil
}
