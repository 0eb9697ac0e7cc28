// Package wecomtest is a fake of the WeCom 微信客服 API (gettoken,
// kf/sync_msg with cursors and callback tokens, kf/send_msg,
// kf/send_msg_on_event, kf/service_state/get and trans) enforcing what the
// real one requires: valid unexpired access tokens, known 客服 accounts,
// required fields, WeCom's allowed service-state changes, and errcode/errmsg
// answers. It also signs and encrypts callbacks as WeCom does, and keeps
// cursors in memory (MemoryCursors) for tests.
package wecomtest
