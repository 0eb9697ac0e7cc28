package accounts

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"kefu/appliance"
	"kefu/connectors/douyin"
	"kefu/connectors/wechat"
	"kefu/connectors/wecom"
)

// Kinds of accounts; each is also the name of the channel its messages
// carry (Douyin comments come as "douyin_comment").
const (
	KindWeChatOA = "wechat_oa"
	KindWeChatMP = "wechat_mp"
	KindWeCom    = "wecom_kf"
	KindDouyin   = "douyin"
)

// ChannelNames are the channels the Manager delivers for.
var ChannelNames = []string{KindWeChatOA, KindWeChatMP, KindWeCom, KindDouyin, KindDouyin + "_comment"}

func textF(n string, req bool) appliance.ChannelField {
	return appliance.ChannelField{Name: n, Type: "text", Required: req}
}

func secretF(n string, req bool) appliance.ChannelField {
	return appliance.ChannelField{Name: n, Type: "secret", Required: req}
}

func linesF(n string) appliance.ChannelField { return appliance.ChannelField{Name: n, Type: "lines"} }

func apiBaseF(def string) appliance.ChannelField {
	return appliance.ChannelField{Name: "api_base", Type: "text", Default: def}
}

var modeF = appliance.ChannelField{Name: "mode", Type: "select", Default: string(wechat.ModeSafe),
	Options: []string{string(wechat.ModeSafe), string(wechat.ModeCompatible), string(wechat.ModePlaintext)}}

// kinds is the set-up form of each platform, in the order the console shows them.
var kinds = []appliance.ChannelKind{
	{Kind: KindWeChatOA, KeyName: "appid", Fields: []appliance.ChannelField{
		modeF, secretF("app_secret", true), secretF("token", true), secretF("encoding_aes_key", false),
		apiBaseF(wechat.DefaultAPIBase), {Name: "resolve_unionid", Type: "bool", Default: "false"}, linesF("menu")}},
	{Kind: KindWeChatMP, KeyName: "appid", Fields: []appliance.ChannelField{
		modeF, secretF("app_secret", true), secretF("token", true), secretF("encoding_aes_key", false),
		apiBaseF(wechat.DefaultAPIBase)}},
	{Kind: KindWeCom, KeyName: "corpid", Fields: []appliance.ChannelField{
		secretF("secret", true), secretF("token", true), secretF("encoding_aes_key", true),
		{Name: "open_kfids", Type: "list"}, apiBaseF(wecom.DefaultAPIBase), linesF("servicers")}},
	{Kind: KindDouyin, KeyName: "client_key", Fields: []appliance.ChannelField{
		textF("account_open_id", true), secretF("client_secret", true), secretF("refresh_token", true), secretF("access_token", false),
		apiBaseF(douyin.DefaultAPIBase),
		{Name: "comment_reply_path", Type: "select", Default: "item/comment/reply/", Options: []string{"item/comment/reply/", "video/comment/reply/"}},
		linesF("links"), textF("private_note", false)}},
}

// Kinds returns the set-up form of each platform.
func Kinds() []appliance.ChannelKind { return slices.Clone(kinds) }

func kindOf(name string) (appliance.ChannelKind, bool) {
	for _, k := range kinds {
		if k.Kind == name {
			return k, true
		}
	}
	return appliance.ChannelKind{}, false
}

// pathOf is where an account's platform pushes arrive.
func pathOf(kind, key string) string {
	switch kind {
	case KindWeChatOA:
		return "/channels/wechat/oa/" + key
	case KindWeChatMP:
		return "/channels/wechat/mp/" + key
	case KindWeCom:
		return "/channels/wecom/" + key
	case KindDouyin:
		return "/channels/douyin/" + key
	}
	return ""
}

var (
	keyPattern   = regexp.MustCompile(`^[A-Za-z0-9_-]{2,64}$`)
	tokenPattern = regexp.MustCompile(`^[A-Za-z0-9]{3,32}$`)
	aesPattern   = regexp.MustCompile(`^[A-Za-z0-9]{43}$`)
)

func invalid(code, format string, args ...any) error {
	return appliance.Errorf(appliance.EINVALID, code, format, args...)
}

