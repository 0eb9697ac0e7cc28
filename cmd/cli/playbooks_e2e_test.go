package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"kefu/appliance"
)

// step is one customer message and what the replies must say.
type step struct {
	say    string
	photos int      // images attached (uploaded by the app to its storage)
	want   []string // substrings the replies must contain, in order of the replies joined
	not    []string // substrings no reply may contain
}

// conversation is a playbook conversation through the app API, word for word.
type conversation struct {
	name  string
	user  string
	steps []step
}

func (a *appClient) sendWith(userID, msgID, text string, photos int) (int, map[string]any) {
	req := map[string]any{"user_id": userID, "message_id": msgID, "text": text}
	var atts []appliance.Attachment
	for i := range photos {
		atts = append(atts, appliance.Attachment{Type: "image", URL: fmt.Sprintf("https://app.example.com/uploads/%s-%d.jpg", msgID, i)})
	}
	if len(atts) > 0 {
		req["attachments"] = atts
	}
	body, _ := json.Marshal(req)
	return a.do("POST", "/api/v1/app/messages", body, time.Now(), nil)
}

func replyText(body map[string]any) string {
	var parts []string
	for _, r := range replies(body) {
		parts = append(parts, r["text"].(string))
	}
	return strings.Join(parts, "\n")
}

