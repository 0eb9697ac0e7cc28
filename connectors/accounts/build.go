package accounts

import (
	"net/http"
	"strings"

	"kefu/appliance"
	"kefu/connectors"
	"kefu/connectors/douyin"
	"kefu/connectors/wechat"
	"kefu/connectors/wecom"
)

// The adapters the Manager routes to by namespace.
var (
	_ connectors.NamespacedChannel = (*wechat.OfficialAccount)(nil)
	_ connectors.NamespacedChannel = (*wechat.MiniProgram)(nil)
	_ connectors.NamespacedChannel = (*douyin.Adapter)(nil)
	_ connectors.NamespacedChannel = (*douyin.CommentChannel)(nil)
)

// running is the adapter built from one account.
type running struct {
	account *appliance.ChannelAccount
	path    string
	handler http.Handler
	// chans are the push channels it serves, by channel name.
	chans map[string]connectors.NamespacedChannel
	wecom *wecom.Adapter
	// openKfIDs are the WeCom 客服 accounts it polls and delivers for.
	openKfIDs []string
	// servicers maps console usernames to WeCom userids.
	servicers map[string]string
	wait      func() // waits for the adapter's background work
}

// build makes the adapter of an account from its settings and secrets.
func (m *Manager) build(a *appliance.ChannelAccount, secrets map[string]string) (*running, error) {
	s := a.Settings
	base := s["api_base"]
	log := m.log.With("account", a.Kind+"/"+a.Key)
	r := &running{account: a, path: pathOf(a.Kind, a.Key), chans: map[string]connectors.NamespacedChannel{}}
	switch a.Kind {
	case KindWeChatOA, KindWeChatMP:
		cfg := wechat.Config{AppID: a.Key, AppSecret: secrets["app_secret"], Token: secrets["token"],
			EncodingAESKey: secrets["encoding_aes_key"], Mode: wechat.Mode(s["mode"]), APIBase: base,
			ReplyWindow: m.cfg.ReplyWindow, Receiver: m.cfg.Receiver, Recorder: m.cfg.Store, Logger: log, Now: m.cfg.Now}
		if a.Kind == KindWeChatOA {
			cfg.ResolveUnionID = s["resolve_unionid"] == "true"
			cfg.MenuText, _ = parseLines(s["menu"])
			oa, err := wechat.NewOfficialAccount(cfg)
			if err != nil {
				return nil, err
			}
			r.handler, r.chans[KindWeChatOA], r.wait = oa, oa, oa.Wait
		} else {
			mp, err := wechat.NewMiniProgram(cfg)
			if err != nil {
				return nil, err
			}
			r.handler, r.chans[KindWeChatMP], r.wait = mp, mp, mp.Wait
		}
	case KindWeCom:
		for _, id := range strings.Split(s["open_kfids"], ",") {
			if id = strings.TrimSpace(id); id != "" {
				r.openKfIDs = append(r.openKfIDs, id)
			}
		}
		r.servicers, _ = parseLines(s["servicers"])
		ad, err := wecom.New(wecom.Config{CorpID: a.Key, Secret: secrets["secret"], Token: secrets["token"],
			EncodingAESKey: secrets["encoding_aes_key"], OpenKfIDs: r.openKfIDs, APIBase: base,
			Cursors: &cursors{m: m, key: a.Key}, Receiver: m.cfg.Receiver, Recorder: m.cfg.Store, Logger: log, Now: m.cfg.Now})
		if err != nil {
			return nil, err
		}
		r.handler, r.wecom, r.wait = ad, ad, func() { ad.Close() }
	case KindDouyin:
		hc, err := connectors.NewHTTPClient(0, base)
		if err != nil {
			return nil, err
		}
		links, _ := parseLines(s["links"])
		tokens := douyin.NewRefresher(base, a.Key, hc, &tokenStore{m: m, key: a.Key, initial: douyin.Token{
			AccessToken: secrets["access_token"], RefreshToken: secrets["refresh_token"]}}, m.cfg.Now)
		ad, err := douyin.New(douyin.Config{ClientKey: a.Key, ClientSecret: secrets["client_secret"], AccountOpenID: s["account_open_id"],
			APIBase: base, HTTPClient: hc, Tokens: tokens, CommentReplyPath: s["comment_reply_path"],
			Policy:   douyin.Policy{Links: links, PrivateNote: s["private_note"]},
			Receiver: m.cfg.Receiver, Recorder: m.cfg.Store, ReplyWindow: m.cfg.ReplyWindow, Logger: log, Now: m.cfg.Now})
		if err != nil {
			return nil, err
		}
		comments := ad.Comments()
		r.handler, r.chans[KindDouyin], r.chans[comments.Name()], r.wait = ad, ad, comments, ad.Wait
	default:
		return nil, invalid("unknown_channel_kind", "unknown account kind %q", a.Kind)
	}
	return r, nil
}
