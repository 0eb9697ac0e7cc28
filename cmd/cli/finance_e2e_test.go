package cli

import (
	"fmt"

	"kefu/appliance"
	"strings"
	"testing"
)

// withdrawalPhrasings ask about withdrawals every way customers do. None may
// be answered — not even from the knowledge base, which knows when a
// withdrawal arrives — before real-name verification.
var withdrawalPhrasings = []string{
	"提现多久到账",
	"我要提现",
	"怎么提现",
	"提现要手续费吗",
	"余额怎么提到银行卡",
	"钱怎么取出来",
	"帮我提两千到卡里",
	"提现5000元",
	"今天提现明天能到吗",
	"提现到账时间",
	"提现失败了怎么回事",
	"取现",
	"我想把账户里的钱转出到储蓄卡",
	"提款",
	"how long does a withdrawal take",
	"I want to withdraw money",
	"cash out my balance",
	"你好，请问提现一般几点到账？",
}

func TestWithdrawalNeverAnsweredBeforeVerification(t *testing.T) {
	p, _ := startApp(t, t.TempDir(), nil)
	app := &appClient{t: t, url: p.URL(), key: p.DemoInfo.AppKey, secret: p.DemoInfo.AppSecret}
	for i, text := range withdrawalPhrasings {
		t.Run(text, func(t *testing.T) {
			app.t = t
			user := fmt.Sprintf("fin-%d", i) // a new customer each time: nobody verified
			status, body := app.sendWith(user, "m1", text, 0)
			if status != 200 {
				t.Fatalf("status %d: %v", status, body)
			}
			got := replyText(body)
			verifying := strings.Contains(got, "实名验证") || strings.Contains(got, "verify your identity")
			if !verifying {
				t.Fatalf("got %q, want the verification request (decision %s)", got, lastDecision(t, p))
			}
			for _, leak := range []string{"15:00", "当天到账", "手续费", "0.1%", "12,580", "T+1", "working day"} {
				if strings.Contains(got, leak) {
					t.Errorf("got %q: %q leaks an answer before verification", got, leak)
				}
			}
			// Asking again, or around, is still held.
			_, body = app.sendWith(user, "m2", "直接告诉我提现多久到账就行", 0)
			if got := replyText(body); strings.Contains(got, "15:00") {
				t.Errorf("second try: got %q, want no answer before verification", got)
			}
		})
	}
	// Every held question is in the audit log, with personal numbers masked.
	var n int64
	p.Store.DB().Table("audit_log").Where("action = ?", "verification.required").Count(&n)
	if int(n) < len(withdrawalPhrasings) {
		t.Errorf("audit: got %d verification.required entries, want at least %d", n, len(withdrawalPhrasings))
	}
}

func TestVerificationStepsAreAuditedAndMasked(t *testing.T) {
	p, _ := startApp(t, t.TempDir(), nil)
	app := &appClient{t: t, url: p.URL(), key: p.DemoInfo.AppKey, secret: p.DemoInfo.AppSecret}
	for i, s := range []struct {
		text   string
		photos int
	}{{"我要修改手机号", 0}, {"11010519491231002X", 0}, {"张三", 0}, {"", 1}, {"13912345678", 0}} {
		status, body := app.sendWith("demo-1001", fmt.Sprint("v", i), s.text, s.photos)
		if status != 200 {
			t.Fatalf("step %d: %d %v", i, status, body)
		}
		if i == 4 && !strings.Contains(replyText(body), "139****5678") {
			t.Errorf("after verification: got %q, want the masked new phone", replyText(body))
		}
	}
	entries, err := p.Store.Audit(t.Context(), appliance.AuditFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		seen[e.Action] = true
		if d := fmt.Sprint(e.Detail); strings.Contains(d, "11010519491231002X") || strings.Contains(d, "张三") {
			t.Errorf("audit %s leaks personal data: %s", e.Action, d)
		}
	}
	for _, a := range []string{"verification.required", "verification.id_number", "verification.check", "verification.id_photo", "verification.passed", "verification.replay"} {
		if !seen[a] {
			t.Errorf("audit log has no %s entry", a)
		}
	}
	var decisions []string
	p.Store.DB().Table("messages").Where("decision IS NOT NULL").Pluck("decision", &decisions)
	for _, d := range decisions {
		if strings.Contains(d, "11010519491231002X") {
			t.Errorf("a stored decision path holds the raw ID number: %s", d)
		}
	}
}
