package douyin

import (
	"regexp"
	"strings"
)

// Policy makes comment answers public-safe.
type Policy struct {
	// MaxRunes bounds a public answer (default 60).
	MaxRunes int
	// Links maps a video (item_id) to its product link, appended when it fits.
	Links map[string]string
	// PrivateNote is the public answer to a personal comment.
	PrivateNote string
	// Personal lists words that make a comment personal (orders, refunds,
	// contact details); defaults cover zh-CN and English.
	Personal []string
}

var defaultPersonal = []string{"订单", "单号", "退款", "退货", "换货", "物流", "快递", "发货", "到货", "地址", "手机", "电话", "身份证",
	"银行卡", "账号", "账户", "密码", "投诉", "赔偿", "发票", "order", "refund", "return", "tracking", "address", "phone"}

// DefaultPrivateNote is the zh-CN public note for personal comments.
const DefaultPrivateNote = "您的问题涉及个人信息，请私信我们，客服会尽快为您处理～"

var (
	idCard = regexp.MustCompile(`\b(\d{3})\d{11}(\d{3}[\dXx])\b`)
	bank   = regexp.MustCompile(`\b\d{12,15}(\d{4})\b`)
	phone  = regexp.MustCompile(`\b(1[3-9]\d)\d{4}(\d{4})\b`)
)

// Mask hides ID-card, bank-card and mobile numbers, keeping only the digits
// a customer needs to recognize them.
func Mask(s string) string {
	s = idCard.ReplaceAllString(s, "$1***********$2")
	s = bank.ReplaceAllString(s, "**** **** $1")
	return phone.ReplaceAllString(s, "$1****$2")
}

// HasPII reports whether s carries an ID-card, bank-card or mobile number.
func HasPII(s string) bool {
	return idCard.MatchString(s) || bank.MatchString(s) || phone.MatchString(s)
}

// Public returns the public answer to a comment and whether the matter
// belongs in a private message.
func (p Policy) Public(comment, answer, itemID string) (text string, private bool) {
	note := p.PrivateNote
	if note == "" {
		note = DefaultPrivateNote
	}
	if p.personal(comment) || HasPII(comment) || HasPII(answer) {
		return note, true
	}
	max := p.MaxRunes
	if max <= 0 {
		max = 60
	}
	text = Truncate(Mask(strings.TrimSpace(answer)), max)
	if link := p.Links[itemID]; link != "" {
		text += " " + link
	}
	return text, false
}

func (p Policy) personal(comment string) bool {
	words := p.Personal
	if len(words) == 0 {
		words = defaultPersonal
	}
	c := strings.ToLower(comment)
	for _, w := range words {
		if strings.Contains(c, w) {
			return true
		}
	}
	return false
}

// Truncate shortens s to at most max runes, cutting after the last sentence
// end when one falls in the second half, and marking the cut with "…".
func Truncate(s string, max int) string {
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	cut := r[:max-1]
	for i := len(cut) - 1; i >= len(cut)/2; i-- {
		if strings.ContainsRune("。！？!?；;", cut[i]) {
			return string(cut[:i+1])
		}
	}
	return string(cut) + "…"
}
