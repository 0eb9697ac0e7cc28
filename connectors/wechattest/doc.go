// Package wechattest is a fake of the WeChat API (access tokens, the
// customer-service message API, user info) for tests, enforcing what the
// real API requires: valid and unexpired access tokens, the documented JSON
// request shapes and required fields, and errcode/errmsg error answers as
// WeChat documents them. It also signs and encrypts pushes the way WeChat's
// servers do, so an adapter can be driven end to end.
package wechattest
