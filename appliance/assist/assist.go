package assist

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ollama/ollama/api"

	"kefu/appliance"
	"kefu/appliance/pii"
)

// Config configures an Assistant.
type Config struct {
	Client  *api.Client // required
	Model   string      // required: the chat model
	Timeout time.Duration
	// MaxTranscript bounds how many recent messages the model reads.
	MaxTranscript int
}

// Assistant asks the model. It is safe for concurrent use.
type Assistant struct {
	cfg Config
}

// New returns an Assistant.
func New(cfg Config) (*Assistant, error) {
	if cfg.Client == nil {
		return nil, errors.New("assist: Config.Client is required")
	}
	if cfg.Model == "" {
		return nil, errors.New("assist: Config.Model is required")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 20 * time.Second
	}
	if cfg.MaxTranscript <= 0 {
		cfg.MaxTranscript = 30
	}
	return &Assistant{cfg: cfg}, nil
}

const summarySystem = `你是客服主管的助手。请根据下面的对话记录和已识别的信息，用简体中文为接手的人工客服写一段交接摘要（不超过 120 字）：客户要办什么事、已经提供了哪些信息、情绪如何、建议客服下一步做什么。只依据给出的内容，不要编造订单号、金额或承诺。直接输出摘要正文，不要标题。`

const draftSystem = `你是资深客服的写作助手。请根据对话记录、客户的业务记录和知识库资料，用简体中文起草客服接下来要发给客户的一条回复（不超过 150 字），语气亲切、专业。只使用给出的事实；资料不足时请礼貌地向客户确认所需信息，不要编造政策、金额或承诺。可以结合客户之前的购买记录给出贴切的建议。直接输出回复正文。`

// Summarize implements appliance.Assistant.
func (a *Assistant) Summarize(ctx context.Context, in appliance.AssistInput) (string, error) {
	return a.ask(ctx, summarySystem, a.context(in, false), 200)
}

// Draft implements appliance.Assistant.
func (a *Assistant) Draft(ctx context.Context, in appliance.AssistInput) (string, error) {
	return a.ask(ctx, draftSystem, a.context(in, true), 260)
}

// context renders what the model may rely on. Personal numbers are masked:
// an agent does not need the model to repeat an ID card number.
func (a *Assistant) context(in appliance.AssistInput, forDraft bool) string {
	var b strings.Builder
	if c := in.Customer; c != nil {
		fmt.Fprintf(&b, "【客户】%s", nonEmpty(c.DisplayName, fmt.Sprintf("客户 #%d", c.ID)))
		if c.VIPLevel > 0 {
			fmt.Fprintf(&b, "，VIP%d", c.VIPLevel)
		}
		if len(c.Tags) > 0 {
			fmt.Fprintf(&b, "，标签：%s", strings.Join(c.Tags, "、"))
		}
		b.WriteString("\n")
	}
	b.WriteString("【已识别信息】" + in.Summary.Render() + "\n")
	if len(in.Records) > 0 {
		b.WriteString("【业务记录】\n")
		for _, r := range in.Records {
			fmt.Fprintf(&b, "- %s %s", r.Kind, r.Title)
			if r.ID != "" {
				fmt.Fprintf(&b, "（%s）", r.ID)
			}
			if r.Amount != "" {
				b.WriteString(" " + r.Amount)
			}
			if r.Status != "" {
				b.WriteString(" " + r.Status)
			}
			if !r.Date.IsZero() {
				b.WriteString(" " + r.Date.Format("2006-01-02"))
			}
			b.WriteString("\n")
		}
	}
	if forDraft && len(in.Passages) > 0 {
		b.WriteString("【知识库资料】\n")
		for i, p := range in.Passages {
			if i == 3 {
				break
			}
			fmt.Fprintf(&b, "- %s：%s\n", p.Title, clip(p.Text, 400))
		}
	}
	b.WriteString("【对话记录】\n")
	msgs := in.Transcript
	if len(msgs) > a.cfg.MaxTranscript {
		msgs = msgs[len(msgs)-a.cfg.MaxTranscript:]
	}
	for _, m := range msgs {
		if !m.CustomerVisible() || strings.TrimSpace(m.Text) == "" {
			continue
		}
		fmt.Fprintf(&b, "%s：%s\n", speaker(m.Sender), clip(pii.Mask(m.Text), 300))
	}
	return b.String()
}

func speaker(s appliance.Sender) string {
	switch s {
	case appliance.SenderCustomer:
		return "客户"
	case appliance.SenderBot:
		return "机器人"
	case appliance.SenderAgent:
		return "客服"
	}
	return "系统"
}

func (a *Assistant) ask(ctx context.Context, system, user string, maxTokens int) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.Timeout)
	defer cancel()
	stream := false
	req := &api.ChatRequest{Model: a.cfg.Model, Stream: &stream,
		Messages: []api.Message{{Role: "system", Content: system}, {Role: "user", Content: user}},
		Options:  map[string]any{"temperature": 0.3, "num_predict": maxTokens}}
	var out strings.Builder
	err := a.cfg.Client.Chat(ctx, req, func(r api.ChatResponse) error {
		out.WriteString(r.Message.Content)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("assist: %s: %w", a.cfg.Model, err)
	}
	text := strings.TrimSpace(stripThinking(out.String()))
	if text == "" {
		return "", errors.New("assist: the model returned nothing")
	}
	return text, nil
}

// stripThinking drops a <think>…</think> preamble some models emit.
func stripThinking(s string) string {
	if i := strings.Index(s, "</think>"); i >= 0 && strings.HasPrefix(strings.TrimSpace(s), "<think>") {
		return s[i+len("</think>"):]
	}
	return s
}

func nonEmpty(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
