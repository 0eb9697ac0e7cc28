// Package wecom adapts WeCom 微信客服 (WeChat customer service hosted by
// WeCom) to the appliance. WeCom calls the callback URL (signed and
// AES-encrypted with the corpid as receiver) with a kf_msg_or_event event;
// the adapter then pulls the messages with kf/sync_msg, persisting the
// cursor through a CursorStore after each page is accepted, so no message is
// lost or read twice across restarts. Replies go out with kf/send_msg, a
// welcome with kf/send_msg_on_event, and the appliance's hand-off state is
// mirrored into WeCom's service states (kf/service_state/get and trans).
package wecom
