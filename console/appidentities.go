package console

import (
	"strings"

	"kefu/appliance"
)

// appIdentity is a further identity the app vouches for as its user's: the
// unionid WeChat login gave it, a phone number it verified by SMS. Verified
// ones join the user's records across channels (and merge records that
// claimed the same proven identity); unverified ones are never used to join.
type appIdentity struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Value     string `json:"value"`
	Verified  bool   `json:"verified"`
}

// appIdentityKinds are the identities an app can prove about its users.
var appIdentityKinds = map[appliance.IdentityKind]bool{
	appliance.IdentityWeChatUnionID: true,
	appliance.IdentityWeChatOpenID:  true, // namespace: the appid
	appliance.IdentityPhone:         true,
}

// alsoIdentities checks the identities an app request names.
func alsoIdentities(list []appIdentity) ([]appliance.Identity, error) {
	if len(list) > 5 {
		return nil, invalid("too_many_identities", "at most 5 identities may accompany a message")
	}
	out := make([]appliance.Identity, 0, len(list))
	for _, a := range list {
		kind := appliance.IdentityKind(a.Kind)
		v, ns := strings.TrimSpace(a.Value), strings.TrimSpace(a.Namespace)
		switch {
		case !appIdentityKinds[kind]:
			return nil, invalid("invalid_identity", "identity kind %q is not one an app can vouch for (wechat_unionid, wechat_openid, phone)", a.Kind)
		case v == "" || len(v) > 128 || len(ns) > 64:
			return nil, invalid("invalid_identity", "identity value must be 1-128 and namespace at most 64 characters")
		case kind == appliance.IdentityWeChatOpenID && ns == "":
			return nil, invalid("invalid_identity", "a wechat_openid needs the appid as its namespace")
		case kind != appliance.IdentityWeChatOpenID && ns != "":
			return nil, invalid("invalid_identity", "only wechat_openid takes a namespace")
		}
		out = append(out, appliance.Identity{Kind: kind, Namespace: ns, Value: v, Verified: a.Verified})
	}
	return out, nil
}
