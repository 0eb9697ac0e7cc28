package wechat

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"kefu/appliance"
)

// Push is a decrypted message or event WeChat pushes to the server URL, in
// the field names WeChat uses. Official accounts send XML; mini programs XML
// or JSON.
type Push struct {
	ToUserName   string   `xml:"ToUserName" json:"ToUserName"`
	FromUserName string   `xml:"FromUserName" json:"FromUserName"`
	CreateTime   int64    `xml:"CreateTime" json:"CreateTime"`
	MsgType      string   `xml:"MsgType" json:"MsgType"`
	MsgID        flexID   `xml:"MsgId" json:"MsgId"`
	Content      string   `xml:"Content" json:"Content"`
	PicURL       string   `xml:"PicUrl" json:"PicUrl"`
	MediaID      string   `xml:"MediaId" json:"MediaId"`
	Format       string   `xml:"Format" json:"Format"`
	Recognition  string   `xml:"Recognition" json:"Recognition"`
	LocationX    flexNum  `xml:"Location_X" json:"Location_X"`
	LocationY    flexNum  `xml:"Location_Y" json:"Location_Y"`
	Scale        flexNum  `xml:"Scale" json:"Scale"`
	Label        string   `xml:"Label" json:"Label"`
	Title        string   `xml:"Title" json:"Title"`
	URL          string   `xml:"Url" json:"Url"`
	Event        string   `xml:"Event" json:"Event"`
	EventKey     string   `xml:"EventKey" json:"EventKey"`
	SessionFrom  string   `xml:"SessionFrom" json:"SessionFrom"`
	AppID        string   `xml:"AppId" json:"AppId"`
	PagePath     string   `xml:"PagePath" json:"PagePath"`
	Encrypt      string   `xml:"Encrypt" json:"Encrypt"`
	XMLName      xml.Name `xml:"xml" json:"-"`
}

// flexID accepts WeChat's MsgId as an XML/JSON number or string.
type flexID string

func (f *flexID) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" {
		s = ""
	}
	*f = flexID(s)
	return nil
}

// flexNum keeps a numeric field as its text, JSON number or string alike.
type flexNum string

func (f *flexNum) UnmarshalJSON(b []byte) error { return (*flexID)(f).UnmarshalJSON(b) }

// ErrMalformedPush is returned for a body that is not a WeChat push.
var ErrMalformedPush = errors.New("wechat: malformed push")

// ParsePush reads a plaintext push, XML or JSON.
func ParsePush(body []byte) (*Push, error) {
	var p Push
	b := bytes.TrimSpace(body)
	var err error
	if len(b) > 0 && b[0] == '{' {
		err = json.Unmarshal(b, &p)
	} else {
		err = xml.Unmarshal(b, &p)
	}
	if err != nil {
		return nil, ErrMalformedPush
	}
	return &p, nil
}

// Validate checks the fields every plaintext push carries.
func (p *Push) Validate() error {
	if p.FromUserName == "" || p.ToUserName == "" || p.MsgType == "" || p.CreateTime <= 0 {
		return ErrMalformedPush
	}
	if !utf8.ValidString(p.Content) || len(p.FromUserName) > 128 {
		return ErrMalformedPush
	}
	return nil
}

// MessageID is the id an inbound is deduplicated by: MsgId for messages and,
// as WeChat recommends for events (which have none), the sender and
// CreateTime, here with the event name and key so two events in one second
// stay apart. The sender is part of the Identity already.
func (p *Push) MessageID() string {
	if p.MsgID != "" {
		return string(p.MsgID)
	}
	id := "evt-" + strconv.FormatInt(p.CreateTime, 10) + "-" + strings.ToLower(p.Event)
	if p.EventKey != "" {
		h := sha1.Sum([]byte(p.EventKey))
		id += "-" + hex.EncodeToString(h[:6])
	}
	return id
}

