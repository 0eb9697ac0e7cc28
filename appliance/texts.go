package appliance

import "unicode"

// Bot texts, zh-CN first with English. Deployments override them in config.
var defaultTexts = map[string][2]string{
	"greeting":      {"您好，我是智能客服，请问有什么可以帮您？", "Hello, I'm the virtual assistant. How can I help you?"},
	"thanks":        {"不客气，还有其他问题随时问我。", "You're welcome. Ask me anything else anytime."},
	"goodbye":       {"感谢您的咨询，祝您生活愉快！", "Thanks for reaching out. Have a nice day!"},
	"dont_know":     {"抱歉，这个问题我暂时无法回答。您可以换个说法，或回复“转人工”联系人工客服。", "Sorry, I don't know the answer to that yet. You can rephrase it, or say \"talk to a human\" to reach an agent."},
	"handoff":       {"正在为您转接人工客服，请稍候…", "Connecting you to a human agent, please wait…"},
	"queued":        {"您的消息已收到，人工客服马上为您服务。", "We've got your message; an agent will be with you shortly."},
	"unsupported":   {"抱歉，我暂时只能理解文字消息，请用文字描述您的问题。", "Sorry, I can only read text for now. Please describe your question in words."},
	"action_failed": {"抱歉，系统暂时无法查询，请稍后再试，或回复“转人工”由人工客服为您处理。", "Sorry, I can't look that up right now. Please try again later, or say \"talk to a human\"."},
	"unavailable":   {"这件事我暂时无法直接为您办理。您可以回复“转人工”，由人工客服继续为您处理。", "I can't do that for you directly yet. Say \"talk to a human\" and an agent will take it from here."},
	"cancelled":     {"好的，已为您取消。还有什么可以帮您？", "OK, cancelled. Anything else?"},
	"cancel_what":   {"请问您想取消哪一项呢？告诉我订单号或具体内容，我来帮您处理。", "What would you like to cancel? Tell me the order number or what it is, and I'll help."},
	"apology":       {"非常抱歉给您带来不便。", "Sorry for the trouble."},
	"closed":        {"本次会话已结束，感谢您的咨询。如有新问题，直接发消息即可。", "This conversation has ended. Send a message anytime if you need anything else."},
}

// Texts resolves a bot text in a language.
type Texts struct {
	overrides map[string]string // key or key.lang → text
}

// NewTexts returns the default texts with overrides keyed "greeting" or
// "greeting.en".
func NewTexts(overrides map[string]string) *Texts { return &Texts{overrides: overrides} }

// Get returns the text for key in lang ("zh" or "en").
func (t *Texts) Get(key, lang string) string {
	if t != nil {
		if s, ok := t.overrides[key+"."+lang]; ok {
			return s
		}
		if s, ok := t.overrides[key]; ok && lang != "en" {
			return s
		}
	}
	d := defaultTexts[key]
	if lang == "en" {
		return d[1]
	}
	return d[0]
}

// DetectLang returns "en" when the text is written in Latin letters only and
// "zh" otherwise: Chinese is the default.
func DetectLang(s string) string {
	return DetectLangOr(s, "zh")
}

// DetectLangOr is DetectLang with the language to assume when the text shows
// none (digits, an ID or order number, emoji): the conversation's so far.
func DetectLangOr(s, fallback string) string {
	latin, han := 0, 0
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r):
			han++
		case r < unicode.MaxASCII && unicode.IsLetter(r):
			latin++
		}
	}
	switch {
	case han == 0 && latin >= 2:
		return "en"
	case han == 0 && fallback != "":
		return fallback
	}
	return "zh"
}