// playbookConversations are the conversations of issue 6, by playbook.
var playbookConversations = []conversation{
	{name: "ecommerce/order_by_context_and_urge", user: "demo-1001", steps: []step{
		{say: "我昨天买的鞋子啥时候到?", want: []string{"已发顺丰，物流单号 SF1402356789012，预计明天18点前送达"}},
		{say: "能催吗?", want: []string{"加急派送"}},
		// One 催件 ticket per order while it is being handled.
		{say: "能再催一下吗", want: []string{"订单E", "已在加急处理中（工单 #"}, not: []string{"已联系顺丰"}},
	}},
	{name: "ecommerce/latest_order_when_none_named", user: "demo-1001", steps: []step{
		{say: "我的快递到哪了", want: []string{"已发顺丰", "预计明天18点前送达"}, not: []string{"订单号是多少"}},
	}},
	// The same question about another product: that product's own order.
	// The README's walk: after 催件, "那面霜呢?" is the cream's order status.
	{name: "ecommerce/status_after_urging", user: "demo-1001", steps: []step{
		{say: "我昨天买的鞋子啥时候到?", want: []string{"已发顺丰"}},
		{say: "能催吗?", want: []string{"加急"}},
		{say: "那面霜呢?", want: []string{"水润保湿面霜 50g）已签收"}, not: []string{"加急", "工单", "无法回答"}},
	}},
	{name: "ecommerce/follow_up_on_another_product", user: "demo-1001", steps: []step{
		{say: "我昨天买的鞋子啥时候到?", want: []string{"已发顺丰"}},
		{say: "那面霜呢?", want: []string{"水润保湿面霜 50g）已签收"}, not: []string{"顺丰"}},
		// Delivered, so the shop declines to hurry it and no ticket is opened.
		{say: "能催吗?", want: []string{"已经签收了，无需催件"}, not: []string{"工单"}},
		// Hurrying is not repeated on a hint: "那鞋子呢?" after it is not a
		// second 催件.
		{say: "那鞋子呢?", not: []string{"加急", "工单"}},
	}},
	{name: "ecommerce/return_with_photos", user: "demo-1001", steps: []step{
		{say: "这个面霜用了过敏 想退", want: []string{"请上传过敏部位照片"}},
		{photos: 1, want: []string{"已收到第1张照片", "还可以再上传2张"}},
		{photos: 2, want: []string{"已为您提交退货申请", "待审核"}},
	}},
	{name: "ecommerce/return_reason_in_own_words", user: "demo-2001", steps: []step{
		{say: "奶粉我想退货", want: []string{"方便说一下退货原因"}},
		// A policy question is answered from the knowledge base; the return
		// still waits.
		{say: "退货运费谁出？", want: []string{"运费由我们承担"}, not: []string{"已记下", "上传照片"}},
		{say: "宝宝不爱喝，不想要了", want: []string{"已记下：宝宝不爱喝，不想要了"}, not: []string{"还需要您上传照片"}},
		{say: "提交", want: []string{"已为您提交退货申请", "原因：宝宝不爱喝，不想要了）", "待审核"}, not: []string{"其他"}},
		// The same order again: the request in progress, not a second one.
		{say: "奶粉我想退货", want: []string{"已有退货申请（工单 #", "当前状态：待审核"}, not: []string{"方便说一下"}},
	}},
	{name: "ecommerce/damage_needs_photos", user: "demo-1001", steps: []step{
		{say: "鞋子我想退货", want: []string{"方便说一下退货原因"}},
		{say: "收到的时候鞋盒是破的", want: []string{"请上传商品问题部位的照片"}, not: []string{"转接"}},
		{say: "提交", want: []string{"还需要您上传照片"}},
		{photos: 1, want: []string{"已收到第1张照片"}},
		{say: "提交", want: []string{"已为您提交退货申请", "质量问题", "鞋盒是破的"}},
	}},
	{name: "ecommerce/size_and_stock", user: "demo-1001", steps: []step{
		{say: "雨靴有35码吗", want: []string{"库存还有2双"}},
	}},
	// A size asked for and given as a bare number, then another by a
	// follow-up, in Chinese and English; a product search is no calcium
	// recommendation for a pregnant customer (that rule needs 补钙/钙片).
	{name: "ecommerce/size_asked_then_given", user: "demo-2001", steps: []step{
		{say: "雨靴有货吗", want: []string{"请问需要什么尺码"}},
		{say: "35", want: []string{"35码库存还有2双"}, not: []string{"祝您生活愉快"}},
		{say: "那36呢", want: []string{"没有36码"}},
		{say: "what about 34?", want: []string{"size 34: 3 pairs left"}},
		{say: "do you have rain boots?", want: []string{"Found: "}, not: []string{"钙片", "为您找到"}},
	}},
	{name: "ecommerce/recommendation_from_history", user: "demo-1001", steps: []step{
		{say: "有什么推荐的吗", want: []string{"根据您购买过的轻跑运动鞋", "速干运动袜"}},
	}},
	{name: "ecommerce/personalized_late_pregnancy", user: "demo-2001", steps: []step{
		{say: "推荐一款补钙的", want: []string{"贝诺孕妇配方奶粉", "孕28周", "贝诺孕晚期钙片"}},
	}},
	{name: "ecommerce/eczema_reminder", user: "demo-2002", steps: []step{
		{say: "宝宝又长湿疹了怎么办", want: []string{"您去年购买过安肤宝婴儿湿疹膏"}},
	}},
	// In English throughout: an ID number or a name in Chinese characters
	// does not switch the conversation to Chinese.
	{name: "finance/verification_in_english", user: "demo-1001", steps: []step{
		{say: "I want to withdraw 500 yuan", want: []string{"verify your identity"}},
		{say: "11010519491231002X", want: []string{"name on your ID card"}, not: []string{"姓名"}},
		{say: "张三", want: []string{"portrait side of your ID card"}, not: []string{"身份证"}},
		{say: "cancel", want: []string{"cancelled"}},
	}},
	{name: "finance/bad_checksum_and_mismatch", user: "demo-1001", steps: []step{
		{say: "我要转账", want: []string{"实名验证"}},
		{say: "110105194912310021", want: []string{"校验未通过"}},
		{say: "11010519491231002X", want: []string{"姓名"}},
		{say: "李四", want: []string{"不一致"}},
	}},
	{name: "finance/withdrawal_verified_first", user: "demo-1001", steps: []step{
		{say: "提现多久到账", want: []string{"实名验证", "身份证号码"}, not: []string{"到账", "15:00"}},
		{say: "11010519491231002X", want: []string{"请输入身份证上的姓名"}},
		{say: "张三", want: []string{"请上传身份证人像面照片"}},
		{photos: 1, want: []string{"实名验证已通过", "15:00 前发起的提现当天到账", "请问要提现多少钱"}},
		{say: "提现5000元", want: []string{"已为您提交提现 5000 元到银行卡尾号 0128"}},
		// A new amount is that amount, not the last one ("CNY 5000" holds
		// "CNY 500" as text).
		{say: "再提现500元", want: []string{"已为您提交提现 500 元"}, not: []string{"5000"}},
	}},
	// An order number alone is not a reason to ask for an ID.
	{name: "finance/no_gate_on_a_guess", user: "demo-1001", steps: []step{
		{say: "E202601010001", not: []string{"实名验证", "身份证"}},
	}},
	{name: "finance/risk_disclosure", user: "demo-1001", steps: []step{
		{say: "有什么理财产品", want: []string{"【风险提示】理财非存款，产品有风险，投资须谨慎", "货币类、债券类和混合类"}},
		// Once per conversation, not before each follow-up question.
		{say: "年化多少", want: []string{"七日年化收益率"}, not: []string{"【风险提示】"}},
		{say: "怎么赎回", want: []string{"T+1 日到账"}, not: []string{"【风险提示】"}},
	}},
	// Before buying: the product named is what is recommended and priced;
	// questions about discounts, ordering and couriers are answered, not
	// read as the status of the last order.
	{name: "ecommerce/before_buying", user: "demo-2001", steps: []step{
		{say: "我怀孕了 能喝什么奶粉", want: []string{"贝诺孕妇配方奶粉"}, not: []string{"雨靴"}},
		{say: "这款奶粉多少钱", want: []string{"¥268.00"}, not: []string{"账户"}},
		{say: "有优惠吗", want: []string{"首单立减"}, not: []string{"团购"}},
		{say: "帮我下单一罐", want: []string{"立即购买"}, not: []string{"已签收"}},
		{say: "发什么快递", want: []string{"顺丰速运和中通快递"}, not: []string{"已签收"}},
		{say: "我的快递到哪了", want: []string{"已签收"}},
	}},
	// A product never bought is no reason to return the newest order; the
	// question it leads to is withdrawn by 取消 (which was read as a hotel
	// cancellation) or answered with the order number. A question whether
	// something can be returned gets the policy before the offer.
	// 取消 alone names nothing to cancel: the bot asks what.
	{name: "cancel_names_nothing", user: "demo-9302", steps: []step{
		{say: "取消", want: []string{"请问您想取消哪一项"}, not: []string{"预订单号", "入住"}},
	}},
	{name: "ecommerce/return_policy_first", user: "demo-9301", steps: []step{
		{say: "奶粉开封了能退吗", want: []string{"开封后不支持无理由退货", "请问要退哪个订单"}},
		{say: "取消", want: []string{"已为您取消"}, not: []string{"预订单号", "入住"}},
	}},
	{name: "ecommerce/return_of_what_was_bought", user: "demo-2001", steps: []step{
		// Its return was filed in an earlier conversation: still the policy first.
		{say: "奶粉开封了能退吗", want: []string{"开封后不支持无理由退货", "订单E202609250005已有退货申请"}},
		{say: "那个精华我要退", want: []string{"请问要退哪个订单"}, not: []string{"订单E"}},
		{say: "取消", want: []string{"已为您取消"}, not: []string{"预订单号", "入住"}},
	}},
	// An upset customer is not thanked for their complaint: the bot says
	// sorry and does what was asked.
	{name: "ecommerce/upset_customer", user: "demo-8102", steps: []step{
		{say: "太慢了吧 等了好久了", want: []string{"非常抱歉", "请问要催哪个订单"}, not: []string{"不客气"}},
		{say: "this is ridiculous, my order is a week late", want: []string{"Sorry for the trouble.", "order number"}, not: []string{"don't know"}},
		{say: "运费怎么算", want: []string{"满 99 元全国包邮"}, not: []string{"抱歉"}},
	}},
	// A general question that names no case gets the policy, then the
	// question that would look up the customer's own; while that question
	// is open, another the knowledge base knows is answered.
	{name: "ecommerce/general_question_then_own_case", user: "demo-7001", steps: []step{
		{say: "退款多久到账", want: []string{"1-3 个工作日内发起退款", "请问是哪个订单的退款"}},
		{say: "你们几点下班", want: []string{"9:00-21:00"}, not: []string{"请问是哪个订单"}},
	}},
	// English questions get the English entries of the knowledge base.
	{name: "knowledge_in_english", user: "demo-7002", steps: []step{
		{say: "how long does a refund take?", want: []string{"1-3 working days", "Which order's refund?"}, not: []string{"仓库", "verify your identity"}},
		{say: "do you ship abroad?", want: []string{"mainland China addresses only"}},
		{say: "is breakfast included?", want: []string{"Breakfast is usually served 7:00-10:00"}},
		{say: "运费怎么算", want: []string{"满 99 元全国包邮"}},
	}},
	// A customer the bank does not know: told so, not "the system is down".
	{name: "finance/no_account", user: "demo-2002", steps: []step{
		{say: "我的银行卡丢了怎么办", want: []string{"没有查到您名下在本行的银行卡"}, not: []string{"暂时无法查询", "转接人工"}},
	}},
	{name: "education/refund_by_lessons", user: "demo-1001", steps: []step{
		{say: "我要退课", want: []string{"共10节课，已上1节（10%）", "可退 80% 费用：¥3000.00 × 80% = ¥2400.00", "确认"}},
		// A question while deciding is answered, and the refund still waits.
		{say: "已经上了几节了", want: []string{"共10节，已上1节"}, not: []string{"已为您提交"}},
		{say: "退多少钱", want: []string{"= ¥2400.00", "确认退课请回复“确认”"}, not: []string{"暂时无法回答"}},
		{say: "确认", want: []string{"已为您提交退费申请，退款金额 ¥2400.00"}},
		{say: "我要退课", want: []string{"《少儿英语》的退费申请（工单 #", "无需重复提交"}, not: []string{"确认退课"}},
	}},
	// A trial is of another course than the one taken; a second trial is a
	// new request, its day asked again rather than assumed.
	{name: "education/trial_of_another_course", user: "demo-1001", steps: []step{
		{say: "我想约个试听课", want: []string{"请问想试听哪门课"}, not: []string{"少儿英语"}},
		{say: "编程课", want: []string{"请问想约哪天试听"}},
		{say: "下周六", want: []string{"《Python入门》试听课"}},
		{say: "钢琴课可以试听吗", want: []string{"请问想约哪天试听"}, not: []string{"已为您预约"}},
		{say: "周日", want: []string{"《钢琴启蒙》试听课"}},
	}},
	// Questions about the rules are answered from the knowledge base, not
	// taken for a booking; nothing is booked by the next words.
	{name: "education/rules_are_no_booking", user: "demo-1001", steps: []step{
		{say: "孩子下周三的课能请假吗", want: []string{"提前 24 小时请假可以免费补课"}, not: []string{"请问想报哪门课程", "请问想约哪天"}},
		{say: "少儿英语", not: []string{"已为您预约"}},
		{say: "课程有效期多久", want: []string{"12 个月内有效"}, not: []string{"下节课在"}},
	}},
	{name: "education/booking_and_schedule", user: "demo-1001", steps: []step{
		{say: "我想报名少儿英语", want: []string{"请问想约哪天上课"}},
		{say: "下周三", want: []string{"已为您预约", "《少儿英语》"}},
		{say: "课表发我一下", want: []string{"下节课在", "第2节/共10节"}},
	}},
	{name: "travel/guided_hotel_search", user: "demo-3001", steps: []step{
		{say: "有没有靠近地铁站的双床房?", want: []string{"目前有", "请问入住日期是哪天"}},
		{say: "明天", want: []string{"预算大概多少"}},
		{say: "300-500元", want: []string{"距地铁2号线50米，双床房380元/晚，含早餐"}},
		// Booking the hotel recommended: an agent places it.
		{say: "就订这个吧", want: []string{"正在为您转接人工客服"}, not: []string{"祝您生活愉快"}},
	}},
	// With no hotel search in progress the same words book nothing, and
	// are no goodbye.
	{name: "travel/book_out_of_context", user: "demo-3004", steps: []step{
		{say: "就订这个吧", not: []string{"祝您生活愉快", "转接人工"}},
	}},
	// In English: the city by its English name, sentences apart.
	{name: "travel/hotel_in_english", user: "demo-3003", steps: []step{
		{say: "any twin rooms near the metro in Hangzhou?", want: []string{"Hotels matching so far: 1. Which day will you check in?"}},
		{say: "tomorrow", want: []string{"budget"}},
		{say: "under 500", want: []string{"西湖畔精选酒店"}, not: []string{"悦途"}},
	}},
	// A city the catalog never lists is a place from the lexicon, and 杭州市
	// is 杭州: the search narrows to that city's hotels.
	{name: "travel/hotel_in_a_city", user: "demo-3002", steps: []step{
		{say: "杭州市有没有靠近地铁站的双床房?", want: []string{"杭州、双床房、靠近地铁站的酒店目前有1家", "请问入住日期是哪天"}},
		{say: "明天", want: []string{"预算大概多少"}},
		{say: "400到500", want: []string{"西湖畔精选酒店（龙翔桥店），距地铁1号线300米，双床房450元/晚，含早餐"}, not: []string{"悦途"}},
	}},
}