// inbound converts a push into an Inbound. ok is false for pushes the
// appliance has nothing to do with (unsubscribe, menu links, periodic
// location reports, template delivery reports, ...).
func (a *account) inbound(p *Push) (in appliance.Inbound, ok bool) {
	in = appliance.Inbound{
		Channel:   a.cfg.Name,
		MessageID: p.MessageID(),
		Identity:  appliance.Identity{Kind: appliance.IdentityWeChatOpenID, Namespace: a.cfg.AppID, Value: p.FromUserName},
		Kind:      appliance.KindText,
	}
	switch strings.ToLower(p.MsgType) {
	case "text":
		in.Text = p.Content
	case "image":
		in.Kind = appliance.KindImage
		in.Attachments = []appliance.Attachment{{Type: "image", URL: p.PicURL, MediaID: p.MediaID}}
	case "voice":
		// With 语音识别 enabled WeChat sends the transcript in Recognition.
		in.Kind, in.Text = appliance.KindVoice, p.Recognition
		in.Attachments = []appliance.Attachment{{Type: "voice", MediaID: p.MediaID, MimeType: voiceMime(p.Format)}}
	case "location":
		in.Kind, in.Text = appliance.KindLocation, p.Label
		in.Context = map[string]string{"latitude": string(p.LocationX), "longitude": string(p.LocationY), "scale": string(p.Scale), "label": p.Label}
	case "link":
		in.Text = strings.TrimSpace(p.Title + " " + p.URL)
	case "miniprogrampage":
		in.Text = p.Title
		in.Context = map[string]string{"page_path": p.PagePath, "mini_program_appid": p.AppID}
	case "video", "shortvideo", "file":
		// Not understood yet: handed over without text, so the appliance
		// answers that only text is supported rather than staying silent.
		in.Kind = appliance.KindEvent
		in.Attachments = []appliance.Attachment{{Type: "video", MediaID: p.MediaID}}
		in.Context = map[string]string{"msg_type": strings.ToLower(p.MsgType)}
	case "event":
		return a.event(p, in)
	default:
		return in, false
	}
	return in, true
}

func (a *account) event(p *Push, in appliance.Inbound) (appliance.Inbound, bool) {
	ev := strings.ToLower(p.Event)
	in.Kind = appliance.KindEvent
	in.Context = map[string]string{"event": ev}
	switch ev {
	case "subscribe", "scan":
		if p.EventKey != "" {
			// qrscene_xxx (subscribe via a parametric QR code) or the scene id.
			in.Context["event_key"] = strings.TrimPrefix(p.EventKey, "qrscene_")
		}
	case "click":
		in.Context["event_key"] = p.EventKey
		in.Text = a.cfg.MenuText[p.EventKey]
	case "user_enter_tempsession":
		in.Context["session_from"] = p.SessionFrom
		for k, v := range SessionContext(p.SessionFrom) {
			in.Context[k] = v
		}
	default:
		return in, false
	}
	return in, true
}

// SessionContext reads the facts a mini program passes in its session-from
// parameter (<button open-type="contact" session-from="...">). The format is
// the enterprise's own; "key:value" or "key=value" pairs separated by ';',
// '&' or ',' are understood, and an order number under "order" or
// "order_no" becomes Context["order_no"].
func SessionContext(sessionFrom string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.FieldsFunc(sessionFrom, func(r rune) bool { return r == ';' || r == '&' || r == ',' }) {
		k, v, ok := strings.Cut(part, ":")
		if !ok {
			k, v, ok = strings.Cut(part, "=")
		}
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		if !ok || k == "" || v == "" || len(v) > 128 {
			continue
		}
		switch k {
		case "order", "order_no", "orderno":
			out["order_no"] = v
		default:
			if len(out) < 8 && isKey(k) {
				out["session_"+k] = v
			}
		}
	}
	return out
}

func isKey(s string) bool {
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return len(s) <= 32
}

func voiceMime(format string) string {
	switch strings.ToLower(format) {
	case "amr":
		return "audio/amr"
	case "speex":
		return "audio/speex"
	case "":
		return ""
	}
	return "audio/" + strings.ToLower(format)
}
