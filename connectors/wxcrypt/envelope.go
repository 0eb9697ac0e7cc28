package wxcrypt

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"strconv"
)

// ErrMalformed is returned for a body that is neither the XML nor the JSON
// envelope WeChat sends.
var ErrMalformed = errors.New("wxcrypt: malformed envelope")

// Envelope is the outer layer of an encrypted push: the receiver and the
// ciphertext. Compatible mode sends the plaintext fields next to Encrypt; they
// are ignored here and the decrypted message is used instead.
type Envelope struct {
	ToUserName string
	Encrypt    string
	AgentID    string // WeCom application callbacks only
}

type xmlEnvelope struct {
	XMLName    xml.Name `xml:"xml"`
	ToUserName string   `xml:"ToUserName"`
	Encrypt    string   `xml:"Encrypt"`
	AgentID    string   `xml:"AgentID"`
}

type jsonEnvelope struct {
	ToUserName string `json:"ToUserName"`
	Encrypt    string `json:"Encrypt"`
}

// IsJSON reports whether a push body is JSON (mini programs may be set to
// JSON) rather than XML.
func IsJSON(body []byte) bool {
	b := bytes.TrimSpace(body)
	return len(b) > 0 && b[0] == '{'
}

// ParseEnvelope reads the XML or JSON envelope of an encrypted push.
func ParseEnvelope(body []byte) (Envelope, error) {
	var env Envelope
	if IsJSON(body) {
		var j jsonEnvelope
		if err := json.Unmarshal(body, &j); err != nil {
			return env, ErrMalformed
		}
		env.ToUserName, env.Encrypt = j.ToUserName, j.Encrypt
	} else {
		var x xmlEnvelope
		if err := xml.Unmarshal(body, &x); err != nil {
			return env, ErrMalformed
		}
		env.ToUserName, env.Encrypt, env.AgentID = x.ToUserName, x.Encrypt, x.AgentID
	}
	if env.Encrypt == "" {
		return env, ErrMalformed
	}
	return env, nil
}

type cdata struct {
	Text string `xml:",cdata"`
}

type xmlSealed struct {
	XMLName      xml.Name `xml:"xml"`
	Encrypt      cdata    `xml:"Encrypt"`
	MsgSignature cdata    `xml:"MsgSignature"`
	TimeStamp    string   `xml:"TimeStamp"`
	Nonce        cdata    `xml:"Nonce"`
}

// Seal encrypts a reply and wraps it in the XML WeChat expects from a server
// in safe mode: Encrypt, MsgSignature, TimeStamp and Nonce.
func Seal(c *Cipher, token string, timestamp int64, nonce string, reply []byte) ([]byte, error) {
	enc, err := c.Encrypt(reply)
	if err != nil {
		return nil, err
	}
	ts := strconv.FormatInt(timestamp, 10)
	return xml.Marshal(xmlSealed{
		Encrypt:      cdata{enc},
		MsgSignature: cdata{Signature(token, ts, nonce, enc)},
		TimeStamp:    ts,
		Nonce:        cdata{nonce},
	})
}

// Sealed is a parsed safe-mode reply, as WeChat reads it.
type Sealed struct {
	Encrypt, MsgSignature, TimeStamp, Nonce string
}

// ParseSealed reads a safe-mode reply (used by tests and fakes to open what a
// server answered).
func ParseSealed(body []byte) (Sealed, error) {
	var x struct {
		Encrypt      string `xml:"Encrypt"`
		MsgSignature string `xml:"MsgSignature"`
		TimeStamp    string `xml:"TimeStamp"`
		Nonce        string `xml:"Nonce"`
	}
	if err := xml.Unmarshal(body, &x); err != nil || x.Encrypt == "" {
		return Sealed{}, ErrMalformed
	}
	return Sealed{x.Encrypt, x.MsgSignature, x.TimeStamp, x.Nonce}, nil
}
