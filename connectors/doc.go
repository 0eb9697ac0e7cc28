// Package connectors holds what every channel adapter shares: the small
// interfaces the adapters need from the appliance (Receiver, DeliveryRecorder),
// an HTTP client that only reaches the hosts the configuration names, a
// single-flight access-token cache, replay protection for signed pushes, the
// platform API error type, and a Router that serves several accounts of one
// platform under one channel name.
//
// The adapters themselves live in subpackages, one per platform (wechat,
// wecom, douyin); fakes of the platforms' HTTP APIs live in the matching
// …test packages, and channeltest is the contract suite every adapter passes.
package connectors
