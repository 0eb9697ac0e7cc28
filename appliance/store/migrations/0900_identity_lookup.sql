-- Channel identities (WeChat openids, app user ids, phone numbers) are
-- encrypted at rest like what customers say. A value sealed with a random
-- nonce cannot be looked up by itself, so each identity also stores a keyed
-- hash of its kind, namespace and value (HMAC-SHA-256 under a key derived from
-- the master key): found by it, unique by it, and meaningless without the key.
-- Rows written before keep a NULL hash and their value in clear until
-- `kefu migrate --encrypt-existing`; lookups find both.
ALTER TABLE identities ADD COLUMN value_hash VARCHAR(64) NULL;
CREATE UNIQUE INDEX ux_identities_value_hash ON identities (value_hash);
-- A value of up to 128 bytes (what the channels and the app API accept) is at
-- most 220 characters encrypted.
{{MYSQL}}ALTER TABLE identities MODIFY value VARCHAR(255) NOT NULL;
-- The identity that proved a customer merge is encrypted the same way.
{{MYSQL}}ALTER TABLE customer_merges MODIFY proof_value VARCHAR(255) NOT NULL DEFAULT '';

-- Ticket titles often name what the customer reported; the history notes hold
-- what agents and customers wrote at each step. Both are encrypted too.
{{MYSQL}}ALTER TABLE tickets MODIFY title TEXT NOT NULL;
{{MYSQL}}ALTER TABLE ticket_events MODIFY note MEDIUMTEXT NOT NULL;

-- Audit details can hold what an edit changed (a customer's attributes before
-- and after): encrypted too.
{{MYSQL}}ALTER TABLE audit_log MODIFY detail MEDIUMTEXT NULL;
