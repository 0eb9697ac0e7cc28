package wxcrypt

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Errors a decryption fails with; callers map them to a rejected push.
var (
	ErrBadKey       = errors.New("wxcrypt: EncodingAESKey must be 43 base64 characters")
	ErrCiphertext   = errors.New("wxcrypt: ciphertext is not valid base64 AES-CBC blocks")
	ErrPadding      = errors.New("wxcrypt: bad PKCS#7 padding")
	ErrLength       = errors.New("wxcrypt: message length out of range")
	ErrReceiverID   = errors.New("wxcrypt: message is addressed to another appid/corpid")
	ErrBadSignature = errors.New("wxcrypt: signature mismatch")
)

// blockSize is the PKCS#7 block size WeChat pads to: 32 bytes, not AES's 16.
const blockSize = 32

// Signature returns WeChat's signature: the hex SHA-1 of the given parts
// (token, timestamp, nonce and, for msg_signature, the Encrypt field) sorted
// lexicographically and concatenated.
func Signature(parts ...string) string {
	s := append([]string(nil), parts...)
	sort.Strings(s)
	h := sha1.Sum([]byte(strings.Join(s, "")))
	return hex.EncodeToString(h[:])
}

// VerifySignature compares a received signature with the expected one in
// constant time.
func VerifySignature(got string, parts ...string) error {
	want := Signature(parts...)
	if subtle.ConstantTimeCompare([]byte(strings.ToLower(got)), []byte(want)) != 1 {
		return ErrBadSignature
	}
	return nil
}

// Cipher encrypts and decrypts messages for one receiver: the appid of an
// official account or mini program, the corpid of a WeCom callback.
type Cipher struct {
	block      cipher.Block
	iv         []byte
	receiverID string
}

// NewCipher returns a cipher for the EncodingAESKey and receiver id.
func NewCipher(encodingAESKey, receiverID string) (*Cipher, error) {
	if len(encodingAESKey) != 43 {
		return nil, ErrBadKey
	}
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(key) != 32 {
		return nil, ErrBadKey
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("wxcrypt: %w", err)
	}
	return &Cipher{block: block, iv: key[:16], receiverID: receiverID}, nil
}

// ReceiverID returns the appid or corpid the cipher checks.
func (c *Cipher) ReceiverID() string { return c.receiverID }

// Encrypt encrypts msg with 16 fresh random bytes and returns base64.
func (c *Cipher) Encrypt(msg []byte) (string, error) {
	var random [16]byte
	if _, err := rand.Read(random[:]); err != nil {
		return "", fmt.Errorf("wxcrypt: %w", err)
	}
	return c.EncryptWithRandom(random, msg), nil
}

// EncryptWithRandom encrypts msg with the given 16 leading random bytes; the
// plaintext is random + big-endian uint32 len(msg) + msg + receiver id,
// PKCS#7-padded to 32 bytes. Deterministic, for test vectors.
func (c *Cipher) EncryptWithRandom(random [16]byte, msg []byte) string {
	plain := make([]byte, 0, 20+len(msg)+len(c.receiverID)+blockSize)
	plain = append(plain, random[:]...)
	plain = binary.BigEndian.AppendUint32(plain, uint32(len(msg)))
	plain = append(plain, msg...)
	plain = append(plain, c.receiverID...)
	pad := blockSize - len(plain)%blockSize
	plain = append(plain, bytes.Repeat([]byte{byte(pad)}, pad)...)
	out := make([]byte, len(plain))
	cipher.NewCBCEncrypter(c.block, c.iv).CryptBlocks(out, plain)
	return base64.StdEncoding.EncodeToString(out)
}

// Decrypt decrypts a base64 ciphertext and returns the message, checking the
// receiver id it was sealed for.
func (c *Cipher) Decrypt(encrypted string) ([]byte, error) {
	msg, receiver, err := c.open(encrypted)
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(receiver), []byte(c.receiverID)) != 1 {
		return nil, ErrReceiverID
	}
	return msg, nil
}

func (c *Cipher) open(encrypted string) (msg []byte, receiver string, err error) {
	raw, err := base64.StdEncoding.DecodeString(encrypted)
	if err != nil || len(raw) == 0 || len(raw)%aes.BlockSize != 0 {
		return nil, "", ErrCiphertext
	}
	plain := make([]byte, len(raw))
	cipher.NewCBCDecrypter(c.block, c.iv).CryptBlocks(plain, raw)
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > blockSize || pad > len(plain) {
		return nil, "", ErrPadding
	}
	plain = plain[:len(plain)-pad]
	if len(plain) < 20 {
		return nil, "", ErrLength
	}
	n := binary.BigEndian.Uint32(plain[16:20])
	if uint64(n) > uint64(len(plain)-20) {
		return nil, "", ErrLength
	}
	return plain[20 : 20+n], string(plain[20+n:]), nil
}