func TestPlaybookConversations(t *testing.T) {
	p, _ := startApp(t, t.TempDir(), nil)
	app := &appClient{t: t, url: p.URL(), key: p.DemoInfo.AppKey, secret: p.DemoInfo.AppSecret}
	for ci, conv := range playbookConversations {
		t.Run(conv.name, func(t *testing.T) {
			app.t = t
			user := conv.user
			for i, s := range conv.steps {
				app.step(p, user, fmt.Sprintf("c%d-m%d", ci, i), i, s)
			}
			// Each conversation starts afresh for the next one.
			app.sendWith(user, fmt.Sprintf("c%d-bye", ci), "再见", 0)
		})
	}
	// One ticket per matter: asking again, or about a delivered order, opened
	// none. 催件 for the shoes; 退货 for the cream, the milk powder and the
	// shoes; 退费 for the course.
	want := map[string]int{"urge": 1, "return": 3, "refund": 1}
	for typ, n := range want {
		list, err := p.Store.ListTickets(context.Background(), appliance.TicketFilter{Type: typ, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != n {
			var titles []string
			for _, tk := range list {
				titles = append(titles, tk.Title)
			}
			t.Errorf("%s tickets: got %d %v, want %d", typ, len(list), titles, n)
		}
	}
}

// lastDecision is the stored decision path of the last handled message, for failure reports.
func lastDecision(t *testing.T, p *Program) string {
	var row struct{ Decision *string }
	p.Store.DB().Table("messages").Select("decision").Where("decision IS NOT NULL").Order("id DESC").Limit(1).Take(&row)
	if row.Decision == nil {
		return ""
	}
	return *row.Decision
}

// The demo shop's order number written alone (E and 12 digits) answers the
// bot's question; refund_status has no business action in the demo, so the
// knowledge base answers with the intent's own question (退款多久到账？).
func TestBareOrderNumber(t *testing.T) {
	p, _ := startApp(t, t.TempDir(), nil)
	app := &appClient{t: t, url: p.URL(), key: p.DemoInfo.AppKey, secret: p.DemoInfo.AppSecret}
	order := "E" + time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, -1).Format("20060102") + "0017"
	for i, s := range []step{
		{say: "我的退款什么时候到", want: []string{"哪个订单"}},
		{say: order, want: []string{"原路退回"}, not: []string{"实名验证", "无法查询", "暂时无法回答"}},
	} {
		app.step(p, "demo-1001", fmt.Sprint("bare-", i), i, s)
	}
}

// step sends one step of a conversation and checks the replies.
func (a *appClient) step(p *Program, user, msgID string, i int, s step) {
	t := a.t
	t.Helper()
	status, body := a.sendWith(user, msgID, s.say, s.photos)
	if status != 200 {
		t.Fatalf("step %d %q: status %d body %v", i+1, s.say, status, body)
	}
	got := replyText(body)
	for _, w := range s.want {
		if !strings.Contains(got, w) {
			t.Fatalf("step %d %q: got %q, want it to contain %q (decision %s)", i+1, s.say, got, w, lastDecision(t, p))
		}
	}
	for _, n := range s.not {
		if strings.Contains(got, n) {
			t.Fatalf("step %d %q: got %q, must not contain %q", i+1, s.say, got, n)
		}
	}
}
