-- Tickets (returns, refunds, after-hours messages) with every step of their
-- workflow, and the playbook documents admins edit in the console.

CREATE TABLE tickets (
  id {{ID}},
  type VARCHAR(32) NOT NULL,
  status VARCHAR(32) NOT NULL,
  title VARCHAR(255) NOT NULL,
  body TEXT NOT NULL,
  customer_id BIGINT NOT NULL,
  conversation_id BIGINT NOT NULL DEFAULT 0,
  channel VARCHAR(32) NOT NULL DEFAULT '',
  assignee_id BIGINT NOT NULL DEFAULT 0,
  data MEDIUMTEXT NULL,
  created_by VARCHAR(64) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL
){{TABLE}};
CREATE INDEX ix_tickets_customer ON tickets (customer_id, id);
CREATE INDEX ix_tickets_type_status ON tickets (type, status, id);
CREATE INDEX ix_tickets_status ON tickets (status, id);

CREATE TABLE ticket_events (
  id {{ID}},
  ticket_id BIGINT NOT NULL,
  from_status VARCHAR(32) NOT NULL DEFAULT '',
  to_status VARCHAR(32) NOT NULL,
  actor VARCHAR(64) NOT NULL,
  actor_name VARCHAR(128) NOT NULL DEFAULT '',
  note TEXT NOT NULL,
  notify_state VARCHAR(16) NOT NULL DEFAULT '',
  tell_state VARCHAR(16) NOT NULL DEFAULT '',
  attempts INT NOT NULL DEFAULT 0,
  created_at DATETIME(3) NOT NULL
){{TABLE}};
CREATE INDEX ix_ticket_events_ticket ON ticket_events (ticket_id, id);
CREATE INDEX ix_ticket_events_notify ON ticket_events (notify_state);
CREATE INDEX ix_ticket_events_tell ON ticket_events (tell_state);

CREATE TABLE playbook_documents (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  body MEDIUMTEXT NOT NULL,
  version INT NOT NULL,
  updated_by VARCHAR(64) NOT NULL,
  updated_at DATETIME(3) NOT NULL
){{TABLE}};
