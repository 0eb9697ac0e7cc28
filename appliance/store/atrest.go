package store

import (
	"context"
	"fmt"
	"strings"
)

// Sealer encrypts and decrypts with an authenticated cipher (secret.Box:
// AES-256-GCM under a key derived from the appliance's master key).
type Sealer interface {
	Seal(plaintext string) string
	Open(sealed string) (string, error)
}

// sealedPrefix marks a value encrypted at rest. Values without it were
// stored before encryption was turned on, or with it off, and are read as
// they are; a database can hold both.
const sealedPrefix = "kefu:enc:"

// encrypt seals v for storage when the store encrypts. Empty values stay
// empty: there is nothing to hide, and NULL and empty stay distinct.
func (s *Store) encrypt(v string) string {
	if !s.encrypting || v == "" {
		return v
	}
	return sealedPrefix + s.sealer.Seal(v)
}

func (s *Store) encryptPtr(v *string) *string {
	if v == nil {
		return nil
	}
	e := s.encrypt(*v)
	return &e
}

// decrypt opens a stored value. A value that does not open — no sealer, or
// another key than the one that sealed it — is returned as stored (the
// ciphertext, which says plainly what happened), counted, and logged once
// per store; `kefu doctor` reports the count.
func (s *Store) decrypt(v string) string {
	rest, ok := strings.CutPrefix(v, sealedPrefix)
	if !ok {
		return v
	}
	if s.sealer != nil {
		if plain, err := s.sealer.Open(rest); err == nil {
			return plain
		}
	}
	if s.unreadable.Add(1) == 1 {
		s.log.Error("store: a value encrypted at rest cannot be decrypted: is secret_key (or data_dir/secret.key) the one it was written with?",
			"encryption_configured", s.sealer != nil)
	}
	return v
}

func (s *Store) decryptPtr(v *string) *string {
	if v == nil {
		return nil
	}
	d := s.decrypt(*v)
	return &d
}

// Unreadable is how many encrypted values this store could not decrypt
// since it opened.
func (s *Store) Unreadable() int64 { return s.unreadable.Load() }

// Encrypting says whether the store encrypts what it writes.
func (s *Store) Encrypting() bool { return s.encrypting }

// SampleMessages reads the texts of the newest n messages as stored and
// reports how many are encrypted and how many of those this store cannot
// decrypt (another master key than the one they were written with).
func (s *Store) SampleMessages(ctx context.Context, n int) (total, sealed, unreadable int, err error) {
	var texts []string
	if err := s.conn(ctx).Model(&messageRow{}).Order("id DESC").Limit(n).Pluck("text", &texts).Error; err != nil {
		return 0, 0, 0, fmt.Errorf("store: unable to read messages: %w", err)
	}
	for _, t := range texts {
		rest, ok := strings.CutPrefix(t, sealedPrefix)
		if !ok {
			continue
		}
		sealed++
		if s.sealer == nil {
			unreadable++
		} else if _, err := s.sealer.Open(rest); err != nil {
			unreadable++
		}
	}
	return len(texts), sealed, unreadable, nil
}

// EncryptExisting encrypts what was stored in clear before encryption was
// turned on — message texts and payloads, dialogue states — a thousand rows
// per transaction, and returns how many rows it changed. It is safe while
// the appliance serves: a row is updated only if it still holds what was
// read. The message chain hashes the plaintext, so it still verifies.
func (s *Store) EncryptExisting(ctx context.Context, progress func(table string, n int64)) (int64, error) {
	if !s.encrypting {
		return 0, fmt.Errorf("store: encryption is off (database.encrypt)")
	}
	if progress == nil {
		progress = func(string, int64) {}
	}
	inClear := func(v *string) bool { return v != nil && *v != "" && !strings.HasPrefix(*v, sealedPrefix) }
	var total int64
	const batch = 1000
	for after := int64(0); ; {
		var rows []messageRow
		if err := s.conn(ctx).Select("id, text, payload").Where("id > ?", after).Order("id").Limit(batch).Find(&rows).Error; err != nil {
			return total, fmt.Errorf("store: unable to read messages: %w", err)
		}
		if len(rows) == 0 {
			break
		}
		var n int64
		err := s.WithTx(ctx, func(ctx context.Context) error {
			for _, r := range rows {
				after = r.ID
				if !inClear(&r.Text) && !inClear(r.Payload) {
					continue
				}
				text, payload := r.Text, r.Payload
				if inClear(&r.Text) {
					text = s.encrypt(r.Text)
				}
				if inClear(r.Payload) {
					payload = s.encryptPtr(r.Payload)
				}
				q := s.conn(ctx).Model(&messageRow{}).Where("id = ? AND text = ?", r.ID, r.Text)
				res := q.Updates(map[string]any{"text": text, "payload": payload})
				if res.Error != nil {
					return res.Error
				}
				n += res.RowsAffected
			}
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("store: unable to encrypt messages: %w", err)
		}
		total += n
		progress("messages", n)
	}
	for after := int64(-1 << 63); ; {
		var rows []dialogueStateRow
		if err := s.conn(ctx).Where("customer_id > ?", after).Order("customer_id").Limit(batch).Find(&rows).Error; err != nil {
			return total, fmt.Errorf("store: unable to read dialogue states: %w", err)
		}
		if len(rows) == 0 {
			break
		}
		var n int64
		err := s.WithTx(ctx, func(ctx context.Context) error {
			for _, r := range rows {
				after = r.CustomerID
				if !inClear(&r.State) {
					continue
				}
				res := s.conn(ctx).Model(&dialogueStateRow{}).Where("customer_id = ? AND state = ?", r.CustomerID, r.State).
					Update("state", s.encrypt(r.State))
				if res.Error != nil {
					return res.Error
				}
				n += res.RowsAffected
			}
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("store: unable to encrypt dialogue states: %w", err)
		}
		total += n
		progress("dialogue_states", n)
	}
	return total, nil
}
