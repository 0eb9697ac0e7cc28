package wechat

import (
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"kefu/connectors/channeltest"
	"kefu/connectors/wechattest"
)

var update = flag.Bool("update", false, "rewrite golden files")

const (
	testAppID  = "wx2c2769f8efd9abc2"
	testSecret = "app-secret-0001"
	testToken  = "spamtest"
	testAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
)

// fixedNow is the clock of golden tests: CreateTime of replies is stable.
var fixedNow = time.Unix(1764000100, 0)

type env struct {
	api    *wechattest.Server
	rec    *channeltest.Receiver
	pusher *wechattest.Pusher
	oa     *OfficialAccount
	mp     *MiniProgram
}

func newEnv(t testing.TB, mode Mode, mutate func(*Config)) *env {
	t.Helper()
	api := wechattest.NewServer()
	t.Cleanup(api.Close)
	api.AddApp(testAppID, testSecret)
	rec := channeltest.NewReceiver()
	cfg := Config{AppID: testAppID, AppSecret: testSecret, Token: testToken, Mode: mode, APIBase: api.URL,
		Receiver: rec, Recorder: rec, ReplyWindow: 500 * time.Millisecond}
	key := ""
	if mode != ModePlaintext {
		cfg.EncodingAESKey, key = testAESKey, testAESKey
	}
	if mutate != nil {
		mutate(&cfg)
	}
	oa, err := NewOfficialAccount(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mp, err := NewMiniProgram(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p, err := wechattest.NewPusher(testToken, key, testAppID)
	if err != nil {
		t.Fatal(err)
	}
	p.Compatible = mode == ModeCompatible
	return &env{api: api, rec: rec, pusher: p, oa: oa, mp: mp}
}

func serve(h http.Handler, r *http.Request) (int, []byte) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	b, _ := io.ReadAll(w.Result().Body)
	return w.Code, b
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != string(got) {
		t.Fatalf("%s:\ngot  %s\nwant %s", path, got, want)
	}
}
