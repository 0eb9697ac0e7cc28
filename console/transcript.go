package console

import (
	"cmp"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"kefu/appliance"
)

// transcript is a conversation's record for a case file: every message with
// its place and hash in the conversation's chain, and what verifying the
// chain found when it was exported.
type transcript struct {
	Conversation *appliance.Conversation `json:"conversation"`
	Customer     *customerView           `json:"customer,omitempty"`
	Messages     []transcriptMessage     `json:"messages"`
	Chain        *appliance.ChainReport  `json:"chain"`
	Agents       map[int64]string        `json:"agents,omitempty"` // sender_id → the agent's name
	ExportedAt   time.Time               `json:"exported_at"`
	ExportedBy   string                  `json:"exported_by"`
}

// transcriptMessage is a message with its payload as stored, byte for byte:
// with it, anyone can recompute the chain from the record alone (kefu
// verify-record), whatever JSON encoding does to the payload object.
type transcriptMessage struct {
	*appliance.Message
	StoredPayload string `json:"stored_payload,omitempty"`
}

// exportTranscript writes a conversation's transcript as JSON or as a
// printable page (format=html), internal notes included, personal numbers
// masked for roles that may not see them. Every export is audited with the
// chain head it carried.
func (s *Server) exportTranscript(c *gin.Context) {
	conv, ok := s.loadConversation(c)
	if !ok {
		return
	}
	format := c.DefaultQuery("format", "json")
	if format != "json" && format != "html" {
		s.fail(c, invalid("invalid_format", "format must be json or html"))
		return
	}
	ctx := c.Request.Context()
	rep, err := s.Store.VerifyConversation(ctx, conv.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	t := transcript{Conversation: conv, Customer: s.viewCustomer(c, conv.CustomerID, false), Chain: rep,
		ExportedAt: s.Now().UTC(), ExportedBy: currentUser(c).Username}
	for after := int64(0); ; {
		page, err := s.Store.Messages(ctx, appliance.MessageFilter{ConversationID: conv.ID, AfterID: after, Limit: 500})
		if err != nil {
			s.fail(c, err)
			return
		}
		for _, m := range page {
			t.Messages = append(t.Messages, transcriptMessage{Message: s.maskMessage(c, m), StoredPayload: string(m.Payload)})
			after = m.ID
		}
		if len(page) < 500 {
			break
		}
	}
	users, err := s.Store.Users(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	names := make(map[int64]string, len(users))
	for _, u := range users {
		names[u.ID] = cmp.Or(u.DisplayName, u.Username)
	}
	for _, m := range t.Messages {
		if name, ok := names[m.SenderID]; ok && m.Sender == appliance.SenderAgent {
			if t.Agents == nil {
				t.Agents = map[int64]string{}
			}
			t.Agents[m.SenderID] = name
		}
	}
	s.audit(c, currentUser(c), "conversation.export", "conversation", strconv.FormatInt(conv.ID, 10),
		map[string]any{"format": format, "messages": len(t.Messages), "valid": rep.Valid, "head_hash": rep.Head})
	name := "kefu-conversation-" + strconv.FormatInt(conv.ID, 10)
	if format == "json" {
		c.Header("Content-Disposition", `attachment; filename="`+name+`.json"`)
		c.JSON(http.StatusOK, t)
		return
	}
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Status(http.StatusOK)
	if err := transcriptTmpl.Execute(c.Writer, struct {
		transcript
		Loc *time.Location
	}{t, s.location()}); err != nil {
		s.log.Error("transcript export failed", "conversation_id", conv.ID, "error", err)
	}
}

var transcriptTmpl = template.Must(template.New("transcript").Funcs(template.FuncMap{
	"time": func(t time.Time, loc *time.Location) string { return t.In(loc).Format("2006-01-02 15:04:05.000") },
	"status": func(s appliance.ConversationStatus) string {
		return map[appliance.ConversationStatus]string{appliance.StatusBot: "机器人接待", appliance.StatusQueued: "排队中",
			appliance.StatusAssigned: "人工接待", appliance.StatusClosed: "已结束"}[s] + " " + string(s)
	},
	"sender": func(s appliance.Sender) string {
		return map[appliance.Sender]string{appliance.SenderCustomer: "客户", appliance.SenderBot: "机器人",
			appliance.SenderAgent: "客服", appliance.SenderSystem: "系统"}[s] + " " + string(s)
	},
}).Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>会话记录 #{{.Conversation.ID}}</title>
<style>
body{font-family:"PingFang SC","Microsoft YaHei",sans-serif;margin:24px;color:#222;font-size:13px}
h1{font-size:20px;margin:0 0 6px} .meta{color:#555;margin-bottom:12px;line-height:1.7}
.hash{font-family:monospace;font-size:11px;word-break:break-all} .ok{color:#1a7f37;font-weight:bold} .bad{color:#b00020;font-weight:bold}
table{border-collapse:collapse;width:100%} th,td{border:1px solid #bbb;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f0f0f0} .note{background:#fff8e1} .text{white-space:pre-wrap} @media print{body{margin:0}}
</style></head><body>
<h1>会话记录 Conversation record #{{.Conversation.ID}}</h1>
<div class="meta">客户 customer: {{with .Customer}}{{if .DisplayName}}{{.DisplayName}}{{else}}访客 visitor{{end}} (#{{.ID}}){{end}} · 渠道 channel: {{.Conversation.Channel}} · 状态 status: {{status .Conversation.Status}}<br>
开始 started: {{time .Conversation.CreatedAt .Loc}} · 导出 exported: {{time .ExportedAt .Loc}} by {{.ExportedBy}}<br>
完整性 integrity: {{if .Chain.Valid}}<span class="ok">完整 intact</span>{{else}}<span class="bad">校验失败 broken: {{.Chain.Problem}}{{if .Chain.BrokenAt}} at #{{.Chain.BrokenAt}}{{end}}</span>{{end}}{{if .Chain.Anonymized}} (已匿名 anonymized){{end}}
 · {{.Chain.Sealed}}/{{.Chain.Messages}} 条带哈希 sealed<br>
链尾哈希 chain head: <span class="hash">{{.Chain.Head}}</span></div>
<table><tr><th style="width:36px">#</th><th style="width:150px">时间 time</th><th style="width:90px">发送方 sender</th><th style="width:60px">渠道</th><th>内容 text</th><th style="width:120px">哈希 hash</th></tr>
{{range .Messages}}<tr{{if eq .Kind "note"}} class="note"{{end}}><td>{{if .Seq}}{{.Seq}}{{end}}</td><td>{{time .CreatedAt $.Loc}}</td><td>{{sender .Sender}}{{if .SenderID}} {{index $.Agents .SenderID}} #{{.SenderID}}{{end}}</td><td>{{.Channel}}</td><td class="text">{{if eq .Kind "note"}}[内部备注 note] {{end}}{{.Text}}</td><td class="hash">{{.ChainHash}}</td></tr>
{{end}}</table>
<p class="meta">每条消息的哈希 = SHA-256(上一条的哈希 + 本条内容)；用 GET /api/v1/conversations/{{.Conversation.ID}}/verify 可随时复核。
Each hash is SHA-256 over the previous hash and the message; verify again at any time with the API above.</p>
</body></html>`))