// validate checks an account's set-up against its platform's form and the
// allowed API base URLs, filling defaults. secrets are the merged secrets
// (stored ones kept where the input left them empty).
func validate(a *appliance.ChannelAccount, secrets map[string]string, allowed []string) error {
	k, ok := kindOf(a.Kind)
	if !ok {
		return invalid("unknown_channel_kind", "unknown account kind %q (wechat_oa, wechat_mp, wecom_kf, douyin)", a.Kind)
	}
	if !keyPattern.MatchString(a.Key) {
		return invalid("invalid_key", "%s must be 2-64 letters, digits, '_' or '-'", k.KeyName)
	}
	if len([]rune(a.Name)) > 64 {
		return invalid("invalid_name", "the name must be at most 64 characters")
	}
	known := map[string]bool{}
	for _, f := range k.Fields {
		known[f.Name] = true
		if f.Type == "secret" {
			if f.Required && secrets[f.Name] == "" {
				return invalid("missing_secret", "%s is required", f.Name)
			}
			if len(secrets[f.Name]) > 512 {
				return invalid("invalid_secret", "%s is too long", f.Name)
			}
			continue
		}
		v := strings.TrimSpace(a.Settings[f.Name])
		if v == "" {
			v = f.Default
		}
		if f.Required && v == "" {
			return invalid("missing_setting", "%s is required", f.Name)
		}
		if len(v) > 4096 {
			return invalid("invalid_setting", "%s is too long", f.Name)
		}
		switch f.Type {
		case "select":
			if v != "" && !slices.Contains(f.Options, v) {
				return invalid("invalid_setting", "%s must be one of %s", f.Name, strings.Join(f.Options, ", "))
			}
		case "bool":
			if v != "true" && v != "false" {
				return invalid("invalid_setting", "%s must be true or false", f.Name)
			}
		case "lines":
			if _, err := parseLines(v); err != nil {
				return invalid("invalid_setting", "%s: %v", f.Name, err)
			}
		}
		if v == "" {
			delete(a.Settings, f.Name)
		} else {
			a.Settings[f.Name] = v
		}
	}
	for name := range a.Settings {
		if !known[name] {
			return invalid("unknown_setting", "%s is not a setting of a %s account", name, a.Kind)
		}
	}
	for name := range secrets {
		if !known[name] {
			return invalid("unknown_secret", "%s is not a secret of a %s account", name, a.Kind)
		}
	}
	if base := a.Settings["api_base"]; !allowedBase(base, allowed) {
		return invalid("api_base_not_allowed", "API base %s is not among the configured channels.accounts.api_bases %v", base, allowed)
	}
	if a.Kind == KindWeChatOA || a.Kind == KindWeChatMP || a.Kind == KindWeCom {
		if !tokenPattern.MatchString(secrets["token"]) {
			return invalid("invalid_secret", "token must be 3-32 letters or digits")
		}
		aes := secrets["encoding_aes_key"]
		if aes == "" && a.Settings["mode"] != string(wechat.ModePlaintext) && a.Kind != KindWeCom {
			return invalid("missing_secret", "encoding_aes_key is required unless the mode is plaintext")
		}
		if aes != "" && !aesPattern.MatchString(aes) {
			return invalid("invalid_secret", "encoding_aes_key must be the 43 letters and digits the platform shows")
		}
	}
	return nil
}

// allowedBase reports whether an API base URL is one the configuration
// allows; a trailing slash does not matter.
func allowedBase(base string, allowed []string) bool {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return false
	}
	norm := func(s string) string { return strings.TrimRight(strings.TrimSpace(s), "/") }
	return slices.ContainsFunc(allowed, func(a string) bool { return strings.EqualFold(norm(a), norm(base)) })
}

// parseLines reads "key=value" lines (menu keys to questions, agents to
// WeCom userids, videos to product links).
func parseLines(s string) (map[string]string, error) {
	out := map[string]string{}
	for i, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("line %d: want key=value", i+1)
		}
		out[k] = v
	}
	return out, nil
}

// mask shows that a secret is set, and its last characters when it is long
// enough that they give nothing away.
func mask(s string) string {
	if len(s) >= 16 {
		return "••••" + s[len(s)-4:]
	}
	return "••••"
}
