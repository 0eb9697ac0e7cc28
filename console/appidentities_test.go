package console

import (
	"testing"

	"kefu/appliance"
)

func TestAlsoIdentities(t *testing.T) {
	got, err := alsoIdentities([]appIdentity{
		{Kind: "wechat_unionid", Value: " union-1 ", Verified: true},
		{Kind: "wechat_openid", Namespace: "wx1", Value: "o-1"},
		{Kind: "phone", Value: "13800138000", Verified: true},
	})
	if err != nil || len(got) != 3 || got[0].Value != "union-1" || !got[0].Verified || got[1].Verified || got[1].Namespace != "wx1" {
		t.Fatalf("got %+v, %v", got, err)
	}
	for name, bad := range map[string][]appIdentity{
		"app_user claimed":       {{Kind: "app_user", Value: "someone-else", Verified: true}},
		"unknown kind":           {{Kind: "email", Value: "a@b.c"}},
		"empty value":            {{Kind: "phone", Value: " "}},
		"openid without appid":   {{Kind: "wechat_openid", Value: "o"}},
		"namespace on a unionid": {{Kind: "wechat_unionid", Namespace: "x", Value: "u"}},
		"too many":               make([]appIdentity, 6),
	} {
		if _, err := alsoIdentities(bad); appliance.ErrorKind(err) != appliance.EINVALID {
			t.Errorf("%s: got %v, want an invalid-input error", name, err)
		}
	}
}

func FuzzAlsoIdentities(f *testing.F) {
	f.Add("wechat_unionid", "", "u-1", true)
	f.Add("wechat_openid", "wx1", "o-1", false)
	f.Add("phone", "", "\xff\x00", true)
	f.Fuzz(func(t *testing.T, kind, ns, value string, verified bool) {
		got, err := alsoIdentities([]appIdentity{{Kind: kind, Namespace: ns, Value: value, Verified: verified}})
		if err != nil {
			if appliance.ErrorKind(err) != appliance.EINVALID {
				t.Fatalf("error of kind %s, want invalid", appliance.ErrorKind(err))
			}
			return
		}
		if len(got) != 1 || got[0].Value == "" || len(got[0].Value) > 128 || !appIdentityKinds[got[0].Kind] || got[0].Verified != verified {
			t.Fatalf("accepted %+v", got)
		}
	})
}
