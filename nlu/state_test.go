package nlu_test

import (
	"slices"
	"testing"
	"time"

	"kefu/nlu"
	"kefu/nlu/catalogs"
	"kefu/nlu/entity"
)

var t0 = time.Date(2026, 11, 24, 10, 0, 0, 0, entity.Shanghai())

type dialogue struct {
	t   *testing.T
	cat *nlu.Catalog
	x   *entity.Extractor
}

func newDialogue(t *testing.T, catalog string) *dialogue {
	t.Helper()
	cat, err := catalogs.Load(catalog)
	if err != nil {
		t.Fatal(err)
	}
	x, err := entity.New(entity.Config{Terms: cat.Terms})
	if err != nil {
		t.Fatal(err)
	}
	return &dialogue{t: t, cat: cat, x: x}
}

// say builds the Result an engine would return for text with the given
// intent, extracting entities for real.
func (d *dialogue) say(prev *nlu.State, text, intent string, conf float64, at time.Time, lang string) nlu.Turn {
	res := nlu.Result{Intent: intent, Confidence: conf, Entities: d.x.Extract(text, at)}
	return nlu.Track(prev, res, d.cat, at, lang, nlu.TrackConfig{})
}

func TestCarryOverOrder(t *testing.T) {
	d := newDialogue(t, "ecommerce")
	first := d.say(nil, "我昨天买的鞋子啥时候到?", "order_status", 0.9, t0, "zh")
	if !first.Complete {
		t.Fatalf("order_status: got missing %v, want complete (product and date identify the order)", first.Missing)
	}
	if first.Filled["product"] != "鞋子" || first.Filled["purchase_date"] != "2026-11-23" {
		t.Fatalf("order_status slots: got %v, want product 鞋子 and purchase_date 2026-11-23", first.Filled)
	}
	second := d.say(&first.State, "能催吗?", "urge_delivery", 0.8, t0.Add(time.Minute), "zh")
	if second.State.ActiveIntent != "urge_delivery" || !second.Complete {
		t.Fatalf("urge: got intent %q missing %v, want urge_delivery complete", second.State.ActiveIntent, second.Missing)
	}
	if second.Filled["product"] != "鞋子" || second.Filled["purchase_date"] != "2026-11-23" {
		t.Errorf("urge slots: got %v, want the same order (鞋子, 2026-11-23)", second.Filled)
	}
	if !slices.Contains(second.Carried, "purchase_date") {
		t.Errorf("carried: got %v, want purchase_date carried over", second.Carried)
	}
	if len(second.Questions) != 0 {
		t.Errorf("urge asked %v, want no question", second.Questions)
	}
}

func TestFocusAcrossChannels(t *testing.T) {
	d := newDialogue(t, "ecommerce")
	search := d.say(nil, "有没有儿童雨靴", "product_search", 0.9, t0, "zh")
	// Later, on another channel: the state belongs to the customer.
	later := t0.Add(10 * time.Minute)
	stock := d.say(&search.State, "那雨靴有35码吗?", "size_stock", 0.9, later, "zh")
	if got := stock.Filled["product"]; got != "儿童雨靴" {
		t.Errorf("product: got %q, want 儿童雨靴 kept in focus", got)
	}
	if got := stock.Filled["size"]; got != "35" {
		t.Errorf("size: got %q, want 35", got)
	}
	if got := stock.State.Focus["product"].Value; got != "儿童雨靴" {
		t.Errorf("focus: got %q, want 儿童雨靴", got)
	}
	// A different product replaces the focus.
	other := d.say(&stock.State, "有没有蓝牙耳机", "product_search", 0.9, later.Add(time.Minute), "zh")
	if got := other.State.Focus["product"].Value; got != "蓝牙耳机" {
		t.Errorf("focus after another product: got %q, want 蓝牙耳机", got)
	}
}

