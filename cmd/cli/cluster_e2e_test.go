package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"kefu/appliance"
	"kefu/appliance/store/storetest"
)

// TestClusterTwoNodes runs two appliances on one MariaDB database, as behind
// a load balancer that sends the customer to one node and the agent to the
// other: the hand-off, the routing, the agent's reply and the customer's
// widget all cross nodes live; presence on one node leaves alone an agent
// connected to the other; a knowledge answer published through one node
// answers customers on the other; when the routing node stops, the other
// takes over the queue.
func TestClusterTwoNodes(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two appliances")
	}
	if os.Getenv("KEFU_TEST_MYSQL") == "off" {
		t.Skip("KEFU_TEST_MYSQL=off")
	}
	env := func(node string) map[string]string {
		return map[string]string{
			"KEFU_DATABASE_DSN":             storeDSN,
			"KEFU_SECRET_KEY":               "6b6566752d636c75737465722d746573742d6b65792d303132333435363738",
			"KEFU_CLUSTER_ENABLED":          "true",
			"KEFU_CLUSTER_NODE_ID":          node,
			"KEFU_CLUSTER_POLL":             "50ms",
			"KEFU_CLUSTER_HEARTBEAT":        "1s",
			"KEFU_SESSION_PRESENCE_TIMEOUT": "30s",
		}
	}
	storeDSN = storetest.NewMySQLDatabase(t)
	a, stopA := startApp(t, t.TempDir(), env("node-a"))
	b, _ := startApp(t, t.TempDir(), env("node-b"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// The agent works on node A; the customer's widget is on node B.
	agent1, ev1 := mustLogin(t, ctx, a.URL(), "agent1")
	sess := widgetSession(t, b.URL())
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	widget, _, err := websocket.Dial(wctx, strings.Replace(b.URL(), "http", "ws", 1)+"/api/v1/widget/ws?token="+sess["token"]+"&after=0", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer widget.CloseNow()
	if err := wsjson.Write(wctx, widget, map[string]string{"type": "send", "message_id": "c-1", "text": "转人工"}); err != nil {
		t.Fatal(err)
	}
	// The customer's message, stored on B, reaches the agent's console on A,
	// and the hand-off is routed to the agent (by whichever node routes).
	msg := ev1.wait(t, "the customer's message on the other node", 5*time.Second, func(e consoleEvent) bool {
		return e.Type == appliance.EventMessage && e.Message.Text == "转人工"
	})
	conv := msg.Message.ConversationID
	ev1.wait(t, "the hand-off routed to the agent on the other node", 5*time.Second, routedTo(conv, agent1.ID))

	// The agent takes it and replies on A; the widget on B shows the reply.
	path := fmt.Sprintf("/api/v1/conversations/%d", conv)
	if err := agent1.call(ctx, "POST", path+"/take", nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := agent1.call(ctx, "POST", path+"/messages", map[string]any{"text": "您好，我是客服小王"}, nil); err != nil {
		t.Fatal(err)
	}
	for {
		var f map[string]any
		if err := wsjson.Read(wctx, widget, &f); err != nil {
			t.Fatalf("the agent's reply never reached the widget on the other node: %v", err)
		}
		if m, _ := f["message"].(map[string]any); m != nil && m["text"] == "您好，我是客服小王" {
			break
		}
	}

	// Presence: B's sweep leaves agent1 (connected to A) online once B has
	// heard A's heartbeat.
	deadline := time.Now().Add(5 * time.Second)
	for !b.Node.ConnectedElsewhere(agent1.ID) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n, err := b.Server.SweepPresence(ctx, time.Now().Add(31*time.Second)); err != nil || statusOf(t, b, "agent1") == appliance.AgentOffline {
		t.Fatalf("node B set offline an agent connected to node A: %d, %v", n, err)
	}

	// Knowledge published through A answers customers on B.
	app := &appClient{t: t, url: b.URL(), key: b.DemoInfo.AppKey, secret: b.DemoInfo.AppSecret}
	const q = "宠物能进店吗"
	if got := ask(t, app, "pet-1", "m1", q); strings.Contains(got, petsAnswer) {
		t.Fatalf("answered before publishing: %q", got)
	}
	ed := login(t, a.URL(), "editor")
	sheet := "问题,相似问题,答案,标签\n店里能带宠物吗？,可以带狗进店吗|宠物能进店吗," + petsAnswer + ",门店\n"
	st, body := ed.upload("/api/v1/knowledge/uploads", "pets.csv", []byte(sheet), nil)
	if st != 201 {
		t.Fatalf("upload: %d %v", st, body)
	}
	id := body["items"].([]any)[0].(map[string]any)["id"].(string)
	for _, act := range []string{"submit", "publish"} {
		if st, body := ed.do("POST", "/api/v1/knowledge/items/"+id+"/transitions", map[string]any{"action": act}, true); st != 200 {
			t.Fatalf("%s: %d %v", act, st, body)
		}
	}
	var got string
	for i := 0; i < 150; i++ {
		if got = ask(t, app, fmt.Sprintf("pet-%d", i+2), "m1", q); got == petsAnswer {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got != petsAnswer {
		t.Errorf("node B after publishing on node A: got %q, want %q", got, petsAnswer)
	}

	// An intent added to the catalog through A is understood on B.
	const phrase = "可以帮我把礼物寄给我妈妈吗"
	if got := ask(t, app, "cat-1", "c-1", phrase); got == "请问希望礼物哪天送到？" {
		t.Fatalf("node B knows the intent before it exists")
	}
	admin := login(t, a.URL(), "admin")
	_, cur := admin.do("GET", "/api/v1/nlu/catalog", nil, false)
	cat := cur["catalog"].(map[string]any)
	cat["intents"] = append(cat["intents"].([]any), giftDelivery)
	if st, body := admin.do("PUT", "/api/v1/nlu/catalog", map[string]any{"catalog": cat, "base_version": 0}, true); st != 200 {
		t.Fatalf("save the catalog on A: %d %v", st, body)
	}
	for i := 0; i < 300; i++ { // B retrains in the background: seconds
		if got = ask(t, app, fmt.Sprintf("cat-%d", i+2), "c-1", phrase); got == "请问希望礼物哪天送到？" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got != "请问希望礼物哪天送到？" {
		t.Errorf("node B after the catalog was saved on A: got %q, want the new intent's question", got)
	}

	// One customer writing through both nodes at once (a new customer: the
	// first messages open the conversation) gets one conversation, each
	// message stored and answered once, in one intact chain.
	onA := &appServer{base: a.URL(), key: a.DemoInfo.AppKey, secret: a.DemoInfo.AppSecret, http: http.DefaultClient}
	onB := &appServer{base: b.URL(), key: b.DemoInfo.AppKey, secret: b.DemoInfo.AppSecret, http: http.DefaultClient}
	const burst = 16
	convs := make(chan int64, burst)
	var wg sync.WaitGroup
	for i := range burst {
		wg.Add(1)
		go func() {
			defer wg.Done()
			srv := onA
			if i%2 == 1 {
				srv = onB
			}
			out, err := srv.say(ctx, "both-nodes-1", fmt.Sprintf("m-%d", i), fmt.Sprintf("运费怎么算 %d", i))
			if err != nil {
				t.Error(err)
				return
			}
			convs <- out.ConversationID
		}()
	}
	wg.Wait()
	close(convs)
	seen := map[int64]int{}
	for c := range convs {
		seen[c]++
	}
	if len(seen) != 1 {
		t.Fatalf("one customer writing through two nodes got conversations %v, want one", seen)
	}
	for c := range seen {
		rep, err := a.Store.VerifyConversation(ctx, c)
		if err != nil || !rep.Valid || rep.Messages != 2*burst {
			t.Errorf("the conversation's record: %+v, %v; want %d messages in an intact chain", rep, err, 2*burst)
		}
	}

	// A QA rule a supervisor adds through A checks agents' messages stored
	// through B, which had its rules loaded already.
	agentOnB := login(t, b.URL(), "agent1")
	say := func(text string) {
		t.Helper()
		if st, body := agentOnB.do("POST", path+"/messages", map[string]any{"text": text}, true); st != 201 {
			t.Fatalf("agent message through B: %d %v", st, body)
		}
	}
	say("请问还有其他问题吗？") // B's watcher loads its rules
	boss := login(t, a.URL(), "supervisor")
	if st, body := boss.do("POST", "/api/v1/qa/rules", map[string]any{"name": "集群测试禁语", "kind": "phrase", "severity": "high",
		"phrases": []string{"自己去查"}}, true); st != 201 {
		t.Fatalf("rule through A: %d %v", st, body)
	}
	alerted := func() bool {
		_, body := boss.do("GET", "/api/v1/qa/alerts", nil, false)
		alerts, _ := body["alerts"].([]any)
		for _, x := range alerts {
			if x.(map[string]any)["rule_name"] == "集群测试禁语" {
				return true
			}
		}
		return false
	}
	deadline = time.Now().Add(10 * time.Second)
	for n := 0; !alerted(); n++ {
		if time.Now().After(deadline) {
			t.Fatal("node B never applied the QA rule added through node A")
		}
		say(fmt.Sprintf("物流的事你自己去查吧 %d", n))
		time.Sleep(200 * time.Millisecond)
	}

	// Only one node routes: the router lock is held.
	if _, err := a.Store.TryJobLock(ctx, "router"); appliance.ErrorCode(err) != "job_running" {
		t.Errorf("router lock: got %v, want it held by a routing node", err)
	}
	// The metrics say so: A routes, B does not, and B delivered A's events.
	metric := func(p *Program, name string) float64 {
		t.Helper()
		resp, err := http.Get(p.URL() + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body strings.Builder
		io.Copy(&body, resp.Body)
		for _, line := range strings.Split(body.String(), "\n") {
			if v, ok := strings.CutPrefix(line, name+" "); ok {
				f, _ := strconv.ParseFloat(v, 64)
				return f
			}
		}
		t.Fatalf("%s not in the metrics", name)
		return 0
	}
	if ra, rb := metric(a, "kefu_cluster_router"), metric(b, "kefu_cluster_router"); ra != 1 || rb != 0 {
		t.Errorf("kefu_cluster_router: A %v, B %v; want 1 and 0", ra, rb)
	}
	if d := metric(b, "kefu_cluster_events_delivered_total"); d < 3 {
		t.Errorf("B delivered %v of A's events", d)
	}
	if d := metric(a, "kefu_cluster_events_dropped_total"); d != 0 {
		t.Errorf("A dropped %v events", d)
	}

	// Five wrong passwords through A lock the account on B as well.
	tryLogin := func(base, password string) (int, string) {
		t.Helper()
		body, _ := json.Marshal(map[string]string{"username": "compliance", "password": password})
		resp, err := http.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, errCode(out)
	}
	for i := 0; i < 5; i++ {
		if st, code := tryLogin(a.URL(), "wrong-password"); st != 401 {
			t.Fatalf("wrong password %d through A: %d %s", i+1, st, code)
		}
	}
	// B hears of them within a few reads of the event log: until then a
	// wrong password through B is one more failure (never a reset). Fewer
	// than five of those: B alone would lock only after five of its own.
	locked := false
	for i := 0; i < 4 && !locked; i++ {
		st, _ := tryLogin(b.URL(), "wrong-password")
		locked = st == 429
		time.Sleep(300 * time.Millisecond)
	}
	if !locked {
		t.Fatal("node B took four more wrong passwords after five through A")
	}
	if st, code := tryLogin(b.URL(), DemoPassword); st != 429 || code != "too_many_attempts" {
		t.Fatalf("the right password through B after five wrong ones through A: %d %s, want 429 too_many_attempts", st, code)
	}

	// kefu doctor names the nodes and the one that routes.
	if msg, err := checkCluster(ctx, a.Config); err != nil || !strings.Contains(msg, "2 node(s) alive") || !strings.Contains(msg, "node-a (routing)") {
		t.Errorf("doctor: %q, %v", msg, err)
	}

	// Node A stops (it routes: it started first); the agent's console
	// reconnects through the load balancer to B, which takes over routing.
	stopA()
	_, ev1b := mustLogin(t, ctx, b.URL(), "agent1")
	buyer := &appServer{base: b.URL(), key: b.DemoInfo.AppKey, secret: b.DemoInfo.AppSecret, http: http.DefaultClient}
	out, err := buyer.say(ctx, "demo-1001", "h-1", "转人工")
	if err != nil {
		t.Fatal(err)
	}
	ev1b.wait(t, "a hand-off routed by node B after node A stopped", 10*time.Second, routedTo(out.ConversationID, agent1.ID))
}

var storeDSN string

// TestClusterFailoverAfterKill: the routing node is killed (SIGKILL, no
// goodbye); the other node takes the router lock (MariaDB frees a named lock
// with its connection), routes the next hand-off, and answers a message the
// dead node had accepted but not answered.
func TestClusterFailoverAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the appliance as a child process")
	}
	if os.Getenv("KEFU_TEST_MYSQL") == "off" {
		t.Skip("KEFU_TEST_MYSQL=off")
	}
	dsn := storetest.NewMySQLDatabase(t)
	env := func(node string) map[string]string {
		return map[string]string{
			"KEFU_DATABASE_DSN": dsn, "KEFU_SECRET_KEY": "6b6566752d6661696c6f7665722d746573742d6b65792d3031323334353637",
			"KEFU_CLUSTER_ENABLED": "true", "KEFU_CLUSTER_NODE_ID": node, "KEFU_CLUSTER_POLL": "50ms",
			"KEFU_CLUSTER_HEARTBEAT": "1s", "KEFU_CLUSTER_RECOVER": "10s",
		}
	}
	a := startCrashChild(t, t.TempDir(), env("node-a")) // first: it routes
	b, _ := startApp(t, t.TempDir(), env("node-b"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if b.routing.Load() {
		t.Fatal("node B routes while node A is alive")
	}
	agent1, ev1 := mustLogin(t, ctx, b.URL(), "agent1")

	// A message node A accepted and never answered: stored, unhandled, from
	// 30 s ago (A was killed before it could answer).
	buyer := &appServer{base: b.URL(), key: b.DemoInfo.AppKey, secret: b.DemoInfo.AppSecret, http: http.DefaultClient}
	first, err := buyer.say(ctx, "failover-1", "f-1", "在吗")
	if err != nil {
		t.Fatal(err)
	}
	conv, err := b.Store.Conversation(ctx, first.ConversationID)
	if err != nil {
		t.Fatal(err)
	}
	orphan := &appliance.Message{ConversationID: conv.ID, CustomerID: conv.CustomerID, Channel: "app", Sender: appliance.SenderCustomer,
		Kind: appliance.KindText, Text: "运费怎么算", ChannelMsgID: "f-2", CreatedAt: time.Now().Add(-30 * time.Second).UTC()}
	if err := b.Store.CreateMessage(ctx, orphan, "app|failover|f-2"); err != nil {
		t.Fatal(err)
	}

	a.kill()
	// B takes over routing...
	out, err := buyer.say(ctx, "failover-2", "h-1", "转人工")
	if err != nil {
		t.Fatal(err)
	}
	ev1.wait(t, "the hand-off routed by node B after node A was killed", 15*time.Second, routedTo(out.ConversationID, agent1.ID))
	// ...and answers what A left unanswered, once.
	deadline := time.Now().Add(20 * time.Second)
	for {
		msgs, err := b.Store.Messages(ctx, appliance.MessageFilter{ConversationID: conv.ID})
		if err != nil {
			t.Fatal(err)
		}
		var replies int
		for _, m := range msgs {
			if m.ReplyTo == orphan.ID {
				replies++
			}
		}
		if un, _ := b.Store.Unhandled(ctx, 10); len(un) == 0 && replies > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("node B did not answer the message node A left (replies %d)", replies)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
