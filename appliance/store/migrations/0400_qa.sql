-- QA and analytics (issue 5): scheduled job runs, QA rules and real-time
-- alerts, nightly audit reports (versioned, immutable, content-hashed) and
-- stored analytics reports.

-- One row per job run. slot_key claims a scheduled slot so that with several
-- nodes on one database a slot runs once (the unique index decides).
CREATE TABLE job_runs (
  id {{ID}},
  job VARCHAR(64) NOT NULL,
  slot_key VARCHAR(64) NOT NULL,
  trigger_kind VARCHAR(16) NOT NULL,
  for_date VARCHAR(10) NOT NULL DEFAULT '',
  node VARCHAR(128) NOT NULL DEFAULT '',
  status VARCHAR(16) NOT NULL,
  counts TEXT NULL,
  error TEXT NULL,
  started_at DATETIME(3) NOT NULL,
  finished_at DATETIME(3) NULL
){{TABLE}};
CREATE UNIQUE INDEX ux_job_runs_slot ON job_runs (job, slot_key);
CREATE INDEX ix_job_runs_job_started ON job_runs (job, started_at);

CREATE TABLE qa_rules (
  id {{ID}},
  name VARCHAR(128) NOT NULL,
  kind VARCHAR(32) NOT NULL,
  severity VARCHAR(16) NOT NULL,
  phrases TEXT NOT NULL,
  intents TEXT NOT NULL,
  limit_seconds INT NOT NULL DEFAULT 0,
  enabled TINYINT(1) NOT NULL DEFAULT 1,
  description VARCHAR(512) NOT NULL DEFAULT '',
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL
){{TABLE}};

-- Real-time rule hits on agent messages, as supervisors were alerted.
CREATE TABLE qa_alerts (
  id {{ID}},
  conversation_id BIGINT NOT NULL,
  message_id BIGINT NOT NULL DEFAULT 0,
  agent_id BIGINT NOT NULL DEFAULT 0,
  rule_id BIGINT NOT NULL DEFAULT 0,
  rule_name VARCHAR(128) NOT NULL,
  kind VARCHAR(32) NOT NULL,
  severity VARCHAR(16) NOT NULL,
  excerpt VARCHAR(512) NOT NULL DEFAULT '',
  created_at DATETIME(3) NOT NULL
){{TABLE}};
CREATE INDEX ix_qa_alerts_created ON qa_alerts (created_at);

-- A nightly audit report; each re-run of a day is a new version. Rows are
-- written once while status is running, then sealed with the content hash.
CREATE TABLE qa_reports (
  id {{ID}},
  day VARCHAR(10) NOT NULL,
  version INT NOT NULL,
  job_run_id BIGINT NOT NULL DEFAULT 0,
  status VARCHAR(16) NOT NULL,
  conversations INT NOT NULL DEFAULT 0,
  flagged INT NOT NULL DEFAULT 0,
  hits INT NOT NULL DEFAULT 0,
  judged INT NOT NULL DEFAULT 0,
  summary MEDIUMTEXT NULL,
  rules MEDIUMTEXT NULL,
  content_hash CHAR(64) NOT NULL DEFAULT '',
  created_at DATETIME(3) NOT NULL,
  completed_at DATETIME(3) NULL
){{TABLE}};
CREATE UNIQUE INDEX ux_qa_reports_day_version ON qa_reports (day, version);

-- One row per audited conversation.
CREATE TABLE qa_report_items (
  id {{ID}},
  report_id BIGINT NOT NULL,
  conversation_id BIGINT NOT NULL,
  channel VARCHAR(32) NOT NULL,
  agent_id BIGINT NOT NULL DEFAULT 0,
  resolution VARCHAR(16) NOT NULL,
  messages INT NOT NULL DEFAULT 0,
  hits INT NOT NULL DEFAULT 0,
  severity VARCHAR(16) NOT NULL DEFAULT '',
  first_response_ms BIGINT NOT NULL DEFAULT -1,
  max_reply_gap_ms BIGINT NOT NULL DEFAULT -1,
  csat INT NOT NULL DEFAULT 0,
  judge TEXT NULL,
  started_at DATETIME(3) NOT NULL
){{TABLE}};
CREATE UNIQUE INDEX ux_qa_report_items_conv ON qa_report_items (report_id, conversation_id);
CREATE INDEX ix_qa_report_items_hits ON qa_report_items (report_id, hits);

-- Rule hits of an audit, with the exact message and its time.
CREATE TABLE qa_report_hits (
  id {{ID}},
  report_id BIGINT NOT NULL,
  conversation_id BIGINT NOT NULL,
  message_id BIGINT NOT NULL DEFAULT 0,
  rule_id BIGINT NOT NULL DEFAULT 0,
  rule_name VARCHAR(128) NOT NULL,
  kind VARCHAR(32) NOT NULL,
  severity VARCHAR(16) NOT NULL,
  excerpt VARCHAR(512) NOT NULL DEFAULT '',
  message_text TEXT NOT NULL,
  message_at DATETIME(3) NULL
){{TABLE}};
CREATE INDEX ix_qa_report_hits_report ON qa_report_hits (report_id, conversation_id);

-- Daily and weekly analytics, computed by the top-questions job.
CREATE TABLE analytics_reports (
  id {{ID}},
  period VARCHAR(8) NOT NULL,
  start_day VARCHAR(10) NOT NULL,
  data MEDIUMTEXT NOT NULL,
  job_run_id BIGINT NOT NULL DEFAULT 0,
  created_at DATETIME(3) NOT NULL
){{TABLE}};
CREATE INDEX ix_analytics_reports_period ON analytics_reports (period, start_day);

INSERT INTO qa_rules (name, kind, severity, phrases, intents, limit_seconds, enabled, description, created_at, updated_at) VALUES
 ('推诿用语', 'phrase', 'high', '["公司*规定*没*办法","不归我管","这个我管不了","不是我负责的","你找别人去"]', '[]', 0, 1, '推卸责任、拒绝帮助的说法', '2026-01-01 00:00:00', '2026-01-01 00:00:00'),
 ('不建议用语', 'phrase', 'low', '["我不知道","我也不知道","我也不清楚","应该是吧","可能吧","大概吧"]', '[]', 0, 1, '含糊其辞，建议给出确定答复或转交', '2026-01-01 00:00:00', '2026-01-01 00:00:00'),
 ('理财风险提示', 'required', 'high', '["理财非存款","产品有风险","投资需谨慎","不保本"]', '["investment_products"]', 0, 1, '回答投资理财问题前必须做风险提示', '2026-01-01 00:00:00', '2026-01-01 00:00:00'),
 ('明文个人信息', 'pii', 'high', '[]', '[]', 0, 1, '坐席不得明文发送手机号、身份证号、银行卡号', '2026-01-01 00:00:00', '2026-01-01 00:00:00'),
 ('首次响应超时', 'first_response', 'medium', '[]', '[]', 60, 1, '转人工后首次回复超过时限', '2026-01-01 00:00:00', '2026-01-01 00:00:00'),
 ('回复间隔过长', 'reply_gap', 'medium', '[]', '[]', 180, 1, '客户发言后坐席回复超过时限', '2026-01-01 00:00:00', '2026-01-01 00:00:00'),
 ('不文明用语', 'rude', 'high', '[]', '[]', 0, 1, '粗鲁、负面或不耐烦的措辞', '2026-01-01 00:00:00', '2026-01-01 00:00:00');
