package config

import (
	"strings"
	"testing"
	"time"
)

func TestHandoffKeys(t *testing.T) {
	env := map[string]string{"KEFU_ROUTING_GROUPS": "售后=20s/5s,金融业务", "KEFU_ROUTING_WAIT_ALERT": "3s",
		"KEFU_ROUTING_WORKING_HOURS": "09:00-18:00", "KEFU_ROUTING_WORKING_DAYS": "1-5", "KEFU_HANDOFF_VIP_DIRECT": "true",
		"KEFU_ROUTING_OFFER_TIMEOUT": "45s"}
	c, err := Load("", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.Routing.WaitAlert != 3*time.Second || !c.Handoff.VIPDirect || c.Handoff.UnsureTurns != 2 || !c.Handoff.CSAT {
		t.Errorf("loaded: %+v %+v", c.Routing, c.Handoff)
	}
	p, err := c.RoutingPolicy(map[string]string{"order_status": "售后"})
	if err != nil {
		t.Fatal(err)
	}
	if g := p.Group("售后"); g.Target != 20*time.Second || g.VIPTarget != 5*time.Second {
		t.Errorf("group targets: %+v", g)
	}
	if g := p.Group("金融业务"); g.Target != 30*time.Second || g.VIPTarget != 10*time.Second {
		t.Errorf("default targets: %+v", g)
	}
	if p.OfferTimeout != 45*time.Second {
		t.Errorf("offer timeout: %v, want 45s", p.OfferTimeout)
	}
	if p.VIP.MinSpend != 10000 || p.VIP.SpendAttribute != "yearly_spend" || p.VIPPriority != 10 || p.Hours.String() != "周一至周五 09:00-18:00" {
		t.Errorf("policy: %+v", p)
	}
	for key, val := range map[string]string{"KEFU_ROUTING_GROUPS": "售后=fast", "KEFU_ROUTING_WORKING_HOURS": "21:00-09:00",
		"KEFU_ROUTING_TIMEZONE": "Nowhere/City", "KEFU_ROUTING_CATALOG_GROUPS": "ecommerce", "KEFU_HANDOFF_NEGATIVE_SENTIMENT": "2",
		"KEFU_HANDOFF_CSAT_WINDOW": "10s", "KEFU_ROUTING_OFFER_TIMEOUT": "2s"} {
		_, err := Load("", func(k string) string {
			if k == key {
				return val
			}
			return ""
		})
		path := strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(key, "KEFU_"), "_", "."))
		want := strings.SplitN(path, ".", 2)[0] + "."
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s=%s: got %v, want an error naming the key", key, val, err)
		}
	}
}
