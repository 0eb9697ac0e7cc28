-- Kefu's first schema. One file for both databases: {{ID}} and {{TABLE}}
-- expand per dialect (AUTO_INCREMENT + InnoDB utf8mb4 on MySQL, AUTOINCREMENT
-- on SQLite); every other type is written as MySQL spells it, which SQLite
-- accepts. Times are stored in UTC.

CREATE TABLE customers (
  id {{ID}},
  display_name VARCHAR(128) NOT NULL DEFAULT '',
  vip_level INT NOT NULL DEFAULT 0,
  tags TEXT NOT NULL,
  attributes TEXT NOT NULL,
  merged_into BIGINT NOT NULL DEFAULT 0,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL
){{TABLE}};

CREATE TABLE identities (
  id {{ID}},
  customer_id BIGINT NOT NULL,
  kind VARCHAR(32) NOT NULL,
  namespace VARCHAR(64) NOT NULL DEFAULT '',
  value VARCHAR(128) NOT NULL,
  verified TINYINT(1) NOT NULL DEFAULT 0,
  created_at DATETIME(3) NOT NULL
){{TABLE}};
CREATE UNIQUE INDEX ux_identities_kind_ns_value ON identities (kind, namespace, value);
CREATE INDEX ix_identities_customer ON identities (customer_id);

CREATE TABLE conversations (
  id {{ID}},
  customer_id BIGINT NOT NULL,
  channel VARCHAR(32) NOT NULL,
  last_channel VARCHAR(32) NOT NULL,
  last_identity_id BIGINT NOT NULL DEFAULT 0,
  status VARCHAR(16) NOT NULL,
  assignee_id BIGINT NOT NULL DEFAULT 0,
  skill_group VARCHAR(64) NOT NULL DEFAULT '',
  priority INT NOT NULL DEFAULT 0,
  handoff_reason VARCHAR(64) NOT NULL DEFAULT '',
  handoff_at DATETIME(3) NULL,
  assigned_at DATETIME(3) NULL,
  first_response_at DATETIME(3) NULL,
  closed_at DATETIME(3) NULL,
  closed_by VARCHAR(16) NOT NULL DEFAULT '',
  summary TEXT NOT NULL,
  last_message_at DATETIME(3) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL
){{TABLE}};
CREATE INDEX ix_conversations_customer_status ON conversations (customer_id, status);
CREATE INDEX ix_conversations_status_updated ON conversations (status, updated_at);
CREATE INDEX ix_conversations_assignee_status ON conversations (assignee_id, status);
CREATE INDEX ix_conversations_created ON conversations (created_at);

CREATE TABLE messages (
  id {{ID}},
  conversation_id BIGINT NOT NULL,
  customer_id BIGINT NOT NULL,
  channel VARCHAR(32) NOT NULL DEFAULT '',
  sender VARCHAR(16) NOT NULL,
  sender_id BIGINT NOT NULL DEFAULT 0,
  kind VARCHAR(16) NOT NULL,
  text MEDIUMTEXT NOT NULL,
  payload MEDIUMTEXT NULL,
  channel_msg_id VARCHAR(128) NULL,
  dedupe_key CHAR(64) NULL,
  reply_to BIGINT NOT NULL DEFAULT 0,
  handled TINYINT(1) NOT NULL DEFAULT 1,
  delivery VARCHAR(16) NOT NULL DEFAULT '',
  decision MEDIUMTEXT NULL,
  created_at DATETIME(3) NOT NULL
){{TABLE}};
CREATE UNIQUE INDEX ux_messages_dedupe ON messages (dedupe_key);
CREATE INDEX ix_messages_conversation ON messages (conversation_id, id);
CREATE INDEX ix_messages_customer ON messages (customer_id, id);
CREATE INDEX ix_messages_reply_to ON messages (reply_to);
CREATE INDEX ix_messages_handled ON messages (handled);
CREATE INDEX ix_messages_delivery ON messages (delivery);
CREATE INDEX ix_messages_created ON messages (created_at);

CREATE TABLE dialogue_states (
  customer_id BIGINT NOT NULL PRIMARY KEY,
  state MEDIUMTEXT NOT NULL,
  updated_at DATETIME(3) NOT NULL
){{TABLE}};

CREATE TABLE users (
  id {{ID}},
  username VARCHAR(64) NOT NULL,
  display_name VARCHAR(128) NOT NULL DEFAULT '',
  role VARCHAR(16) NOT NULL,
  password_hash VARCHAR(255) NOT NULL,
  status VARCHAR(16) NOT NULL DEFAULT 'offline',
  max_concurrent INT NOT NULL DEFAULT 5,
  skills TEXT NOT NULL,
  senior TINYINT(1) NOT NULL DEFAULT 0,
  disabled TINYINT(1) NOT NULL DEFAULT 0,
  last_login_at DATETIME(3) NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL
){{TABLE}};
CREATE UNIQUE INDEX ux_users_username ON users (username);

CREATE TABLE sessions (
  id CHAR(64) NOT NULL PRIMARY KEY,
  user_id BIGINT NOT NULL,
  csrf_token CHAR(64) NOT NULL,
  ip VARCHAR(64) NOT NULL DEFAULT '',
  user_agent VARCHAR(255) NOT NULL DEFAULT '',
  expires_at DATETIME(3) NOT NULL,
  created_at DATETIME(3) NOT NULL
){{TABLE}};
CREATE INDEX ix_sessions_user ON sessions (user_id);
CREATE INDEX ix_sessions_expires ON sessions (expires_at);

CREATE TABLE audit_log (
  id {{ID}},
  actor_type VARCHAR(16) NOT NULL,
  actor_id BIGINT NOT NULL DEFAULT 0,
  actor_name VARCHAR(128) NOT NULL DEFAULT '',
  action VARCHAR(64) NOT NULL,
  target_type VARCHAR(32) NOT NULL DEFAULT '',
  target_id VARCHAR(64) NOT NULL DEFAULT '',
  detail TEXT NULL,
  ip VARCHAR(64) NOT NULL DEFAULT '',
  created_at DATETIME(3) NOT NULL
){{TABLE}};
CREATE INDEX ix_audit_created ON audit_log (created_at);
CREATE INDEX ix_audit_target ON audit_log (target_type, target_id);
CREATE INDEX ix_audit_actor ON audit_log (actor_type, actor_id);

CREATE TABLE app_keys (
  id {{ID}},
  app_key VARCHAR(64) NOT NULL,
  secret_enc TEXT NOT NULL,
  name VARCHAR(128) NOT NULL DEFAULT '',
  disabled TINYINT(1) NOT NULL DEFAULT 0,
  created_at DATETIME(3) NOT NULL
){{TABLE}};
CREATE UNIQUE INDEX ux_app_keys_key ON app_keys (app_key);
