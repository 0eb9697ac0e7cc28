// Package douyin adapts an enterprise Douyin account to the appliance:
// private messages (im_receive_msg) and video comments (item_comment_reply)
// arrive on one webhook, signed with X-Douyin-Signature; private answers go
// out with /im/send/msg/, public answers to comments with the comment reply
// API.
//
// Comment answers are public, so they pass a Policy first: short, with
// phone, ID-card and bank-card numbers masked, optionally pointing to the
// product's link; anything personal (orders, refunds, contact details) gets
// a short public note inviting the customer to a private message instead.
//
// Signature: Douyin's webhook overview documents X-Douyin-Signature as the
// SHA-1 of the app's client_secret followed by the raw request body, with a
// Go example using sha1 and hex. Other Douyin products (life services,
// live-room data) describe other schemes (AppSecret+body, MD5/Base64 for
// live data); this adapter implements the webhook one: lowercase hex of
// sha1(client_secret || body), compared in constant time.
package douyin
