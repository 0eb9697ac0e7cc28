// Package appliance is the domain core of Kefu: the records (customers and their
// channel identities, conversations, messages, users), the conversation engine
// that carries one inbound message through the pipeline, and the small
// interfaces the engine needs from the outside world (storage, NLU, knowledge,
// channels, real-time notification).
//
// Adapters live elsewhere: appliance/store (GORM), console (HTTP), connectors
// (channels and business systems). Only cmd knows them all.
package appliance
