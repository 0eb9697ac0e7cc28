package wechattest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"time"

	"kefu/connectors/wxcrypt"
)

// Pusher signs (and in safe or compatible mode encrypts) pushes the way
// WeChat's servers do for one account.
type Pusher struct {
	Token  string
	AppID  string
	Cipher *wxcrypt.Cipher // nil in plaintext mode
	// Compatible keeps the plaintext fields next to Encrypt (兼容模式).
	Compatible bool
}

// NewPusher returns a pusher; encodingAESKey empty means plaintext mode.
func NewPusher(token, encodingAESKey, appID string) (*Pusher, error) {
	p := &Pusher{Token: token, AppID: appID}
	if encodingAESKey != "" {
		c, err := wxcrypt.NewCipher(encodingAESKey, appID)
		if err != nil {
			return nil, err
		}
		p.Cipher = c
	}
	return p, nil
}

// Nonce returns a random nonce.
func Nonce() string {
	var b [6]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Request builds the POST WeChat sends to target for a plaintext message
// body, signed at time at with nonce.
func (p *Pusher) Request(target string, plain []byte, at time.Time, nonce string) *http.Request {
	ts := strconv.FormatInt(at.Unix(), 10)
	q := url.Values{"signature": {wxcrypt.Signature(p.Token, ts, nonce)}, "timestamp": {ts}, "nonce": {nonce}}
	body := plain
	if p.Cipher != nil {
		enc, err := p.Cipher.Encrypt(plain)
		if err != nil {
			panic(err)
		}
		body = p.envelope(plain, enc)
		q.Set("encrypt_type", "aes")
		q.Set("msg_signature", wxcrypt.Signature(p.Token, ts, nonce, enc))
	}
	r := httptest.NewRequest(http.MethodPost, target+"?"+q.Encode(), bytes.NewReader(body))
	if bytes.HasPrefix(bytes.TrimSpace(plain), []byte("{")) {
		r.Header.Set("Content-Type", "application/json")
	} else {
		r.Header.Set("Content-Type", "text/xml")
	}
	return r
}

func (p *Pusher) envelope(plain []byte, enc string) []byte {
	isJSON := bytes.HasPrefix(bytes.TrimSpace(plain), []byte("{"))
	if isJSON {
		m := map[string]any{}
		if p.Compatible {
			json.Unmarshal(plain, &m)
		}
		m["ToUserName"], m["Encrypt"] = "gh_"+p.AppID, enc
		b, _ := json.Marshal(m)
		return b
	}
	if p.Compatible {
		// The plaintext fields, then Encrypt, inside one <xml>.
		inner := bytes.TrimSuffix(bytes.TrimSpace(plain), []byte("</xml>"))
		return append(inner, []byte("<Encrypt><![CDATA["+enc+"]]></Encrypt></xml>")...)
	}
	return []byte(fmt.Sprintf("<xml><ToUserName><![CDATA[gh_%s]]></ToUserName><Encrypt><![CDATA[%s]]></Encrypt></xml>", p.AppID, enc))
}

// Handshake builds the GET of the server-URL verification.
func (p *Pusher) Handshake(target, echostr string, at time.Time, nonce string) *http.Request {
	ts := strconv.FormatInt(at.Unix(), 10)
	q := url.Values{"signature": {wxcrypt.Signature(p.Token, ts, nonce)}, "timestamp": {ts}, "nonce": {nonce}, "echostr": {echostr}}
	return httptest.NewRequest(http.MethodGet, target+"?"+q.Encode(), nil)
}

// Reply is a passive reply read back from a push response.
type Reply struct {
	ToUserName, FromUserName, MsgType, Content string
	CreateTime                                 int64
}

// ReadReply reads what a server answered a push: "" for "success" or an
// empty body, the reply's text otherwise (decrypted and its signature checked
// in encrypted modes, as WeChat does).
func (p *Pusher) ReadReply(body []byte) (*Reply, error) {
	b := bytes.TrimSpace(body)
	if len(b) == 0 || string(b) == "success" {
		return nil, nil
	}
	if p.Cipher != nil {
		s, err := wxcrypt.ParseSealed(b)
		if err != nil {
			return nil, fmt.Errorf("wechattest: reply is not a safe-mode envelope: %w", err)
		}
		if err := wxcrypt.VerifySignature(s.MsgSignature, p.Token, s.TimeStamp, s.Nonce, s.Encrypt); err != nil {
			return nil, fmt.Errorf("wechattest: reply signature: %w", err)
		}
		if b, err = p.Cipher.Decrypt(s.Encrypt); err != nil {
			return nil, fmt.Errorf("wechattest: reply: %w", err)
		}
	}
	var x struct {
		ToUserName, FromUserName, MsgType, Content string
		CreateTime                                 int64
	}
	if err := xml.Unmarshal(b, &x); err != nil {
		return nil, fmt.Errorf("wechattest: reply is not XML: %w", err)
	}
	if x.ToUserName == "" || x.FromUserName == "" || x.MsgType == "" || x.CreateTime == 0 {
		return nil, fmt.Errorf("wechattest: reply misses required fields: %s", b)
	}
	r := Reply(x)
	return &r, nil
}

// TextXML is an official-account text message push.
func TextXML(to, from, msgID, text string, at time.Time) []byte {
	return []byte(fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName><CreateTime>%d</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content><MsgId>%s</MsgId></xml>",
		to, from, at.Unix(), text, msgID))
}

// TextJSON is a mini-program text message push in JSON.
func TextJSON(to, from, msgID, text string, at time.Time) []byte {
	b, _ := json.Marshal(map[string]any{"ToUserName": to, "FromUserName": from, "CreateTime": at.Unix(),
		"MsgType": "text", "Content": text, "MsgId": json.Number(msgID)})
	return b
}
