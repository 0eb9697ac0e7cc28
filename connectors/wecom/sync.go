package wecom

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"

	"kefu/appliance"
)

// Msg is one message or event in a kf/sync_msg page.
type Msg struct {
	MsgID          string `json:"msgid"`
	OpenKfID       string `json:"open_kfid"`
	ExternalUserID string `json:"external_userid"`
	SendTime       int64  `json:"send_time"`
	// Origin: 3 the customer, 4 a system event, 5 a servicer (接待人员).
	Origin         int    `json:"origin"`
	ServicerUserID string `json:"servicer_userid,omitempty"`
	MsgType        string `json:"msgtype"`
	Text           *struct {
		Content string `json:"content"`
		MenuID  string `json:"menu_id,omitempty"`
	} `json:"text,omitempty"`
	Image *struct {
		MediaID string `json:"media_id"`
	} `json:"image,omitempty"`
	Voice *struct {
		MediaID string `json:"media_id"`
	} `json:"voice,omitempty"`
	Location *struct {
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
		Name      string  `json:"name"`
		Address   string  `json:"address"`
	} `json:"location,omitempty"`
	Link *struct {
		Title string `json:"title"`
		URL   string `json:"url"`
	} `json:"link,omitempty"`
	Event *struct {
		EventType      string `json:"event_type"`
		OpenKfID       string `json:"open_kfid"`
		ExternalUserID string `json:"external_userid"`
		Scene          string `json:"scene,omitempty"`
		SceneParam     string `json:"scene_param,omitempty"`
		WelcomeCode    string `json:"welcome_code,omitempty"`
	} `json:"event,omitempty"`
}

type syncResult struct {
	NextCursor string `json:"next_cursor"`
	HasMore    int    `json:"has_more"`
	MsgList    []Msg  `json:"msg_list"`
}

// Sync pulls the new messages of one 客服 account, page by page, hands each
// customer message to the Receiver, and saves the cursor after each page
// whose messages were all accepted. A failure leaves the cursor where it was:
// the page is read again later, and the Receiver (idempotent on the message
// id) drops what it already has. So nothing is lost, nothing taken twice.
func (a *Adapter) Sync(ctx context.Context, openKfID, token string) error {
	cursor, err := a.cfg.Cursors.Cursor(ctx, openKfID)
	if err != nil {
		return fmt.Errorf("wecom: reading the cursor of %s: %w", openKfID, err)
	}
	for {
		in := map[string]any{"cursor": cursor, "limit": 1000, "open_kfid": openKfID}
		if token != "" {
			in["token"] = token
		}
		var page syncResult
		if err := a.api.post(ctx, "cgi-bin/kf/sync_msg", in, &page); err != nil {
			return err
		}
		for _, m := range page.MsgList {
			if err := a.accept(ctx, m); err != nil {
				return err
			}
		}
		if page.NextCursor != "" && page.NextCursor != cursor {
			if err := a.cfg.Cursors.SaveCursor(ctx, openKfID, page.NextCursor); err != nil {
				return fmt.Errorf("wecom: saving the cursor of %s: %w", openKfID, err)
			}
			cursor = page.NextCursor
		}
		// has_more may be 1 with an empty list: only has_more ends the loop.
		if page.HasMore != 1 {
			return nil
		}
	}
}

// accept hands one synced message to the Receiver. Messages the appliance
// refuses as invalid are skipped (logged), or one bad message would block
// the account forever; other failures stop the sync.
func (a *Adapter) accept(ctx context.Context, m Msg) error {
	in, ok := a.inbound(m)
	if !ok {
		return nil
	}
	out, err := a.cfg.Receiver.Receive(ctx, in)
	switch {
	case err == nil:
	case appliance.ErrorKind(err) == appliance.EINVALID || appliance.ErrorKind(err) == appliance.ETOOLARGE:
		a.log.Warn("message refused by the appliance", slog.String("msgid", m.MsgID), slog.String("code", appliance.ErrorCode(err)))
		return nil
	default:
		return fmt.Errorf("wecom: message %s: %w", m.MsgID, err)
	}
	if code := in.Context["welcome_code"]; code != "" && in.SyncReply {
		a.welcome(ctx, code, out)
	}
	return nil
}