func TestGuidedFlow(t *testing.T) {
	d := newDialogue(t, "travel")
	ask := d.say(nil, "有没有靠近地铁站的双床房?", "hotel_search", 0.9, t0, "zh")
	if want := []string{"checkin_date", "budget"}; !slices.Equal(ask.Missing, want) {
		t.Fatalf("missing: got %v, want %v", ask.Missing, want)
	}
	if got, want := ask.Prompt(), "请问入住日期是哪天？预算在多少？"; got != want {
		t.Errorf("prompt: got %q, want %q", got, want)
	}
	if ask.Filled["room_type"] != "双床房" || ask.Filled["feature"] != "靠近地铁站" {
		t.Errorf("slots: got %v, want room_type 双床房 and feature 靠近地铁站", ask.Filled)
	}
	// The answer carries no intent of its own.
	half := d.say(&ask.State, "明天入住", "", 0, t0.Add(time.Minute), "zh")
	if half.State.ActiveIntent != "hotel_search" || !slices.Equal(half.Missing, []string{"budget"}) {
		t.Fatalf("after the date: got intent %q missing %v, want hotel_search missing [budget]", half.State.ActiveIntent, half.Missing)
	}
	done := d.say(&half.State, "三百到五百吧", "recommendation", 0.3, t0.Add(2*time.Minute), "zh")
	if !done.Complete || done.Filled["budget"] != "300-500" || done.Filled["checkin_date"] != "2026-11-25" {
		t.Fatalf("after the budget: got %v missing %v, want complete with budget 300-500 and checkin 2026-11-25", done.Filled, done.Missing)
	}
	if done.Filled["room_type"] != "双床房" {
		t.Errorf("room_type lost: got %v", done.Filled)
	}
	en := d.say(nil, "do you have a twin room near the metro", "hotel_search", 0.9, t0, "en")
	if got, want := en.Questions, []string{"Which day will you check in?", "What is your budget?"}; !slices.Equal(got, want) {
		t.Errorf("English questions: got %v, want %v", got, want)
	}
}

func TestExpiry(t *testing.T) {
	d := newDialogue(t, "ecommerce")
	first := d.say(nil, "我昨天买的鞋子啥时候到?", "order_status", 0.9, t0, "zh")
	late := d.say(&first.State, "能催吗?", "urge_delivery", 0.9, t0.Add(2*time.Hour), "zh")
	if !late.Expired {
		t.Errorf("expired: got false after 2h, want true")
	}
	// The task expired, but what it was about stays in focus for the day:
	// the shoes of yesterday are still the ones to urge.
	if !late.Complete || late.State.Focus["product"].Value == "" {
		t.Errorf("after expiry with focus kept: got complete %v focus %v, want the product in focus", late.Complete, late.State.Focus)
	}
	forgot := nlu.Track(&first.State, nlu.Result{Intent: "urge_delivery", Confidence: 0.9}, d.cat, t0.Add(2*time.Hour), "zh",
		nlu.TrackConfig{FocusTimeout: -1})
	if forgot.Complete || !slices.Equal(forgot.Missing, []string{"order_no"}) {
		t.Errorf("after expiry without focus: got missing %v, want [order_no] asked again", forgot.Missing)
	}
	dayLater := nlu.Track(&first.State, nlu.Result{Intent: "urge_delivery", Confidence: 0.9}, d.cat, t0.Add(25*time.Hour), "zh", nlu.TrackConfig{})
	if dayLater.Complete || len(dayLater.State.Focus) != 0 {
		t.Errorf("a day later: got complete %v focus %v, want everything forgotten", dayLater.Complete, dayLater.State.Focus)
	}
	kept := nlu.Track(&first.State, nlu.Result{Intent: "urge_delivery", Confidence: 0.9}, d.cat, t0.Add(2*time.Hour), "zh",
		nlu.TrackConfig{IdleTimeout: 3 * time.Hour})
	if kept.Expired || !kept.Complete {
		t.Errorf("with a 3h idle timeout: got expired %v complete %v, want kept and complete", kept.Expired, kept.Complete)
	}
}

func TestTrackDoesNotModifyPrev(t *testing.T) {
	d := newDialogue(t, "ecommerce")
	first := d.say(nil, "有没有儿童雨靴", "product_search", 0.9, t0, "zh")
	before := first.State.Focus["product"]
	_ = d.say(&first.State, "有没有蓝牙耳机", "product_search", 0.9, t0, "zh")
	if first.State.Focus["product"] != before {
		t.Errorf("Track modified the previous state's focus")
	}
}

func TestBuiltinsKeepTask(t *testing.T) {
	d := newDialogue(t, "travel")
	ask := d.say(nil, "有没有靠近地铁站的双床房?", "hotel_search", 0.9, t0, "zh")
	thanks := d.say(&ask.State, "谢谢", nlu.IntentThanks, 1, t0, "zh")
	if thanks.State.ActiveIntent != "hotel_search" {
		t.Errorf("after thanks: got %q, want hotel_search kept", thanks.State.ActiveIntent)
	}
	bye := d.say(&ask.State, "再见", nlu.IntentGoodbye, 1, t0, "zh")
	if bye.State.ActiveIntent != "" || bye.Intent != nil {
		t.Errorf("after goodbye: got %q, want no active intent", bye.State.ActiveIntent)
	}
}

