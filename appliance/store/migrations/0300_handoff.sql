-- Hand-off, routing and the agent workspace (issue 4): the hand-off
-- policy's memory per conversation, satisfaction scores, canned replies, and
-- an index for the routing queue (priority, then the oldest hand-off).

CREATE TABLE handoff_flags (
  conversation_id BIGINT NOT NULL PRIMARY KEY,
  unsure_turns INT NOT NULL DEFAULT 0,
  awaiting VARCHAR(32) NOT NULL DEFAULT '',
  updated_at DATETIME(3) NOT NULL
){{TABLE}};

CREATE TABLE csat_ratings (
  conversation_id BIGINT NOT NULL PRIMARY KEY,
  customer_id BIGINT NOT NULL,
  agent_id BIGINT NOT NULL DEFAULT 0,
  channel VARCHAR(32) NOT NULL DEFAULT '',
  score INT NOT NULL,
  comment VARCHAR(500) NOT NULL DEFAULT '',
  created_at DATETIME(3) NOT NULL
){{TABLE}};
CREATE INDEX ix_csat_customer ON csat_ratings (customer_id, created_at);
CREATE INDEX ix_csat_agent ON csat_ratings (agent_id, created_at);

CREATE TABLE canned_replies (
  id {{ID}},
  shortcut VARCHAR(32) NOT NULL,
  title VARCHAR(64) NOT NULL DEFAULT '',
  text TEXT NOT NULL,
  skill_group VARCHAR(64) NOT NULL DEFAULT '',
  created_by BIGINT NOT NULL DEFAULT 0,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL
){{TABLE}};
CREATE UNIQUE INDEX ux_canned_replies_shortcut ON canned_replies (shortcut);

CREATE INDEX ix_conversations_queue ON conversations (status, priority, handoff_at);
