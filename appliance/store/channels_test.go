package store_test

import (
	"context"
	"testing"

	"kefu/appliance"
	"kefu/appliance/store"
)

func TestChannelAccounts(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := &appliance.ChannelAccount{Kind: "wechat_oa", Key: "wx0123456789abcdef", Name: "品牌公众号", Enabled: true,
			Settings: map[string]string{"mode": "safe"}, SecretsSealed: "v1:sealed"}
		if err := s.SaveChannelAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		if a.ID == 0 || a.CreatedAt.IsZero() {
			t.Fatalf("saved account: got %+v, want an id and a creation time", a)
		}
		dup := &appliance.ChannelAccount{Kind: "wechat_oa", Key: "wx0123456789abcdef", Settings: map[string]string{}}
		if err := s.SaveChannelAccount(ctx, dup); appliance.ErrorCode(err) != "channel_account_exists" {
			t.Fatalf("same kind and key: got %v, want channel_account_exists", err)
		}
		// The same key for another kind (a mini program) is another account.
		mp := &appliance.ChannelAccount{Kind: "wechat_mp", Key: "wx0123456789abcdef", Enabled: true}
		if err := s.SaveChannelAccount(ctx, mp); err != nil {
			t.Fatal(err)
		}
		a.Settings["mode"], a.Enabled, a.SecretsSealed = "compatible", false, "v1:other"
		if err := s.SaveChannelAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		got, err := s.ChannelAccount(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Settings["mode"] != "compatible" || got.Enabled || got.SecretsSealed != "v1:other" || got.Name != "品牌公众号" {
			t.Errorf("updated account: got %+v", got)
		}
		list, err := s.ChannelAccounts(ctx)
		if err != nil || len(list) != 2 || list[0].Kind != "wechat_mp" || list[1].Kind != "wechat_oa" {
			t.Fatalf("list: got %v, %v; want the two accounts by kind", list, err)
		}
		if err := s.SaveChannelAccount(ctx, &appliance.ChannelAccount{ID: 9999, Kind: "douyin", Key: "x"}); !appliance.IsNotFound(err) {
			t.Errorf("update of a missing account: got %v, want not found", err)
		}

		// Adapter state survives, is replaced in place, and goes with the account.
		if v, err := s.ChannelState(ctx, "wecom_kf", "ww1", "cursor:kf1"); err != nil || v != "" {
			t.Fatalf("state before any save: got %q, %v; want empty", v, err)
		}
		for _, c := range []string{"c1", "c2"} {
			if err := s.SaveChannelState(ctx, "wechat_oa", a.Key, "cursor", c); err != nil {
				t.Fatal(err)
			}
		}
		if v, _ := s.ChannelState(ctx, "wechat_oa", a.Key, "cursor"); v != "c2" {
			t.Errorf("state: got %q, want c2", v)
		}
		if err := s.DeleteChannelAccount(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		if v, _ := s.ChannelState(ctx, "wechat_oa", a.Key, "cursor"); v != "" {
			t.Errorf("state after the account was deleted: got %q, want none", v)
		}
		if _, err := s.ChannelAccount(ctx, a.ID); !appliance.IsNotFound(err) {
			t.Errorf("deleted account: got %v, want not found", err)
		}
	})
}
