package appliance

import "time"

// ChannelAccount is one platform account an admin set up in the console: a
// WeChat official account or mini program (Key is the appid), a WeCom corp's
// 微信客服 (the corpid), or an enterprise Douyin account (the client_key).
type ChannelAccount struct {
	ID      int64  `json:"id"`
	Kind    string `json:"kind"` // wechat_oa, wechat_mp, wecom_kf, douyin
	Key     string `json:"key"`
	Name    string `json:"name"`
	Enabled bool   `json:"enabled"`
	// Settings are the non-secret options (mode, API base URL, ...).
	Settings map[string]string `json:"settings"`
	// SecretsSealed holds the credentials (app secret, token,
	// EncodingAESKey, ...) as one JSON object sealed with secret.Box; they
	// are never stored or shown in clear.
	SecretsSealed string    `json:"-"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// ChannelAccountInput is an admin's set-up of an account. An empty secret
// keeps the stored one, so the console never needs to show a secret to
// change the other fields.
type ChannelAccountInput struct {
	ID       int64             `json:"id"`
	Kind     string            `json:"kind"`
	Key      string            `json:"key"`
	Name     string            `json:"name"`
	Enabled  bool              `json:"enabled"`
	Settings map[string]string `json:"settings"`
	Secrets  map[string]string `json:"secrets"`
}

// ChannelAccountView is an account as the console shows it: secrets masked,
// the URL to enter in the platform's console, and whether it runs.
type ChannelAccountView struct {
	ChannelAccount
	// Secrets maps each secret that is set to a mask ("••••Ab12").
	Secrets map[string]string `json:"secrets"`
	URL     string            `json:"url"`
	Running bool              `json:"running"`
	Error   string            `json:"error,omitempty"`
}

// ChannelKind describes one platform's set-up form.
type ChannelKind struct {
	Kind    string         `json:"kind"`
	KeyName string         `json:"key_name"` // appid, corpid, client_key
	Fields  []ChannelField `json:"fields"`
}

// ChannelField is one setting or secret of a platform account.
type ChannelField struct {
	Name     string   `json:"name"`
	Type     string   `json:"type"` // text, secret, select, bool, lines, list
	Required bool     `json:"required,omitempty"`
	Options  []string `json:"options,omitempty"`
	Default  string   `json:"default,omitempty"`
}
