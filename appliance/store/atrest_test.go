package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"kefu/appliance"
	"kefu/appliance/secret"
	"kefu/appliance/store"
	"kefu/appliance/store/storetest"
	"kefu/nlu"
)

// sealedStores makes one fresh database of the dialect: its options, a
// function opening a store over it with the sealer given (nil: encryption
// off), and a sealer to use.
func sealedStores(t *testing.T, dialect string) (store.Options, func(store.Sealer) *store.Store, store.Sealer) {
	t.Helper()
	opts := storetest.NewDatabase(t, dialect)
	return opts, func(sealer store.Sealer) *store.Store {
		o := opts
		o.Sealer, o.Encrypt = sealer, sealer != nil
		return storetest.OpenWith(t, o)
	}, storetest.NewSealer(t)
}

// TestEncryptionAtRest: what customers said is ciphertext in the database
// and plaintext through the store; the chain holds over the plaintext; a
// database with rows written before encryption was turned on reads both;
// a store without the key sees ciphertext and says so.
func TestEncryptionAtRest(t *testing.T) {
	const said = "我的身份证号是11010519491231002X，银行卡6217000012345678907"
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			opts, open, key := sealedStores(t, dialect)
			plain, enc := open(nil), open(key)

			c := &appliance.Conversation{CustomerID: 1, Channel: "web", LastChannel: "web", Status: appliance.StatusBot}
			if err := enc.CreateConversation(ctx, c); err != nil {
				t.Fatal(err)
			}
			// One message before encryption was turned on, two after.
			write := func(s *store.Store, text string, payload json.RawMessage) *appliance.Message {
				m := &appliance.Message{ConversationID: c.ID, CustomerID: 1, Channel: "web", Sender: appliance.SenderCustomer,
					Kind: appliance.KindText, Text: text, Payload: payload}
				if err := s.CreateMessage(ctx, m, ""); err != nil {
					t.Fatal(err)
				}
				return m
			}
			old := write(plain, "你好", nil)
			secret := write(enc, said, json.RawMessage(`{"card":"6217000012345678907"}`))
			write(enc, "谢谢", nil)

			var raw []struct {
				ID      int64
				Text    string
				Payload *string
			}
			enc.DB().Table("messages").Select("id, text, payload").Order("id").Find(&raw)
			if len(raw) != 3 || raw[0].Text != "你好" {
				t.Fatalf("raw rows: %+v", raw)
			}
			for _, r := range raw[1:] {
				if !strings.HasPrefix(r.Text, "kefu:enc:") || strings.Contains(r.Text, "11010519491231002X") {
					t.Errorf("message %d is stored as %q, want ciphertext", r.ID, r.Text)
				}
			}
			if raw[1].Payload == nil || strings.Contains(*raw[1].Payload, "6217") {
				t.Errorf("payload stored as %v, want ciphertext", raw[1].Payload)
			}

			// Through the store, every path reads what was said.
			got, err := enc.Message(ctx, secret.ID)
			if err != nil || got.Text != said || string(got.Payload) != `{"card":"6217000012345678907"}` {
				t.Fatalf("Message: %+v, %v", got, err)
			}
			list, _ := enc.Messages(ctx, appliance.MessageFilter{ConversationID: c.ID})
			if len(list) != 3 || list[0].Text != "你好" || list[1].Text != said || list[2].Text != "谢谢" {
				t.Errorf("Messages: %+v", list)
			}
			tr, _ := enc.TranscriptMessages(ctx, []int64{c.ID})
			if len(tr) != 3 || tr[1].Text != said {
				t.Errorf("TranscriptMessages: %+v", tr)
			}
			cm, _ := enc.CustomerMessages(ctx, time.Now().Add(-time.Hour), time.Now().Add(time.Hour), 0, math.MaxInt64, 10)
			if len(cm) != 3 || cm[1].Text != said {
				t.Errorf("CustomerMessages: %+v", cm)
			}
			last, _ := enc.LastMessages(ctx, []int64{c.ID})
			if last[c.ID] == nil || last[c.ID].Text != "谢谢" {
				t.Errorf("LastMessages: %+v", last[c.ID])
			}
			if rep, err := enc.VerifyConversation(ctx, c.ID); err != nil || !rep.Valid || rep.Sealed != 3 {
				t.Errorf("chain over plaintext and ciphertext rows: %+v, %v", rep, err)
			}

			// Customers' names and attributes are encrypted; a long name
			// still fits its column encrypted.
			longName := strings.Repeat("欧阳", 40)
			cust, _, err := enc.ResolveIdentity(ctx, appliance.Identity{Kind: "app", Namespace: "demo", Value: "u-1"}, longName)
			if err != nil {
				t.Fatal(err)
			}
			cust.Attributes = map[string]string{"phone": "13812345678"}
			if err := enc.UpdateCustomer(ctx, cust); err != nil {
				t.Fatal(err)
			}
			// stored reads one column as the database holds it.
			stored := func(table, column string, id int64) string {
				var v string
				enc.DB().Table(table).Select(column).Where("id = ?", id).Scan(&v)
				return v
			}
			if name, attrs := stored("customers", "display_name", cust.ID), stored("customers", "attributes", cust.ID); strings.Contains(name, "欧阳") ||
				strings.Contains(attrs, "13812345678") {
				t.Errorf("customer stored in clear: %q, %q", name, attrs)
			}
			if back, _ := enc.Customer(ctx, cust.ID); back.DisplayName != longName || back.Attributes["phone"] != "13812345678" {
				t.Errorf("customer read back: %+v", back)
			}

			// The agent's closing summary, tickets, dialogue state and live
			// events are encrypted too.
			c.Summary = "客户身份证11010519491231002X，已解释提现规则"
			if err := enc.UpdateConversation(ctx, c); err != nil {
				t.Fatal(err)
			}
			if v := stored("conversations", "summary", c.ID); !strings.HasPrefix(v, "kefu:enc:") {
				t.Errorf("summary stored as %q", v)
			}
			if back, _ := enc.Conversation(ctx, c.ID); back.Summary != c.Summary {
				t.Errorf("summary read back: %q", back.Summary)
			}
			tk := &appliance.Ticket{Type: "return", Status: "待审核", Title: "退货 E202611230001 张三", Body: said, CustomerID: 1,
				Data: map[string]any{"order_no": "E202611230001"}}
			if err := enc.CreateTicket(ctx, tk); err != nil {
				t.Fatal(err)
			}
			if title, body, data := stored("tickets", "title", tk.ID), stored("tickets", "body", tk.ID), stored("tickets", "data", tk.ID); strings.Contains(body, "11010519491231002X") ||
				strings.Contains(data, "E202611230001") || strings.Contains(title, "E202611230001") {
				t.Errorf("ticket stored in clear: %q, %q, %q", title, body, data)
			}
			if back, _ := enc.Ticket(ctx, tk.ID); back.Title != tk.Title || back.Body != said || back.Data["order_no"] != "E202611230001" {
				t.Errorf("ticket read back: %+v", back)
			}
			ev := &appliance.TicketEvent{TicketID: tk.ID, From: "待审核", To: "已审核", Actor: "agent1", Note: "客户电话13812345678，同意退货",
				Tell: appliance.NotePending}
			if err := enc.CreateTicketEvent(ctx, ev); err != nil {
				t.Fatal(err)
			}
			if v := stored("ticket_events", "note", ev.ID); strings.Contains(v, "13812345678") {
				t.Errorf("ticket note stored in clear: %q", v)
			}
			evs, _ := enc.TicketEvents(ctx, tk.ID)
			pending, _ := enc.PendingTicketEvents(ctx, 10)
			if len(evs) != 1 || evs[0].Note != ev.Note || len(pending) != 1 || pending[0].Note != ev.Note {
				t.Errorf("ticket notes read back: %+v, pending %+v", evs, pending)
			}
			st := &nlu.State{ActiveIntent: "withdraw", Slots: map[string]string{"id_card": "11010519491231002X"}}
			if err := enc.SaveDialogueState(ctx, 1, st); err != nil {
				t.Fatal(err)
			}
			var rawState string
			enc.DB().Table("dialogue_states").Select("state").Where("customer_id = 1").Scan(&rawState)
			if strings.Contains(rawState, "11010519491231002X") {
				t.Errorf("dialogue state stored in clear: %s", rawState)
			}
			if back, _ := enc.DialogueState(ctx, 1); back.Slots["id_card"] != "11010519491231002X" {
				t.Errorf("dialogue state read back: %+v", back)
			}
			if err := enc.AppendEvents(ctx, "a", [][]byte{[]byte(`{"text":"` + said + `"}`)}, time.Now()); err != nil {
				t.Fatal(err)
			}
			var rawEvent string
			enc.DB().Table("cluster_events").Select("payload").Scan(&rawEvent)
			if strings.Contains(rawEvent, "11010519491231002X") {
				t.Errorf("live event stored in clear: %s", rawEvent)
			}
			if evs, _ := enc.EventsAfter(ctx, 0, 10); len(evs) != 1 || !strings.Contains(string(evs[0].Payload), said) {
				t.Errorf("live event read back: %+v", evs)
			}
			if err := enc.RecordAudit(ctx, &appliance.AuditEntry{ActorType: "user", Action: "customer.update", TargetType: "customer",
				TargetID: "1", Detail: map[string]any{"attributes": map[string]any{"after": map[string]any{"phone": "13812345678"}}}}); err != nil {
				t.Fatal(err)
			}
			var rawDetail string
			enc.DB().Table("audit_log").Select("detail").Where("action = 'customer.update'").Scan(&rawDetail)
			if strings.Contains(rawDetail, "13812345678") {
				t.Errorf("audit detail stored in clear: %s", rawDetail)
			}
			if entries, _ := enc.Audit(ctx, appliance.AuditFilter{Action: "customer.update"}); len(entries) != 1 ||
				!strings.Contains(fmt.Sprint(entries[0].Detail), "13812345678") {
				t.Errorf("audit detail read back: %+v", entries)
			}

			// Without the key (or with another) the ciphertext is what
			// there is: shown as stored, counted, and the chain fails.
			for name, s := range map[string]*store.Store{"no key": plain, "another key": open(storetest.NewSealer(t))} {
				m, _ := s.Message(ctx, secret.ID)
				if m.Text == said || !strings.HasPrefix(m.Text, "kefu:enc:") || s.Unreadable() == 0 {
					t.Errorf("%s: read %q (unreadable %d), want the ciphertext, counted", name, m.Text, s.Unreadable())
				}
				if m, _ := s.Message(ctx, old.ID); m.Text != "你好" {
					t.Errorf("%s: a message stored in clear reads %q", name, m.Text)
				}
				if rep, _ := s.VerifyConversation(ctx, c.ID); rep.Valid {
					t.Errorf("%s: the chain verified without the key", name)
				}
			}
			if enc.Unreadable() != 0 {
				t.Errorf("the right key failed to decrypt %d values", enc.Unreadable())
			}

			// Turning encryption off keeps what was encrypted readable and
			// writes in clear from then on.
			o := opts
			o.Sealer = key
			off := storetest.OpenWith(t, o)
			if m, _ := off.Message(ctx, secret.ID); m.Text != said {
				t.Errorf("encryption off: an encrypted message reads %q", m.Text)
			}
			later := write(off, "明文", nil)
			if v := stored("messages", "text", later.ID); v != "明文" {
				t.Errorf("encryption off: stored %q, want it in clear", v)
			}
			if sm, err := off.SampleMessages(ctx, 10); err != nil || sm != (store.Sample{Messages: 4, Encrypted: 2}) {
				t.Errorf("sample: %+v, %v; want 4 messages, 2 encrypted", sm, err)
			}
			if sm, _ := plain.SampleMessages(ctx, 10); sm.Unreadable != 2 {
				t.Errorf("sample without the key: %+v, want 2 unreadable", sm)
			}
		})
	}
}

