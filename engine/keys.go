package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"ferry/engine/config"
	"ferry/models"
	"ferry/store"
)

// The audit log's types for keys.
const (
	EntryKeyAdded   = "key_added"
	EntryKeyRevoked = "key_revoked"
)

// KeyInfo is one SSH key that lets a person in: from config or added.
type KeyInfo struct {
	Person      string
	Type        string
	Fingerprint string
	Comment     string
	Source      string    // "config" or "added by NAME"
	AddedAt     time.Time // zero for config's keys
	LastUsed    time.Time // zero when never used
	RevokedBy   string    // a config key revoked (it stays refused while config lists it)
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
// added with AddKey, unless it was revoked. It is looked up at each call, so an added
// key works, and a revoked one stops working, at once.
func (e *Engine) PersonByKey(ctx context.Context, key []byte) (models.Person, bool, error) {
	pub, err := gossh.ParsePublicKey(key)
	if err != nil {
		return models.Person{}, false, nil
	}
	q := e.st.Read()
	revoked, err := q.RevokedKeys(ctx)
	if err != nil {
		return models.Person{}, false, err
	}
	if _, gone := revoked[gossh.FingerprintSHA256(pub)]; gone {
		return models.Person{}, false, nil
	}
	name, inConfig := e.configKeys()[string(key)]
	added, err := q.KeyOwner(ctx, key)
	if err != nil {
		return models.Person{}, false, err
	}
	switch {
	case inConfig && added != "" && added != name:
		// Added for one person, then written into another's ssh_keys: a key names one
		// person, and guessing which would let someone in as another.
		fp := gossh.FingerprintSHA256(pub)
		return models.Person{}, false, models.Conflictf("key %s is %s's in config and was added for %s: nobody logs in "+
			"with it until it names one person: take it out of %s's ssh_keys, or revoke it (ferry people remove-key %s %s, "+
			"which refuses it for both) and add it again for %s (ferry people add-key)", fp, name, added, name, added, fp, name)
	case !inConfig:
		if name = added; name == "" {
			return models.Person{}, false, nil
		}
	}
	p, err := e.Person(name)
	if err != nil {
		return models.Person{}, false, nil // an added key of someone no longer in config
	}
	return p, true, nil
}

// RevokedKeys maps the fingerprint of every revoked key to who revoked it: a server
// asks it for its open sessions, to close those at once.
func (e *Engine) RevokedKeys(ctx context.Context) (map[string]string, error) {
	return e.st.Read().RevokedKeys(ctx)
}

// KeyUsed notes that a key was used to log in now.
func (e *Engine) KeyUsed(ctx context.Context, fingerprint string) error {
	return e.st.Write(ctx, func(q store.Q) error { return q.TouchKey(ctx, fingerprint, e.Now()) })
}

// AddKey lets person log in over SSH with the public key in line (authorized_keys
// form). Managers only; a key may belong to one person. The audit log records it.
func (e *Engine) AddKey(ctx context.Context, actor models.Person, person, line string) (KeyInfo, error) {
	if err := Can(actor, ActAdmin, nil); err != nil {
		return KeyInfo{}, mayNot(actor, "add SSH keys", "only managers may")
	}
	if _, err := e.Person(person); err != nil {
		return KeyInfo{}, models.Invalidf("%v", err)
	}
	if config.IsDSA(line) {
		return KeyInfo{}, models.Invalidf("%v", config.ErrDSA)
	}
	pub, comment, _, _, err := gossh.ParseAuthorizedKey([]byte(strings.TrimSpace(line)))
	if err != nil {
		return KeyInfo{}, models.Invalidf("not an SSH public key in authorized_keys form (e.g. \"ssh-ed25519 AAAA… tom@laptop\"): %v", err)
	}
	if err := config.WeakKey(pub); err != nil {
		return KeyInfo{}, models.Invalidf("key %s: %v", gossh.FingerprintSHA256(pub), err)
	}
	info := KeyInfo{Person: person, Type: pub.Type(), Fingerprint: gossh.FingerprintSHA256(pub), Comment: comment,
		Source: "added by " + actor.Name, AddedAt: e.Now()}
	if owner, ok, err := e.PersonByKey(ctx, pub.Marshal()); err != nil {
		return info, err
	} else if ok {
		return info, models.Conflictf("key %s already lets %s in", info.Fingerprint, owner.Name)
	}
	err = e.st.Write(ctx, func(q store.Q) error {
		if err := q.Unrevoke(ctx, info.Fingerprint); err != nil {
			return err
		}
		if err := q.AddPersonKey(ctx, models.PersonKey{Key: pub.Marshal(), Person: person,
			Line: strings.TrimSpace(line), Fingerprint: info.Fingerprint, AddedBy: actor.Name, AddedAt: e.Now()}); err != nil {
			return err
		}
		return e.audit(ctx, q, actor, EntryKeyAdded, fmt.Sprintf("%s key %s for %s", pub.Type(), info.Fingerprint, person))
	})
	return info, err
}

// RemoveKey revokes person's key with this fingerprint at once, whether config lists
// it or it was added: logins with it are refused, and a server closes the sessions
// open with it. Managers only; the audit log records it.
func (e *Engine) RemoveKey(ctx context.Context, actor models.Person, person, fingerprint string) (KeyInfo, error) {
	if err := Can(actor, ActAdmin, nil); err != nil {
		return KeyInfo{}, mayNot(actor, "revoke SSH keys", "only managers may")
	}
	keys, err := e.Keys(ctx, actor)
	if err != nil {
		return KeyInfo{}, err
	}
	for _, k := range keys {
		if k.Person != person || k.Fingerprint != fingerprint {
			continue
		}
		if k.RevokedBy != "" {
			return k, models.Conflictf("key %s of %s was already revoked by %s", fingerprint, person, k.RevokedBy)
		}
		return k, e.st.Write(ctx, func(q store.Q) error {
			if err := q.RevokeKey(ctx, fingerprint, person, actor.Name, e.Now()); err != nil {
				return err
			}
			return e.audit(ctx, q, actor, EntryKeyRevoked, fmt.Sprintf("%s key %s of %s (%s)", k.Type, fingerprint, person, k.Source))
		})
	}
	return KeyInfo{}, models.NotFoundf("%s has no key %s ('ferry people keys' lists them)", person, fingerprint)
}

// audit appends to the organisation's record, inside the caller's write transaction.
func (e *Engine) audit(ctx context.Context, q store.Q, actor models.Person, typ, detail string) error {
	_, err := q.AddAudit(ctx, models.AuditEntry{At: e.Now(), Actor: actor.Name, Principal: PrincipalOf(ctx), Type: typ, Detail: detail})
	return err
}

// Keys lists every key that lets someone in (config's first, then the added ones),
// with when each was last used; a config key that was revoked is listed as such.
// Managers only: it says who can reach the console.
func (e *Engine) Keys(ctx context.Context, actor models.Person) ([]KeyInfo, error) {
	if err := Can(actor, ActAdmin, nil); err != nil {
		return nil, mayNot(actor, "list SSH keys", "only managers may")
	}
	var out []KeyInfo
	err := e.st.Snapshot(ctx, func(q store.Q) error {
		uses, err := q.KeyUses(ctx)
		if err != nil {
			return err
		}
		revoked, err := q.RevokedKeys(ctx)
		if err != nil {
			return err
		}
		for _, p := range e.cfg.People {
			for _, line := range p.SSHKeys {
				if pub, comment, _, _, err := gossh.ParseAuthorizedKey([]byte(line)); err == nil {
					fp := gossh.FingerprintSHA256(pub)
					out = append(out, KeyInfo{Person: p.Name, Type: pub.Type(), Fingerprint: fp, Comment: comment,
						Source: "config", LastUsed: uses[fp], RevokedBy: revoked[fp]})
				}
			}
		}
		added, err := q.PersonKeys(ctx)
		for _, k := range added {
			pub, comment, _, _, _ := gossh.ParseAuthorizedKey([]byte(k.Line))
			typ := ""
			if pub != nil {
				typ = pub.Type()
			}
			out = append(out, KeyInfo{Person: k.Person, Type: typ, Fingerprint: k.Fingerprint, Comment: comment,
				Source: "added by " + k.AddedBy, AddedAt: k.AddedAt, LastUsed: uses[k.Fingerprint]})
		}
		return err
	})
	return out, err
}
