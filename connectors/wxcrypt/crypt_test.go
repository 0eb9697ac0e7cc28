package wxcrypt

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

type vector struct {
	EncodingAESKey string `json:"encoding_aes_key"`
	Token          string `json:"token"`
	AppID          string `json:"appid"`
	CorpID         string `json:"corpid"`
	Timestamp      string `json:"timestamp"`
	Nonce          string `json:"nonce"`
	Signature      string `json:"signature"`
	MsgSignature   string `json:"msg_signature"`
	Encrypt        string `json:"encrypt"`
	Plaintext      string `json:"plaintext"`
	Random         string `json:"random"`
}

func vectors(t testing.TB) map[string]vector {
	t.Helper()
	b, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]json.RawMessage
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	out := map[string]vector{}
	for k, raw := range v {
		if k[0] == '_' {
			continue
		}
		var vec vector
		if err := json.Unmarshal(raw, &vec); err != nil {
			t.Fatal(err)
		}
		out[k] = vec
	}
	return out
}

// The vectors come from Tencent's published samples; see testdata/vectors.json.
func TestPublishedVectorsDecrypt(t *testing.T) {
	for name, v := range vectors(t) {
		if v.Token == "" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			receiver := v.AppID + v.CorpID
			if got := Signature(v.Token, v.Timestamp, v.Nonce, v.Encrypt); got != v.MsgSignature {
				t.Fatalf("msg_signature: got %s, want %s", got, v.MsgSignature)
			}
			if err := VerifySignature(v.MsgSignature, v.Token, v.Timestamp, v.Nonce, v.Encrypt); err != nil {
				t.Fatalf("VerifySignature: %v", err)
			}
			if v.Signature != "" {
				if got := Signature(v.Token, v.Timestamp, v.Nonce); got != v.Signature {
					t.Fatalf("signature: got %s, want %s", got, v.Signature)
				}
			}
			c, err := NewCipher(v.EncodingAESKey, receiver)
			if err != nil {
				t.Fatal(err)
			}
			msg, err := c.Decrypt(v.Encrypt)
			if err != nil {
				t.Fatalf("Decrypt: %v", err)
			}
			if string(msg) != v.Plaintext {
				t.Fatalf("got %q, want %q", msg, v.Plaintext)
			}
		})
	}
}

func TestPublishedVectorEncrypt(t *testing.T) {
	v := vectors(t)["wechat_oa_encrypt"]
	c, err := NewCipher(v.EncodingAESKey, v.AppID)
	if err != nil {
		t.Fatal(err)
	}
	var random [16]byte
	copy(random[:], v.Random)
	if got := c.EncryptWithRandom(random, []byte(v.Plaintext)); got != v.Encrypt {
		t.Fatalf("got %s, want %s", got, v.Encrypt)
	}
}

func TestRoundTrip(t *testing.T) {
	c, err := NewCipher("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wx2c2769f8efd9abc2")
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range []string{"", "a", strings.Repeat("x", 11), strings.Repeat("长", 100), "<xml><Content><![CDATA[有没有儿童雨靴]]></Content></xml>"} {
		enc, err := c.Encrypt([]byte(msg))
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Decrypt(enc)
		if err != nil {
			t.Fatalf("%q: %v", msg, err)
		}
		if string(got) != msg {
			t.Fatalf("got %q, want %q", got, msg)
		}
	}
}