// rotationKeys are the master keys before and after a rotation.
func rotationKeys() (old, current *secret.Box) {
	old, _ = secret.New([]byte("old-master-key-0123456789abcdef"))
	current, _ = secret.New([]byte("new-master-key-0123456789abcdef"))
	return old, current
}

// openUnder returns a function opening stores on one database, each
// encrypting at rest under the master key it is given.
func openUnder(t *testing.T, opts store.Options) func(*secret.Box) *store.Store {
	return func(box *secret.Box) *store.Store {
		o := opts
		o.Sealer, o.Encrypt = box.Purpose("messages at rest"), true
		return storetest.OpenWith(t, o)
	}
}

// TestKeyRotation: after secret_key changes (the old one as
// secret_key_previous), everything sealed under the old key reads, doctor's
// sample says so, and EncryptExisting plus ResealCredentials move it under
// the new key, after which the old key is no longer needed.
func TestKeyRotation(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			oldKey, newKey := rotationKeys()
			rotated := newKey.WithPrevious(oldKey)
			open := openUnder(t, storetest.NewDatabase(t, dialect))
			before := open(oldKey)
			c := &appliance.Conversation{CustomerID: 1, Channel: "web", LastChannel: "web", Status: appliance.StatusBot}
			if err := before.CreateConversation(ctx, c); err != nil {
				t.Fatal(err)
			}
			for _, text := range []string{"卡号6217000012345678907", "谢谢"} {
				if err := before.CreateMessage(ctx, &appliance.Message{ConversationID: c.ID, CustomerID: 1, Channel: "web",
					Sender: appliance.SenderCustomer, Kind: appliance.KindText, Text: text}, ""); err != nil {
					t.Fatal(err)
				}
			}
			if err := before.CreateAppKey(ctx, &appliance.AppKey{Key: "shop-app", Name: "商城", SecretEnc: oldKey.Seal("app-secret")}); err != nil {
				t.Fatal(err)
			}
			acct := &appliance.ChannelAccount{Kind: "wechat_oa", Key: "wx0123456789abcdef", Enabled: true, Settings: map[string]string{},
				SecretsSealed: oldKey.Seal(`{"app_secret":"s"}`)}
			if err := before.SaveChannelAccount(ctx, acct); err != nil {
				t.Fatal(err)
			}

			after := open(rotated)
			if m, _ := after.Messages(ctx, appliance.MessageFilter{ConversationID: c.ID}); len(m) != 2 || m[0].Text != "卡号6217000012345678907" {
				t.Fatalf("with the previous key configured: %+v", m)
			}
			if sm, _ := after.SampleMessages(ctx, 10); sm != (store.Sample{Messages: 2, Encrypted: 2, Previous: 2}) {
				t.Errorf("sample after the rotation: %+v, want 2 under the previous key", sm)
			}
			if n, err := after.EncryptExisting(ctx, nil); err != nil || n != 2 {
				t.Errorf("EncryptExisting after the rotation: %d, %v; want the 2 messages", n, err)
			}
			if n, err := after.ResealCredentials(ctx, rotated); err != nil || n != 2 {
				t.Errorf("ResealCredentials: %d, %v; want the app key and the channel account", n, err)
			}
			if n, _ := after.ResealCredentials(ctx, rotated); n != 0 {
				t.Errorf("ResealCredentials again: %d, want 0", n)
			}

			// The old key can go now.
			only := open(newKey)
			if m, _ := only.Messages(ctx, appliance.MessageFilter{ConversationID: c.ID}); len(m) != 2 || m[0].Text != "卡号6217000012345678907" {
				t.Errorf("new key alone: %+v", m)
			}
			if rep, err := only.VerifyConversation(ctx, c.ID); err != nil || !rep.Valid {
				t.Errorf("chain after the rotation: %+v, %v", rep, err)
			}
			k, _ := only.AppKey(ctx, "shop-app")
			if v, err := newKey.Open(k.SecretEnc); err != nil || v != "app-secret" {
				t.Errorf("app key secret under the new key: %q, %v", v, err)
			}
			a, _ := only.ChannelAccount(ctx, acct.ID)
			if v, err := newKey.Open(a.SecretsSealed); err != nil || v != `{"app_secret":"s"}` {
				t.Errorf("channel credentials under the new key: %q, %v", v, err)
			}
		})
	}
}

