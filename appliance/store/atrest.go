package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
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
// turned on — message texts and payloads, dialogue states, ticket bodies and
// data, conversation summaries — a thousand rows per transaction, and returns how many rows it
// changed. It is safe while the appliance serves: a row is updated only if
// it still holds what was read. The message chain hashes the plaintext, so
// it still verifies.
func (s *Store) EncryptExisting(ctx context.Context, progress func(table string, n int64)) (int64, error) {
	if !s.encrypting {
		return 0, fmt.Errorf("store: encryption is off (database.encrypt)")
	}
	if progress == nil {
		progress = func(string, int64) {}
	}
	var total int64
	for _, t := range []struct {
		table, key string
		cols       []string
	}{
		{"messages", "id", []string{"text", "payload"}},
		{"dialogue_states", "customer_id", []string{"state"}},
		{"tickets", "id", []string{"body", "data"}},
		{"conversations", "id", []string{"summary"}},
	} {
		n, err := s.encryptTable(ctx, t.table, t.key, t.cols)
		total += n
		progress(t.table, n)
		if err != nil {
			return total, fmt.Errorf("store: unable to encrypt %s: %w", t.table, err)
		}
	}
	return total, nil
}

// encryptTable encrypts the columns of table that are in clear, walking it
// by its integer key. table, key and cols are the store's own names.
func (s *Store) encryptTable(ctx context.Context, table, key string, cols []string) (int64, error) {
	const batch = 1000
	sel := "SELECT " + key + ", " + strings.Join(cols, ", ") + " FROM " + table + " WHERE " + key + " > ? ORDER BY " + key + " LIMIT ?"
	var total int64
	for after := int64(math.MinInt64); ; {
		type row struct {
			key  int64
			vals []sql.NullString
		}
		var rows []row
		res, err := s.conn(ctx).Raw(sel, after, batch).Rows()
		if err != nil {
			return total, err
		}
		for res.Next() {
			r := row{vals: make([]sql.NullString, len(cols))}
			dst := []any{&r.key}
			for i := range r.vals {
				dst = append(dst, &r.vals[i])
			}
			if err := res.Scan(dst...); err != nil {
				res.Close()
				return total, err
			}
			rows = append(rows, r)
		}
		res.Close()
		if len(rows) == 0 {
			return total, nil
		}
		err = s.WithTx(ctx, func(ctx context.Context) error {
			for _, r := range rows {
				after = r.key
				var set, where []string
				var setArgs, whereArgs []any
				for i, v := range r.vals {
					if !v.Valid || v.String == "" || strings.HasPrefix(v.String, sealedPrefix) {
						continue
					}
					set = append(set, cols[i]+" = ?")
					setArgs = append(setArgs, s.encrypt(v.String))
					where = append(where, " AND "+cols[i]+" = ?")
					whereArgs = append(whereArgs, v.String)
				}
				if len(set) == 0 {
					continue
				}
				args := append(append(setArgs, r.key), whereArgs...)
				u := s.conn(ctx).Exec("UPDATE "+table+" SET "+strings.Join(set, ", ")+" WHERE "+key+" = ?"+strings.Join(where, ""), args...)
				if u.Error != nil {
					return u.Error
				}
				total += u.RowsAffected
			}
			return nil
		})
		if err != nil {
			return total, err
		}
	}
}
