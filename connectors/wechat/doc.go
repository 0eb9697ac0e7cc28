// Package wechat adapts WeChat official accounts (公众号) and mini programs
// (小程序客服消息) to the appliance: it verifies and decrypts the pushes
// WeChat sends to the server URL, turns them into appliance.Inbound messages
// for a connectors.Receiver, answers within WeChat's 5-second window with a
// passive reply when the answer is quick and through the customer-service
// message API (message/custom/send) when it is not, and implements
// appliance.Channel for replies sent later (agents, recovered messages).
//
// Official-account pushes are XML; mini-program pushes are XML or JSON. Both
// come in plaintext, compatible or safe (AES) mode, signed as WeChat
// documents (see package wxcrypt).
package wechat
