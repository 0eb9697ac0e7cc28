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
// ciphertext, which says plainly what happened), counted (the
// kefu_store_undecryptable_total metric), and logged once per store.
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

// Sample is what SampleMessages found.
type Sample struct {
	Messages   int // read
	Encrypted  int // of those, encrypted
	Previous   int // of those, opening only with a previous master key
	Unreadable int // of those, opening with no key this store knows
}

// SampleMessages reads the texts of the newest n messages as stored and
// reports how many are encrypted, under which key, and how many this store
// cannot decrypt (another master key than the one they were written with).
func (s *Store) SampleMessages(ctx context.Context, n int) (Sample, error) {
	var texts []string
	if err := s.conn(ctx).Model(&messageRow{}).Order("id DESC").Limit(n).Pluck("text", &texts).Error; err != nil {
		return Sample{}, fmt.Errorf("store: unable to read messages: %w", err)
	}
	sm := Sample{Messages: len(texts)}
	cur, _ := s.sealer.(interface{ Current(string) bool })
	for _, t := range texts {
		rest, ok := strings.CutPrefix(t, sealedPrefix)
		if !ok {
			continue
		}
		sm.Encrypted++
		switch {
		case s.sealer == nil:
			sm.Unreadable++
		case cur != nil && cur.Current(rest):
		default:
			if _, err := s.sealer.Open(rest); err != nil {
				sm.Unreadable++
			} else if cur != nil {
				sm.Previous++
			}
		}
	}
	return sm, nil
}

// ClearIdentities counts the channel identities stored in clear (written
// before encryption was on, or with it off), which EncryptExisting encrypts.
func (s *Store) ClearIdentities(ctx context.Context) (int64, error) {
	var n int64
	if err := s.conn(ctx).Model(&identityRow{}).Where("value NOT LIKE ?", sealedPrefix+"%").Count(&n).Error; err != nil {
		return 0, fmt.Errorf("store: unable to count identities: %w", err)
	}
	return n, nil
}

// EncryptExisting encrypts what was stored in clear before encryption was
// turned on — message texts and payloads, dialogue states, tickets' titles,
// bodies, data and history notes, conversation summaries, customers' names,
// attributes and channel identities (with their lookup hashes), merge
// proofs and snapshots, and audit details — and encrypts again under the current master
// key what a previous one encrypted, a thousand rows per transaction, and
// returns how many rows it changed. It is safe while the appliance serves:
// a row is updated only if it still holds what was read. The message chain
// hashes the plaintext, so it still verifies.
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
		{"tickets", "id", []string{"title", "body", "data"}},
		{"ticket_events", "id", []string{"note"}},
		{"conversations", "id", []string{"summary"}},
		{"customers", "id", []string{"display_name", "attributes"}},
		{"customer_merges", "id", []string{"proof_value", "profile"}},
		{"audit_log", "id", []string{"detail"}},
		{"qa_alerts", "id", []string{"excerpt"}},
		{"qa_report_hits", "id", []string{"excerpt", "message_text"}},
		{"qa_report_items", "id", []string{"judge"}},
		{"analytics_reports", "id", []string{"data"}},
	} {
		n, err := s.rewriteTable(ctx, t.table, t.key, t.cols, eachValue(s.sealAgain))
		total += n
		progress(t.table, n)
		if err != nil {
			return total, fmt.Errorf("store: unable to encrypt %s: %w", t.table, err)
		}
	}
	n, err := s.rewriteTable(ctx, "identities", "id", []string{"value", "value_hash", "kind", "namespace"}, s.rehashIdentity)
	total += n
	progress("identities", n)
	if err != nil {
		return total, fmt.Errorf("store: unable to encrypt identities: %w", err)
	}
	return total, nil
}

// rehashIdentity encrypts an identity's value like sealAgain and stores its
// lookup hash under the current key. A value no known key opens is left.
func (s *Store) rehashIdentity(v []sql.NullString) []*string {
	out := make([]*string, len(v))
	plain := v[0].String
	if rest, sealed := strings.CutPrefix(plain, sealedPrefix); sealed {
		var err error
		if plain, err = s.sealer.Open(rest); err != nil {
			return out
		}
	}
	if nv, ok := s.sealAgain(v[0].String); ok {
		out[0] = &nv
	}
	if h := s.identityHashes(v[2].String, v[3].String, plain)[0]; !v[1].Valid || v[1].String != h {
		out[1] = &h
	}
	return out
}

// sealAgain is what EncryptExisting writes for a stored value: clear text
// encrypted, a value encrypted under a previous master key encrypted again
// under the current one; false leaves the value as it is.
func (s *Store) sealAgain(v string) (string, bool) {
	rest, sealed := strings.CutPrefix(v, sealedPrefix)
	if !sealed {
		return s.encrypt(v), true
	}
	cur, ok := s.sealer.(interface{ Current(string) bool })
	if !ok || cur.Current(rest) {
		return "", false
	}
	plain, err := s.sealer.Open(rest)
	if err != nil {
		return "", false // no key opens it: leave it for whoever holds one
	}
	return s.encrypt(plain), true
}

// Resealer opens what any known master key sealed and seals with the
// current one (secret.Box with its previous keys).
type Resealer interface {
	Sealer
	Current(sealed string) bool
}

// ResealCredentials seals again under the current master key the app-key
// secrets and channel credentials sealed under a previous one
// (secret_key_previous), and returns how many it changed.
func (s *Store) ResealCredentials(ctx context.Context, box Resealer) (int64, error) {
	again := func(v string) (string, bool) {
		if box.Current(v) {
			return "", false
		}
		plain, err := box.Open(v)
		if err != nil {
			return "", false
		}
		return box.Seal(plain), true
	}
	n, err := s.rewriteTable(ctx, "app_keys", "id", []string{"secret_enc"}, eachValue(again))
	if err != nil {
		return n, fmt.Errorf("store: unable to seal app keys again: %w", err)
	}
	m, err := s.rewriteTable(ctx, "channel_accounts", "id", []string{"secrets_enc"}, eachValue(again))
	if err != nil {
		return n + m, fmt.Errorf("store: unable to seal channel credentials again: %w", err)
	}
	return n + m, nil
}

// rewriteTable walks table by its integer key and writes what rewrite
// returns for each row's cols (nil: leave that column), a thousand rows per
// transaction; a row changed meanwhile is left alone. table, key and cols
// are the store's own names.
func (s *Store) rewriteTable(ctx context.Context, table, key string, cols []string, rewrite func(vals []sql.NullString) []*string) (int64, error) {
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
				for i, nv := range rewrite(r.vals) {
					if nv == nil {
						continue
					}
					set = append(set, cols[i]+" = ?")
					setArgs = append(setArgs, *nv)
					if r.vals[i].Valid {
						where = append(where, " AND "+cols[i]+" = ?")
						whereArgs = append(whereArgs, r.vals[i].String)
					} else {
						where = append(where, " AND "+cols[i]+" IS NULL")
					}
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

// eachValue rewrites every non-empty value of a row on its own.
func eachValue(rewrite func(string) (string, bool)) func([]sql.NullString) []*string {
	return func(vals []sql.NullString) []*string {
		out := make([]*string, len(vals))
		for i, v := range vals {
			if !v.Valid || v.String == "" {
				continue
			}
			if nv, ok := rewrite(v.String); ok {
				out[i] = &nv
			}
		}
		return out
	}
}
