// Package playbook is each industry's rules of service, configured in one
// YAML document per industry (e-commerce, finance, education, travel) and
// applied without a restart: which intents run which business action, take
// context from the customer's profile (the latest order when none is
// named), open which ticket, collect photos, run a guided flow that narrows
// step by step, compute a refund from configurable tiers; which intents
// need real-name verification first (ID number with checksum, name, photo
// of the ID card) and which answers carry a risk disclosure; and which
// personalization rules answer from the customer's profile.
//
// Policy implements appliance.Playbooks. It never writes storage: it fills
// the turn (replies, audit entries, tickets, dialogue state, decision path)
// and the engine stores it in one transaction. Flow state rides in the
// customer's dialogue state, so it follows them across channels and expires
// with it.
package playbook
