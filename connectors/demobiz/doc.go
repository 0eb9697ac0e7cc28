// Package demobiz is the demo enterprise's own business systems — a shop
// (orders, purchases, stock, members), a training school (enrollments,
// bookings, schedules), a bank account service (real-name check, balance,
// withdrawals) and a hotel list — served over HTTP in process by
// `kefu serve --demo`, so every playbook works out of the box. A real
// deployment points the same business actions at its own systems instead.
//
// The systems answer like real ones: JSON, bearer-token authentication, 404
// for what does not exist, and each customer sees only their own records.
package demobiz