// TestIdentitiesEncrypted: channel identities are ciphertext in the
// database and found by a keyed hash; rows written before hashes existed
// are still found by their clear value, and EncryptExisting moves them (and,
// after a key rotation, the hashes) under the current key.
func TestIdentitiesEncrypted(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			oldKey, newKey := rotationKeys()
			open := openUnder(t, storetest.NewDatabase(t, dialect))
			s := open(oldKey)
			openid := appliance.Identity{Kind: appliance.IdentityWeChatOpenID, Namespace: "wx1", Value: "oAbc123-openid"}
			a, ident, err := s.ResolveIdentity(ctx, openid, "张三")
			if err != nil {
				t.Fatal(err)
			}
			var raw struct {
				Value     string
				ValueHash *string
			}
			rawIdentity := func(id int64) {
				raw.Value, raw.ValueHash = "", nil
				s.DB().Table("identities").Select("value, value_hash").Where("id = ?", id).Scan(&raw)
			}
			rawIdentity(ident.ID)
			if !strings.HasPrefix(raw.Value, "kefu:enc:") || strings.Contains(raw.Value, "oAbc123") || raw.ValueHash == nil ||
				strings.Contains(*raw.ValueHash, "oAbc123") {
				t.Fatalf("identity stored as %q / %v, want ciphertext and a hash", raw.Value, raw.ValueHash)
			}
			firstHash := *raw.ValueHash
			if again, id2, err := s.ResolveIdentity(ctx, openid, ""); err != nil || again.ID != a.ID || id2.ID != ident.ID || id2.Value != openid.Value {
				t.Errorf("resolving again: %+v %+v %v; want customer %d, identity %d", again, id2, err, a.ID, ident.ID)
			}
			if got, err := s.FindIdentity(ctx, openid.Kind, "wx1", openid.Value); err != nil || got.ID != ident.ID {
				t.Errorf("FindIdentity: %+v, %v", got, err)
			}
			if _, err := s.FindIdentity(ctx, openid.Kind, "wx2", openid.Value); !appliance.IsNotFound(err) {
				t.Errorf("FindIdentity in another namespace: %v, want not found", err)
			}
			if list, _ := s.Identities(ctx, a.ID); len(list) != 1 || list[0].Value != openid.Value {
				t.Errorf("Identities: %+v", list)
			}
			if m, _ := s.Customers(ctx, []int64{a.ID}); len(m[a.ID].Identities) != 1 || m[a.ID].Identities[0].Value != openid.Value {
				t.Errorf("Customers: %+v", m[a.ID])
			}
			phone := appliance.Identity{Kind: appliance.IdentityPhone, Value: "13812345678", Verified: true}
			if got, err := s.AttachIdentity(ctx, a.ID, phone); err != nil || got.Value != "13812345678" {
				t.Fatalf("AttachIdentity: %+v, %v", got, err)
			}
			if _, err := s.AttachIdentity(ctx, a.ID, phone); !appliance.IsConflict(err) {
				t.Errorf("attaching the phone twice: %v, want identity_taken", err)
			}

			// A row written before identities were encrypted.
			b, _, _ := s.ResolveIdentity(ctx, appliance.Identity{Kind: appliance.IdentityWebVisitor, Value: "v-b"}, "")
			if err := s.DB().Exec("INSERT INTO identities (customer_id, kind, namespace, value, verified, created_at) VALUES (?, ?, ?, ?, ?, ?)",
				b.ID, "app_user", "", "u-legacy", true, time.Now().UTC()).Error; err != nil {
				t.Fatal(err)
			}
			legacy := appliance.Identity{Kind: appliance.IdentityAppUser, Value: "u-legacy"}
			if got, _, err := s.ResolveIdentity(ctx, legacy, ""); err != nil || got.ID != b.ID {
				t.Errorf("legacy row: customer %+v, %v; want %d", got, err, b.ID)
			}
			if _, err := s.AttachIdentity(ctx, a.ID, legacy); !appliance.IsConflict(err) {
				t.Errorf("attaching a legacy identity to another customer: %v, want identity_taken", err)
			}

			// The key rotates; the old key's hashes still find identities.
			rotated := open(newKey.WithPrevious(oldKey))
			if got, _, err := rotated.ResolveIdentity(ctx, openid, ""); err != nil || got.ID != a.ID {
				t.Errorf("after the rotation: customer %+v, %v; want %d", got, err, a.ID)
			}
			counts := map[string]int64{}
			if _, err := rotated.EncryptExisting(ctx, func(table string, n int64) { counts[table] = n }); err != nil {
				t.Fatal(err)
			}
			// openid, phone and visitor under the old key, and the legacy row.
			if counts["identities"] != 4 {
				t.Errorf("EncryptExisting changed %d identities, want 4", counts["identities"])
			}
			rawIdentity(ident.ID)
			if raw.ValueHash == nil || *raw.ValueHash == firstHash {
				t.Errorf("the hash did not move to the new key: %v", raw.ValueHash)
			}
			var legacyRaw []string
			s.DB().Table("identities").Where("kind = 'app_user'").Pluck("value", &legacyRaw)
			if len(legacyRaw) != 1 || !strings.HasPrefix(legacyRaw[0], "kefu:enc:") {
				t.Errorf("legacy row after EncryptExisting: %q", legacyRaw)
			}
			counts = map[string]int64{}
			rotated.EncryptExisting(ctx, func(table string, n int64) { counts[table] = n })
			if counts["identities"] != 0 {
				t.Errorf("EncryptExisting again changed %d identities, want 0", counts["identities"])
			}

			// The new key alone finds every one; another key finds none.
			only := open(newKey)
			for id, want := range map[appliance.Identity]int64{openid: a.ID, phone: a.ID, legacy: b.ID} {
				if got, err := only.FindIdentity(ctx, id.Kind, id.Namespace, id.Value); err != nil || got.CustomerID != want || got.Value != id.Value {
					t.Errorf("new key alone, %s: %+v, %v; want customer %d", id.Value, got, err, want)
				}
			}
			if _, err := open(oldKey).FindIdentity(ctx, openid.Kind, "wx1", openid.Value); !appliance.IsNotFound(err) {
				t.Errorf("the old key alone found an identity hashed under the new one: %v", err)
			}
		})
	}
}

