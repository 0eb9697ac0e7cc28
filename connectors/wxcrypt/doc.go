// Package wxcrypt implements the message signature and encryption scheme
// Tencent uses for WeChat official accounts, mini programs and WeCom
// callbacks ("消息加解密", WXBizMsgCrypt): a SHA-1 signature over the sorted
// token, timestamp, nonce (and ciphertext), and AES-256-CBC with the key
// taken from the 43-character EncodingAESKey.
package wxcrypt
