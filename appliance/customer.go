package appliance

import "time"

// IdentityKind names a kind of channel identity. One customer has many.
type IdentityKind string

const (
	IdentityWebVisitor    IdentityKind = "web_visitor"    // random id kept by the web widget
	IdentityAppUser       IdentityKind = "app_user"       // the enterprise app's user_id (proven by the app's signature)
	IdentityPhone         IdentityKind = "phone"          // a phone number, proof depends on Verified
	IdentityWeChatOpenID  IdentityKind = "wechat_openid"  // per WeChat app: Namespace is the appid
	IdentityWeChatUnionID IdentityKind = "wechat_unionid" // links the enterprise's WeChat apps
	IdentityWeComExternal IdentityKind = "wecom_external" // WeCom 微信客服 external_userid
	IdentityDouyin        IdentityKind = "douyin_openid"  // per Douyin app
)

// Identity is one way a customer is known on one channel.
type Identity struct {
	ID         int64        `json:"id"`
	CustomerID int64        `json:"customer_id"`
	Kind       IdentityKind `json:"kind"`
	Namespace  string       `json:"namespace,omitempty"` // e.g. the WeChat appid an openid belongs to
	Value      string       `json:"value"`
	// Verified marks identities that prove who the person is (a verified
	// phone, a unionid, an app user id signed by the app); only verified
	// identities may join two customer records into one.
	Verified  bool      `json:"verified"`
	CreatedAt time.Time `json:"created_at"`
}

// Customer is one person across all channels.
type Customer struct {
	ID          int64             `json:"id"`
	DisplayName string            `json:"display_name"`
	VIPLevel    int               `json:"vip_level"`
	Tags        []string          `json:"tags"`
	Attributes  map[string]string `json:"attributes"`
	// MergedInto is set when this record was merged into another customer;
	// the merge is recorded and can be undone.
	MergedInto int64      `json:"merged_into,omitempty"`
	Identities []Identity `json:"identities,omitempty"`
	// ErasedAt is when the customer's personal information was erased
	// (Engine.EraseCustomer).
	ErasedAt  *time.Time `json:"erased_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}