// Naming another product moves on from the order in focus: neither its
// number nor the day it was bought is carried, so the product finds its own
// order; naming the same product again keeps them.
func TestAnotherProductLeavesTheOrder(t *testing.T) {
	d := newDialogue(t, "ecommerce")
	first := d.say(nil, "我昨天买的鞋子啥时候到?", "order_status", 0.9, t0, "zh")
	nlu.Remember(&first.State, "order", nlu.Entity{Type: "order_no", Text: "E202611230017", Value: "E202611230017"})
	cream := d.say(&first.State, "那面霜呢?", "order_status", 0.9, t0.Add(time.Minute), "zh")
	if cream.Filled["product"] != "面霜" {
		t.Fatalf("product: got %v, want 面霜", cream.Filled)
	}
	if v, ok := cream.Filled["order_no"]; ok {
		t.Errorf("order_no: got %q carried from the shoes, want none (the product finds its order)", v)
	}
	if v, ok := cream.Filled["purchase_date"]; ok {
		t.Errorf("purchase_date: got %q carried from the shoes, want none", v)
	}
	if !cream.Complete || len(cream.Questions) != 0 {
		t.Errorf("got missing %v questions %v, want complete (the product identifies the order)", cream.Missing, cream.Questions)
	}
	ret := d.say(&first.State, "面霜我想退", "return_request", 0.9, t0.Add(time.Minute), "zh")
	if v, ok := ret.Filled["order_no"]; ok {
		t.Errorf("return: order_no %q carried from the shoes, want none", v)
	}
	// The same product again is the same order.
	same := d.say(&first.State, "鞋子能催吗?", "urge_delivery", 0.9, t0.Add(time.Minute), "zh")
	if same.Filled["order_no"] != "E202611230017" || same.Filled["purchase_date"] != "2026-11-23" {
		t.Errorf("same product: got %v, want the order in focus and its day carried", same.Filled)
	}
	// No product named: the order in focus, as before.
	urge := d.say(&first.State, "能催吗?", "urge_delivery", 0.9, t0.Add(time.Minute), "zh")
	if urge.Filled["order_no"] != "E202611230017" {
		t.Errorf("urge: got %v, want the order in focus", urge.Filled)
	}
}

// A new amount is the amount: "CNY 500" after "CNY 5000" is not a vaguer
// mention of it (only dictionary names refine one another).
func TestNewAmountReplacesTheOld(t *testing.T) {
	d := newDialogue(t, "finance")
	first := d.say(nil, "提现5000元", "withdraw", 0.9, t0, "zh")
	if first.Filled["amount"] != "CNY 5000" {
		t.Fatalf("first: %v", first.Filled)
	}
	second := d.say(&first.State, "I want to withdraw 500 yuan", "withdraw", 0.9, t0.Add(time.Minute), "en")
	if second.Filled["amount"] != "CNY 500" {
		t.Errorf("second: got %v, want amount CNY 500", second.Filled)
	}
}

// A task with effects asked again for something else is a new request: the
// last one's day is not assumed. A lookup keeps what it had: another city,
// the same dates.
func TestNewRequestDoesNotAssume(t *testing.T) {
	d := newDialogue(t, "education")
	first := d.say(nil, "下周六试听编程课", "trial_lesson", 0.9, t0, "zh")
	if !first.Complete || first.Filled["course"] != "Python入门" {
		t.Fatalf("first trial: %v missing %v", first.Filled, first.Missing)
	}
	second := d.say(&first.State, "钢琴课可以试听吗", "trial_lesson", 0.9, t0.Add(time.Minute), "zh")
	if second.Filled["course"] != "钢琴启蒙" || second.Filled["date"] != "" || !slices.Contains(second.Missing, "date") {
		t.Errorf("second trial: %v missing %v, want the piano course and the day asked", second.Filled, second.Missing)
	}

	tr := newDialogue(t, "travel")
	search := tr.say(nil, "上海明天入住的双床房，预算300-500", "hotel_search", 0.9, t0, "zh")
	other := tr.say(&search.State, "那杭州呢", "hotel_search", 0.9, t0.Add(time.Minute), "zh")
	if other.Filled["city"] != "杭州" || other.Filled["checkin_date"] == "" || other.Filled["checkin_date"] != search.Filled["checkin_date"] {
		t.Errorf("another city: %v, want 杭州 with the same check-in date as %v", other.Filled, search.Filled)
	}
}
