// Package accounts runs the enterprise's platform accounts — WeChat official
// accounts and mini programs, WeCom 微信客服, Douyin — as admins set them up
// in the console: the set-up is validated and stored with its credentials
// sealed (appliance/secret), an adapter is built from it and swapped in
// without a restart, and platform pushes reach it at a stable path
// (/channels/wechat/oa/{appid}, /channels/wechat/mp/{appid},
// /channels/wecom/{corpid}, /channels/douyin/{client_key}).
//
// The Manager is also the appliance's push channels (one appliance.Channel
// per channel name, routed to the account of the recipient's namespace), the
// store of the adapters' state (WeCom sync cursors, sealed Douyin tokens),
// the WeCom poller, and a Notifier that mirrors hand-off states into WeCom.
// Adapters only ever call the API base URLs the configuration allows.
package accounts