func TestSealOpens(t *testing.T) {
	c, _ := NewCipher("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wxapp")
	body, err := Seal(c, "tok", 1700000000, "n1", []byte("<xml>hi</xml>"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseSealed(body)
	if err != nil {
		t.Fatalf("ParseSealed(%s): %v", body, err)
	}
	if err := VerifySignature(s.MsgSignature, "tok", s.TimeStamp, s.Nonce, s.Encrypt); err != nil {
		t.Fatalf("reply signature: %v", err)
	}
	if s.TimeStamp != "1700000000" || s.Nonce != "n1" {
		t.Fatalf("got timestamp %s nonce %s, want 1700000000 n1", s.TimeStamp, s.Nonce)
	}
	got, err := c.Decrypt(s.Encrypt)
	if err != nil || string(got) != "<xml>hi</xml>" {
		t.Fatalf("got %q, %v, want <xml>hi</xml>", got, err)
	}
}

func TestDecryptRejects(t *testing.T) {
	v := vectors(t)["wechat_oa"]
	c, _ := NewCipher(v.EncodingAESKey, v.AppID)
	other, _ := NewCipher(v.EncodingAESKey, "wxsomeoneelse")
	if _, err := other.Decrypt(v.Encrypt); !errors.Is(err, ErrReceiverID) {
		t.Fatalf("other appid: got %v, want ErrReceiverID", err)
	}
	tampered := []byte(v.Encrypt)
	tampered[10] ^= 1
	// AES-CBC carries no MAC: integrity comes from msg_signature, which
	// covers the ciphertext.
	if err := VerifySignature(v.MsgSignature, v.Token, v.Timestamp, v.Nonce, string(tampered)); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("tampered ciphertext: got %v, want ErrBadSignature", err)
	}
	for _, bad := range []string{"", "!!!", "YWJj", strings.Repeat("A", 24)} {
		if _, err := c.Decrypt(bad); err == nil {
			t.Fatalf("%q: decrypted without error", bad)
		}
	}
	if _, err := NewCipher("short", "x"); !errors.Is(err, ErrBadKey) {
		t.Fatalf("short key: got %v, want ErrBadKey", err)
	}
	if err := VerifySignature("0000", v.Token, v.Timestamp, v.Nonce, v.Encrypt); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("bad signature: got %v, want ErrBadSignature", err)
	}
}

func TestParseEnvelope(t *testing.T) {
	for _, tc := range []struct {
		body    string
		to, enc string
		ok      bool
	}{
		{`<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Encrypt><![CDATA[abc]]></Encrypt></xml>`, "gh_1", "abc", true},
		{`{"ToUserName":"gh_1","Encrypt":"abc"}`, "gh_1", "abc", true},
		{`<xml><ToUserName>gh_1</ToUserName></xml>`, "", "", false},
		{`<xml><Encrypt>abc`, "", "", false},
		{`{"Encrypt":`, "", "", false},
		{``, "", "", false},
	} {
		env, err := ParseEnvelope([]byte(tc.body))
		if (err == nil) != tc.ok {
			t.Fatalf("%q: got err %v, want ok=%v", tc.body, err, tc.ok)
		}
		if tc.ok && (env.ToUserName != tc.to || env.Encrypt != tc.enc) {
			t.Fatalf("%q: got %+v, want to=%s encrypt=%s", tc.body, env, tc.to, tc.enc)
		}
	}
}

func FuzzDecrypt(f *testing.F) {
	v := vectors(f)["wechat_oa"]
	f.Add(v.Encrypt)
	f.Add("")
	f.Add("AAAAAAAAAAAAAAAAAAAAAA==")
	c, _ := NewCipher(v.EncodingAESKey, v.AppID)
	f.Fuzz(func(t *testing.T, s string) {
		msg, err := c.Decrypt(s)
		if err != nil {
			return
		}
		// Whatever decrypts must re-encrypt to something that decrypts back.
		enc, err := c.Encrypt(msg)
		if err != nil {
			t.Fatal(err)
		}
		back, err := c.Decrypt(enc)
		if err != nil || !bytes.Equal(back, msg) {
			t.Fatalf("round trip of %q failed: %q %v", msg, back, err)
		}
	})
}

func FuzzParseEnvelope(f *testing.F) {
	f.Add([]byte(`<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Encrypt><![CDATA[abc]]></Encrypt></xml>`))
	f.Add([]byte(`{"ToUserName":"gh_1","Encrypt":"abc"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		env, err := ParseEnvelope(b)
		if err == nil && env.Encrypt == "" {
			t.Fatal("accepted an envelope without Encrypt")
		}
	})
}
