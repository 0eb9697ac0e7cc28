package secret

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSealOpenSign(t *testing.T) {
	dir := t.TempDir()
	b1, err := LoadOrCreate("", dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "secret.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secret.key: %v %v, want mode 0600", fi, err)
	}
	b2, _ := LoadOrCreate("", dir) // a restart reads the same key
	sealed := b1.Seal("app-secret-值")
	if got, err := b2.Open(sealed); err != nil || got != "app-secret-值" {
		t.Fatalf("open after restart: %q, %v", got, err)
	}
	other, _ := New([]byte("another master key 123"))
	if _, err := other.Open(sealed); err == nil {
		t.Errorf("opened with the wrong key")
	}
	if b1.Seal("x") == b1.Seal("x") {
		t.Errorf("two seals of the same value are equal: the nonce is not random")
	}
	tok := b1.Sign("widget", "visitor-1")
	if v, ok := b2.Verify("widget", tok); !ok || v != "visitor-1" {
		t.Errorf("verify: %q %v", v, ok)
	}
	if _, ok := b1.Verify("other-purpose", tok); ok {
		t.Errorf("a token verified for another purpose")
	}
	if _, ok := b1.Verify("widget", tok+"x"); ok {
		t.Errorf("a tampered token verified")
	}
	if _, err := New([]byte("short")); err == nil {
		t.Errorf("accepted a short master key")
	}
}

func TestPurposeKeysAreSeparate(t *testing.T) {
	b, err := New([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	msgs := b.Purpose("messages at rest")
	sealed := msgs.Seal("我的身份证号 11010519491231002X")
	if got, err := msgs.Open(sealed); err != nil || got != "我的身份证号 11010519491231002X" {
		t.Fatalf("round trip: %q, %v", got, err)
	}
	if _, err := b.Open(sealed); err == nil {
		t.Error("the master Box opened what a purpose Box sealed")
	}
	if _, err := b.Purpose("other").Open(sealed); err == nil {
		t.Error("another purpose opened it")
	}
	again, _ := New([]byte("0123456789abcdef0123456789abcdef"))
	if got, err := again.Purpose("messages at rest").Open(sealed); err != nil || got != "我的身份证号 11010519491231002X" {
		t.Errorf("the same master key and purpose after a restart: %q, %v", got, err)
	}
}

func TestPreviousKeys(t *testing.T) {
	old, err := New([]byte("old-master-key-0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	sealed, token := old.Seal("app secret"), old.Sign("widget", "visitor-1")
	atRest := old.Purpose("messages at rest").Seal("我的手机13812345678")

	current, _ := New([]byte("new-master-key-0123456789abcdef"))
	if _, err := current.Open(sealed); err == nil {
		t.Fatal("the new key alone opened what the old one sealed")
	}
	rotated := current.WithPrevious(old)
	if got, err := rotated.Open(sealed); err != nil || got != "app secret" {
		t.Errorf("credential sealed under the previous key: %q, %v", got, err)
	}
	if v, ok := rotated.Verify("widget", token); !ok || v != "visitor-1" {
		t.Errorf("token signed under the previous key: %q, %v", v, ok)
	}
	msgs := rotated.Purpose("messages at rest")
	if got, err := msgs.Open(atRest); err != nil || got != "我的手机13812345678" {
		t.Errorf("message sealed under the previous key: %q, %v", got, err)
	}
	if msgs.Current(atRest) || !msgs.Current(msgs.Seal("x")) {
		t.Error("Current: want false for the previous key's value, true for the current key's")
	}
	if _, ok := current.Verify("widget", token); ok {
		t.Error("the new key alone verified the old token")
	}
}

func TestDigests(t *testing.T) {
	old, _ := New([]byte("old-master-key-0123456789abcdef"))
	current, _ := New([]byte("new-master-key-0123456789abcdef"))
	d := current.Digests("identity", "wechat_oa\x00wx1\x00oAbc")
	if len(d) != 1 || d[0] != current.Digests("identity", "wechat_oa\x00wx1\x00oAbc")[0] {
		t.Fatalf("digests are not deterministic: %v", d)
	}
	if d[0] == current.Digests("identity", "wechat_oa\x00wx1\x00oAbd")[0] || d[0] == current.Digests("other", "wechat_oa\x00wx1\x00oAbc")[0] {
		t.Error("another value or purpose gave the same digest")
	}
	if d[0] == old.Digests("identity", "wechat_oa\x00wx1\x00oAbc")[0] {
		t.Error("another key gave the same digest")
	}
	rotated := current.WithPrevious(old).Purpose("at rest")
	r := rotated.Digests("identity", "13812345678")
	if len(r) != 2 || r[0] != current.Purpose("at rest").Digests("identity", "13812345678")[0] ||
		r[1] != old.Purpose("at rest").Digests("identity", "13812345678")[0] {
		t.Errorf("rotated digests: %v, want the current key's then the previous key's", r)
	}
}
