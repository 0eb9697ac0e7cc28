package appliance

import (
	"encoding/json"
	"time"
)

// Sender says who wrote a message.
type Sender string

const (
	SenderCustomer Sender = "customer"
	SenderBot      Sender = "bot"
	SenderAgent    Sender = "agent"
	SenderSystem   Sender = "system" // notices such as "正在为您转接人工客服"
)

// MessageKind is the shape of a message's content.
type MessageKind string

const (
	KindText     MessageKind = "text"
	KindImage    MessageKind = "image"
	KindVoice    MessageKind = "voice"
	KindLocation MessageKind = "location"
	KindEvent    MessageKind = "event" // menu clicks, subscribe, ...
	KindNote     MessageKind = "note"  // internal agent note, never shown to the customer
)

// Delivery is the state of an outbound message on its channel.
type Delivery string

const (
	DeliveryNone    Delivery = ""        // inbound messages and notes
	DeliveryPending Delivery = "pending" // stored, not yet handed to the channel
	DeliverySent    Delivery = "sent"
	DeliveryFailed  Delivery = "failed"
)

// Message is one message in a conversation.
type Message struct {
	ID             int64       `json:"id"`
	ConversationID int64       `json:"conversation_id"`
	CustomerID     int64       `json:"customer_id"`
	Channel        string      `json:"channel"`
	Sender         Sender      `json:"sender"`
	SenderID       int64       `json:"sender_id,omitempty"` // the agent's user id
	Kind           MessageKind `json:"kind"`
	Text           string      `json:"text"`
	// Payload holds kind-specific content (image URLs, location, event key,
	// citations) as JSON.
	Payload json.RawMessage `json:"payload,omitempty"`
	// ChannelMsgID is the channel's own id of an inbound message.
	ChannelMsgID string `json:"channel_msg_id,omitempty"`
	// ReplyTo links bot and system replies to the inbound message that caused them,
	// so a retried delivery gets the very same replies back.
	ReplyTo int64 `json:"reply_to,omitempty"`
	// Handled is false for an inbound message accepted but not yet carried
	// through the pipeline (a crash in between is resumed at start-up).
	Handled  bool     `json:"-"`
	Delivery Delivery `json:"delivery,omitempty"`
	// Decision records why the bot did what it did (NLU engine and scores,
	// knowledge passages, policy); stored for QA and compliance.
	Decision *Decision `json:"decision,omitempty"`
	// Seq and ChainHash are the message's place in its conversation's
	// chain and its hash (see ChainReport); empty for messages stored
	// before the chain existed.
	Seq       int64     `json:"seq,omitempty"`
	ChainHash string    `json:"chain_hash,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// CustomerVisible reports whether the customer may see the message.
func (m *Message) CustomerVisible() bool { return m.Kind != KindNote }

// Attachment is a file or media item on an inbound message.
type Attachment struct {
	Type     string `json:"type"` // image, voice, file
	URL      string `json:"url,omitempty"`
	MediaID  string `json:"media_id,omitempty"`
	MimeType string `json:"mime_type,omitempty"`
}
