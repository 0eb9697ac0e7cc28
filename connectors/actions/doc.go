// Package actions runs declarative HTTP business actions against the
// enterprise's own systems (orders, courses, accounts, hotels): each action
// is configured in YAML — method, URL template, auth header from a named
// secret, timeout, request mapping from slots and profile, response mapping
// into zh/en reply templates — and can be edited in the console. Only hosts
// the configuration lists can be called. A failing backend (timeout, 5xx,
// malformed JSON, refused host) yields the configured polite reply and, when
// configured, a hand-off; never a raw error.
//
// Runner implements appliance.Actions (intents whose catalog fulfilment is
// an action) and appliance.BusinessProfile (the customer's orders, purchases,
// courses and account as the agents' profile panel and the playbooks see
// them).
package actions