// TestQATextsEncrypted: what QA keeps of a conversation — the excerpt a rule
// matched, the message it matched in, the judge's rationale, the real-time
// alert's excerpt — and the analytics reports are ciphertext in the database and plaintext through the
// store; rows written before encryption are encrypted by EncryptExisting.
func TestQATextsEncrypted(t *testing.T) {
	const said = "客户张三说手机号13800138000打不通，你们就是骗子"
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			_, open, key := sealedStores(t, dialect)
			plain, enc := open(nil), open(key)

			write := func(s *store.Store, convID int64) *appliance.QAReport {
				r := &appliance.QAReport{Day: fmt.Sprintf("2026-11-%02d", convID), CreatedAt: time.Now()}
				if err := s.CreateQAReport(ctx, r); err != nil {
					t.Fatal(err)
				}
				item := &appliance.QAReportItem{ConversationID: convID, Channel: "web", Messages: 3, Hits: 1, Severity: "high",
					StartedAt: time.Now(), Judge: &appliance.JudgeResult{Correctness: 2, Rationale: "客服未回应" + said},
					HitList: []*appliance.QAHit{{ConversationID: convID, MessageID: 7, RuleName: "辱骂", Kind: appliance.QARuleKind("forbidden"),
						Severity: "high", Excerpt: "就是骗子", MessageText: said, MessageAt: time.Now()}}}
				if err := s.AddQAReportItems(ctx, r.ID, []*appliance.QAReportItem{item}); err != nil {
					t.Fatal(err)
				}
				a := &appliance.QAAlert{QAHit: appliance.QAHit{ConversationID: convID, MessageID: 7, RuleName: "辱骂",
					Kind: appliance.QARuleKind("forbidden"), Severity: "high", Excerpt: said}, CreatedAt: time.Now()}
				if err := s.CreateQAAlert(ctx, a); err != nil {
					t.Fatal(err)
				}
				return r
			}
			before := write(plain, 1)
			after := write(enc, 2)
			// The analytics reports' top questions are what customers wrote.
			report := []byte(`{"top_questions":[{"text":"` + said + `"}]}`)
			if err := plain.SaveAnalyticsReport(ctx, "daily", "2026-11-01", report, 0); err != nil {
				t.Fatal(err)
			}
			if err := enc.SaveAnalyticsReport(ctx, "daily", "2026-11-02", report, 0); err != nil {
				t.Fatal(err)
			}

			clearRows := func() int {
				var n int
				for _, q := range []string{
					"SELECT COUNT(*) FROM qa_report_hits WHERE excerpt NOT LIKE 'kefu:enc:%' OR message_text NOT LIKE 'kefu:enc:%'",
					"SELECT COUNT(*) FROM qa_report_items WHERE judge NOT LIKE 'kefu:enc:%'",
					"SELECT COUNT(*) FROM qa_alerts WHERE excerpt NOT LIKE 'kefu:enc:%'",
					"SELECT COUNT(*) FROM analytics_reports WHERE data NOT LIKE 'kefu:enc:%'",
				} {
					var c int
					if err := enc.DB().Raw(q).Scan(&c).Error; err != nil {
						t.Fatal(err)
					}
					n += c
				}
				return n
			}
			// Only the rows written before encryption are in clear: a hit,
			// an item's judge, an alert and an analytics report.
			if n := clearRows(); n != 4 {
				t.Errorf("rows in clear: got %d, want 4 (those written before encryption)", n)
			}
			var leaked int
			enc.DB().Raw("SELECT COUNT(*) FROM qa_report_hits WHERE report_id = ? AND message_text LIKE ?", after.ID, "%13800138000%").Scan(&leaked)
			if leaked != 0 {
				t.Errorf("the phone number is readable in qa_report_hits")
			}

			check := func(r *appliance.QAReport) {
				t.Helper()
				items, err := enc.QAReportItems(ctx, appliance.QAItemFilter{ReportID: r.ID})
				if err != nil || len(items) != 1 || len(items[0].HitList) != 1 {
					t.Fatalf("items: %+v, %v", items, err)
				}
				h := items[0].HitList[0]
				if h.Excerpt != "就是骗子" || h.MessageText != said || items[0].Judge == nil || items[0].Judge.Rationale != "客服未回应"+said {
					t.Errorf("report %d read back: hit %+v judge %+v", r.ID, h, items[0].Judge)
				}
			}
			check(before)
			check(after)
			for _, day := range []string{"2026-11-01", "2026-11-02"} {
				if data, _, err := enc.AnalyticsReport(ctx, "daily", day); err != nil || string(data) != string(report) {
					t.Errorf("analytics report %s: %s, %v", day, data, err)
				}
			}
			alerts, err := enc.QAAlerts(ctx, 0, 10)
			if err != nil || len(alerts) != 2 || alerts[0].Excerpt != said || alerts[1].Excerpt != said {
				t.Errorf("alerts: %+v, %v", alerts, err)
			}

			if _, err := enc.EncryptExisting(ctx, nil); err != nil {
				t.Fatal(err)
			}
			if n := clearRows(); n != 0 {
				t.Errorf("after EncryptExisting: %d rows in clear, want 0", n)
			}
			check(before)
		})
	}
}
