-- Channels (issue 7): the platform accounts admins set up in the console
-- (credentials sealed with the appliance's secret key), state the adapters
-- keep across restarts (WeCom sync cursors, Douyin tokens), and customer
-- merges with the rows each one moved, so a merge can be undone exactly.

CREATE TABLE channel_accounts (
  id {{ID}},
  kind VARCHAR(16) NOT NULL,
  account_key VARCHAR(64) NOT NULL,
  name VARCHAR(128) NOT NULL DEFAULT '',
  enabled TINYINT(1) NOT NULL DEFAULT 1,
  settings TEXT NOT NULL,
  secrets_enc TEXT NOT NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL
){{TABLE}};
CREATE UNIQUE INDEX ux_channel_accounts_kind_key ON channel_accounts (kind, account_key);

CREATE TABLE channel_state (
  id {{ID}},
  kind VARCHAR(16) NOT NULL,
  account_key VARCHAR(64) NOT NULL,
  name VARCHAR(128) NOT NULL,
  value TEXT NOT NULL,
  updated_at DATETIME(3) NOT NULL
){{TABLE}};
CREATE UNIQUE INDEX ux_channel_state_key ON channel_state (kind, account_key, name);

CREATE TABLE customer_merges (
  id {{ID}},
  winner_id BIGINT NOT NULL,
  loser_id BIGINT NOT NULL,
  reason VARCHAR(32) NOT NULL,
  proof_kind VARCHAR(32) NOT NULL DEFAULT '',
  proof_namespace VARCHAR(64) NOT NULL DEFAULT '',
  proof_value VARCHAR(128) NOT NULL DEFAULT '',
  channel VARCHAR(32) NOT NULL DEFAULT '',
  actor_type VARCHAR(16) NOT NULL,
  actor_id BIGINT NOT NULL DEFAULT 0,
  actor_name VARCHAR(128) NOT NULL DEFAULT '',
  profile TEXT NOT NULL,
  created_at DATETIME(3) NOT NULL,
  undone_at DATETIME(3) NULL,
  undone_by_id BIGINT NOT NULL DEFAULT 0,
  undone_by_name VARCHAR(128) NOT NULL DEFAULT '',
  undo_reason VARCHAR(255) NOT NULL DEFAULT ''
){{TABLE}};
CREATE INDEX ix_customer_merges_winner ON customer_merges (winner_id);
CREATE INDEX ix_customer_merges_loser ON customer_merges (loser_id);

CREATE TABLE customer_merge_moves (
  merge_id BIGINT NOT NULL,
  kind VARCHAR(16) NOT NULL,
  row_id BIGINT NOT NULL,
  PRIMARY KEY (merge_id, kind, row_id)
){{TABLE}};
