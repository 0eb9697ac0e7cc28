// Package secret protects what the appliance keeps secret: credentials
// stored in the database are sealed with AES-256-GCM, and tokens handed to
// browsers (widget visitor tokens) are signed with HMAC-SHA256. Both use keys
// derived from one master key, configured as secret_key or generated once
// into data_dir/secret.key.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Box seals and opens secrets and signs tokens.
type Box struct {
	seal   cipher.AEAD
	mac    []byte
	master []byte
	// previous are the Boxes of master keys in use before this one
	// (secret_key_previous): what they sealed or signed still opens and
	// verifies, until it is sealed again under the current key.
	previous []*Box
}

// New derives a Box from a master key of any length (at least 16 bytes).
func New(master []byte) (*Box, error) {
	if len(master) < 16 {
		return nil, errors.New("secret: the master key must be at least 16 bytes")
	}
	aead, err := gcm(derive(master, "kefu seal v1"))
	if err != nil {
		return nil, err
	}
	return &Box{seal: aead, mac: derive(master, "kefu sign v1"), master: master}, nil
}

// Purpose returns a Box that seals with a key of its own, derived from the
// same master key for purpose: what it seals no other Box opens.
func (b *Box) Purpose(purpose string) *Box {
	aead, err := gcm(derive(b.master, "kefu seal v1 "+purpose))
	if err != nil {
		panic(err) // a 32-byte key always makes an AES-GCM cipher
	}
	p := &Box{seal: aead, mac: derive(b.master, "kefu sign v1 "+purpose), master: b.master}
	for _, prev := range b.previous {
		p.previous = append(p.previous, prev.Purpose(purpose))
	}
	return p
}

// WithPrevious returns a Box that seals and signs with b's key and also
// opens and verifies what the previous master keys sealed and signed: a
// rotated key (secret_key_previous) keeps credentials, tokens and messages
// readable until they are sealed again (kefu migrate --encrypt-existing).
func (b *Box) WithPrevious(previous ...*Box) *Box {
	c := *b
	c.previous = append(append([]*Box(nil), b.previous...), previous...)
	return &c
}

// Current says whether sealed opens with the current key; false also for
// what opens only with a previous one.
func (b *Box) Current(sealed string) bool {
	_, err := b.open(sealed)
	return err == nil
}

func gcm(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	return aead, nil
}

func derive(master []byte, purpose string) []byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// LoadOrCreate returns the Box for the configured key, or for the key in
// dir/secret.key, generating that file (mode 0600) the first time.
func LoadOrCreate(configured, dir string) (*Box, error) {
	if configured != "" {
		return New([]byte(configured))
	}
	path := filepath.Join(dir, "secret.key")
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("secret: %w", err)
		}
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("secret: unable to create %s: %w", dir, err)
		}
		data = []byte(hex.EncodeToString(key))
		// O_EXCL: two processes starting together agree on one key.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			return LoadOrCreate("", dir)
		}
		if err != nil {
			return nil, fmt.Errorf("secret: unable to create %s: %w", path, err)
		}
		if _, err := f.Write(data); err != nil {
			f.Close()
			return nil, fmt.Errorf("secret: unable to write %s: %w", path, err)
		}
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("secret: unable to write %s: %w", path, err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("secret: unable to read %s: %w", path, err)
	}
	return New([]byte(strings.TrimSpace(string(data))))
}

// Seal encrypts plaintext; the result is printable and self-describing.
func (b *Box) Seal(plaintext string) string {
	nonce := make([]byte, b.seal.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("secret: no randomness: " + err.Error())
	}
	out := b.seal.Seal(nonce, nonce, []byte(plaintext), nil)
	return "v1:" + base64.RawStdEncoding.EncodeToString(out)
}

// Open decrypts what Seal produced, with the current key or a previous one.
func (b *Box) Open(sealed string) (string, error) {
	plain, err := b.open(sealed)
	if err == nil {
		return plain, nil
	}
	for _, p := range b.previous {
		if plain, perr := p.Open(sealed); perr == nil {
			return plain, nil
		}
	}
	return "", err
}

func (b *Box) open(sealed string) (string, error) {
	raw, ok := strings.CutPrefix(sealed, "v1:")
	if !ok {
		return "", errors.New("secret: unknown sealed format")
	}
	data, err := base64.RawStdEncoding.DecodeString(raw)
	if err != nil || len(data) < b.seal.NonceSize() {
		return "", errors.New("secret: malformed sealed value")
	}
	n := b.seal.NonceSize()
	plain, err := b.seal.Open(nil, data[:n], data[n:], nil)
	if err != nil {
		return "", errors.New("secret: unable to open the sealed value (wrong key?)")
	}
	return string(plain), nil
}

// Sign returns a token carrying value, bound to purpose.
func (b *Box) Sign(purpose, value string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(value)) + "." + b.mac64(purpose, value)
}

// Verify returns the value of a token made by Sign for purpose.
func (b *Box) Verify(purpose, token string) (string, bool) {
	enc, sig, ok := strings.Cut(token, ".")
	if !ok {
		return "", false
	}
	v, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return "", false
	}
	if hmac.Equal([]byte(sig), []byte(b.mac64(purpose, string(v)))) {
		return string(v), true
	}
	for _, p := range b.previous {
		if hmac.Equal([]byte(sig), []byte(p.mac64(purpose, string(v)))) {
			return string(v), true
		}
	}
	return "", false
}

// Digests returns keyed hashes of value for purpose: the current key's
// first, then each previous key's. A value stored encrypted (random nonce
// per value) cannot be looked up by itself; its digest can, and says nothing
// to whoever lacks the key (a phone number's unkeyed hash is found by trying
// every number).
func (b *Box) Digests(purpose, value string) []string {
	out := make([]string, 0, 1+len(b.previous))
	out = append(out, b.mac64(purpose, value))
	for _, p := range b.previous {
		out = append(out, p.mac64(purpose, value))
	}
	return out
}

func (b *Box) mac64(purpose, value string) string {
	m := hmac.New(sha256.New, b.mac)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