// inbound converts a synced message; ok is false for what the appliance has
// nothing to do with (servicer messages, most system events).
func (a *Adapter) inbound(m Msg) (appliance.Inbound, bool) {
	in := appliance.Inbound{Channel: a.cfg.Name, MessageID: m.MsgID, Kind: appliance.KindText}
	user, kf := m.ExternalUserID, m.OpenKfID
	switch {
	case m.MsgType == "event" && m.Event != nil && m.Event.EventType == "enter_session":
		user, kf = m.Event.ExternalUserID, m.Event.OpenKfID
		in.Kind = appliance.KindEvent
		in.Context = map[string]string{"event": "enter_session", "scene": m.Event.Scene, "scene_param": m.Event.SceneParam}
		if m.Event.WelcomeCode != "" {
			// The welcome must go out with send_msg_on_event within 20 s; the
			// adapter sends the answer itself.
			in.Context["welcome_code"] = m.Event.WelcomeCode
			in.SyncReply = true
		}
	case m.Origin != 3:
		return in, false
	case m.MsgType == "text" && m.Text != nil:
		in.Text = m.Text.Content
	case m.MsgType == "image" && m.Image != nil:
		in.Kind = appliance.KindImage
		in.Attachments = []appliance.Attachment{{Type: "image", MediaID: m.Image.MediaID}}
	case m.MsgType == "voice" && m.Voice != nil:
		in.Kind = appliance.KindVoice
		in.Attachments = []appliance.Attachment{{Type: "voice", MediaID: m.Voice.MediaID, MimeType: "audio/amr"}}
	case m.MsgType == "location" && m.Location != nil:
		in.Kind, in.Text = appliance.KindLocation, m.Location.Name
		in.Context = map[string]string{"latitude": strconv.FormatFloat(m.Location.Latitude, 'f', -1, 64),
			"longitude": strconv.FormatFloat(m.Location.Longitude, 'f', -1, 64), "label": m.Location.Name, "address": m.Location.Address}
	case m.MsgType == "link" && m.Link != nil:
		in.Text = m.Link.Title + " " + m.Link.URL
	default:
		// Video, files, cards, ...: handed over without text so the
		// appliance says it only reads text.
		in.Kind = appliance.KindEvent
		in.Context = map[string]string{"msg_type": m.MsgType}
	}
	if user == "" || kf == "" {
		return in, false
	}
	if in.MessageID == "" {
		in.MessageID = "evt-" + strconv.FormatInt(m.SendTime, 10) + "-" + in.Context["event"]
	}
	in.Identity = appliance.Identity{Kind: appliance.IdentityWeComExternal, Namespace: kf, Value: user}
	// external_userid is the same person for every 客服 account of the corp:
	// WeCom vouches for it, so the appliance may join them.
	in.Also = []appliance.Identity{{Kind: appliance.IdentityWeComExternal, Namespace: a.cfg.CorpID, Value: user, Verified: true}}
	return in, true
}

// welcome sends the first reply to an enter_session event with its
// welcome_code and records the delivery of each reply.
func (a *Adapter) welcome(ctx context.Context, code string, out *appliance.Outcome) {
	for i, r := range out.Replies {
		if r.Kind == appliance.KindNote || r.Text == "" || (out.Duplicate && r.Delivery != appliance.DeliveryPending) {
			continue
		}
		var err error
		if i == 0 {
			in := map[string]any{"code": code, "msgtype": "text", "text": map[string]string{"content": r.Text}}
			if id := msgID(r); id != "" {
				in["msgid"] = id
			}
			err = a.api.post(ctx, "cgi-bin/kf/send_msg_on_event", in, nil)
		} else {
			err = fmt.Errorf("wecom: only one welcome message can be sent")
		}
		a.record(ctx, r, err)
	}
}

func (a *Adapter) record(ctx context.Context, m *appliance.Message, err error) {
	d := appliance.DeliverySent
	if err != nil {
		d = appliance.DeliveryFailed
		a.log.Error("reply not delivered", slog.Int64("message_id", m.ID), slog.Any("error", err))
	}
	if a.cfg.Recorder != nil && m.ID != 0 {
		if rerr := a.cfg.Recorder.SetDelivery(context.WithoutCancel(ctx), m.ID, d); rerr != nil {
			a.log.Error("delivery not recorded", slog.Any("error", rerr))
		}
	}
}

// msgID is the idempotency id a reply is sent with (≤32 bytes of
// [0-9a-zA-Z_-]), so a resend after a lost answer is not shown twice.
func msgID(m *appliance.Message) string {
	if m.ID == 0 {
		return ""
	}
	return "kefu-" + strconv.FormatInt(m.ID, 10)
}

// Deliver sends a text with kf/send_msg to the customer of a 客服 account.
func (a *Adapter) Deliver(ctx context.Context, to *appliance.Identity, m *appliance.Message) error {
	if to == nil || to.Kind != appliance.IdentityWeComExternal || to.Namespace == a.cfg.CorpID || to.Namespace == "" {
		return appliance.Errorf(appliance.EINVALID, "wrong_identity", "%s delivers to external_userids of a 客服 account", a.cfg.Name)
	}
	if m.Kind == appliance.KindNote || m.Text == "" {
		return appliance.Errorf(appliance.EINVALID, "not_deliverable", "only customer-visible text can be sent")
	}
	in := map[string]any{"touser": to.Value, "open_kfid": to.Namespace, "msgtype": "text", "text": map[string]string{"content": m.Text}}
	if id := msgID(m); id != "" {
		in["msgid"] = id
	}
	return a.api.post(ctx, "cgi-bin/kf/send_msg", in, nil)
}

// Poll syncs every configured account once; the appliance may call it on a
// schedule so a lost callback only delays messages.
func (a *Adapter) Poll(ctx context.Context) error {
	var first error
	for _, kf := range a.cfg.OpenKfIDs {
		if err := a.Sync(ctx, kf, ""); err != nil && first == nil {
			first = err
		}
	}
	return first
}
