package demobiz_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"kefu/appliance"
	"kefu/connectors/actions"
	"kefu/connectors/demobiz"
)

func start(t *testing.T) (*demobiz.Server, *actions.Runner) { return startAt(t, time.Now()) }

func startAt(t *testing.T, now time.Time) (*demobiz.Server, *actions.Runner) {
	t.Helper()
	s, err := demobiz.Start(now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	r, err := actions.New(actions.Options{BaseURLs: s.BaseURLs(), Secret: func(ref actions.SecretRef) (string, error) { return s.Secret(ref.Env) }}, demobiz.Actions())
	if err != nil {
		t.Fatal(err)
	}
	return s, r
}

func customer(user string) *appliance.Customer {
	return &appliance.Customer{ID: 1, Identities: []appliance.Identity{{Kind: appliance.IdentityAppUser, Value: user, Verified: true}}}
}

func TestDemoProfileAndOrder(t *testing.T) {
	_, r := start(t)
	recs, err := r.BusinessRecords(context.Background(), customer("demo-1001"))
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, rec := range recs {
		kinds[rec.Kind]++
	}
	if kinds["order"] != 2 || kinds["course"] != 1 || kinds["account"] != 1 {
		t.Fatalf("got records %v, want 2 orders, 1 course, 1 member account", kinds)
	}
	var latest appliance.BusinessRecord
	for _, rec := range recs {
		if rec.Kind == "order" {
			latest = rec
			break
		}
	}
	if latest.Detail["carrier"] != "顺丰" || latest.Status != "已发货" {
		t.Fatalf("latest order: got %+v, want the shipped 顺丰 order first", latest)
	}
	res, _ := r.Call(context.Background(), "order.track", appliance.ActionInput{Customer: customer("demo-1001"), Slots: map[string]string{"order_no": latest.ID}})
	if want := "订单" + latest.ID + "已发顺丰，物流单号 SF1402356789012，预计明天18点前送达。"; res.Text != want {
		t.Errorf("got %q, want %q", res.Text, want)
	}
	// Another customer cannot read it.
	res, _ = r.Call(context.Background(), "order.track", appliance.ActionInput{Customer: customer("demo-2001"), Slots: map[string]string{"order_no": latest.ID}})
	if res.Failure != actions.FailNotFound {
		t.Errorf("other customer's order: got %q, want not found", res.Failure)
	}
	if recs, _ := r.BusinessRecords(context.Background(), &appliance.Customer{ID: 2}); len(recs) != 0 {
		t.Errorf("anonymous visitor: got %d records, want none", len(recs))
	}
}

func TestDemoStockAndHotels(t *testing.T) {
	_, r := start(t)
	res, _ := r.Call(context.Background(), "product.stock", appliance.ActionInput{Slots: map[string]string{"product": "雨靴", "size": "35"}})
	if !strings.Contains(res.Text, "库存还有2双") {
		t.Errorf("stock: got %q, want 库存还有2双", res.Text)
	}
	res, _ = r.Call(context.Background(), "hotel.recommend", appliance.ActionInput{
		Slots: map[string]string{"room_type": "双床房", "feature": "靠近地铁站", "checkin_date": "2026-11-25"},
		Vars:  map[string]string{"budget_min": "300", "budget_max": "500"}})
	if want := "为您推荐：悦途酒店（人民广场店），距地铁2号线50米，双床房380元/晚，含早餐。"; res.Text != want {
		t.Errorf("hotel: got %q, want %q", res.Text, want)
	}
	res, _ = r.Call(context.Background(), "hotel.recommend", appliance.ActionInput{
		Slots: map[string]string{"city": "杭州", "room_type": "双床房", "checkin_date": "2026-11-25"}})
	if want := "为您推荐：西湖畔精选酒店（龙翔桥店），距地铁1号线300米，双床房450元/晚，含早餐。"; res.Text != want {
		t.Errorf("hotel in 杭州: got %q, want %q", res.Text, want)
	}
	res, _ = r.Call(context.Background(), "hotel.search", appliance.ActionInput{Slots: map[string]string{"city": "拉萨"}})
	if n := fmt.Sprint(res.Fields["count"]); n != "0" {
		t.Errorf("hotels in 拉萨: count %s, want 0", n)
	}
}

func TestProductSearchByName(t *testing.T) {
	_, r := start(t)
	for _, words := range []string{"儿童雨靴", "雨靴"} {
		res, err := r.Call(context.Background(), "product.search", appliance.ActionInput{Slots: map[string]string{"product": words}})
		if err != nil {
			t.Fatalf("%s: %v", words, err)
		}
		if !strings.Contains(res.Text, "儿童雨靴") || strings.Contains(res.Text, "没有找到") {
			t.Errorf("search %q: got %q, want the children's rain boots", words, res.Text)
		}
	}
}

func TestProfileRecordsHaveOnlyMappedFields(t *testing.T) {
	_, r := start(t)
	recs, err := r.BusinessRecords(context.Background(), customer("demo-1001"))
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		for _, v := range []string{rec.ID, rec.Title, rec.Status, rec.Amount} {
			if strings.HasPrefix(v, "{") {
				t.Errorf("%s record %s: a field holds the whole item: %q", rec.Kind, rec.ID, v)
			}
		}
	}
}

// TestDemoDatesInBeijingTime: the demo shop dates its orders in Beijing time
// whatever the host's zone: at 01:00 on New Year's Day in Beijing (still 31
// December in UTC) yesterday's order is of 31 December.
func TestDemoDatesInBeijingTime(t *testing.T) {
	_, r := startAt(t, time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC))
	recs, err := r.BusinessRecords(context.Background(), customer("demo-1001"))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, rec := range recs {
		if rec.Kind == "order" {
			ids = append(ids, rec.ID)
		}
	}
	if !slices.Contains(ids, "E202612310017") || !slices.Contains(ids, "E202612160032") {
		t.Errorf("orders %v, want E202612310017 (yesterday in Beijing) and E202612160032", ids)
	}
}
