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
