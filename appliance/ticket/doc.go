// Package ticket is the ticket desk: configurable ticket types, each a small
// workflow of states and allowed transitions (a return goes 待审核 → 已审核 →
// 已收货 → 已退款, or 已拒绝), tickets opened by the bot, by agents or by
// business actions, every step recorded, departments notified by webhook,
// and the customer told of each change on the channel they used. Service
// implements appliance.Tickets.
//
// Notifications are an outbox: each recorded step carries its delivery
// state, committed with the change, and Dispatch delivers what is pending —
// right after the change and again after a restart — so a step is never
// announced before it is stored, and never lost.
package ticket
