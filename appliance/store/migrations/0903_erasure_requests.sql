-- Erasure on request with four eyes: one admin asks, with the reason; someone
-- else (another admin or a compliance officer) approves or rejects. The
-- erasure itself runs on approval.
CREATE TABLE erasure_requests (
  id {{ID}},
  customer_id BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL,
  reason VARCHAR(800) NOT NULL,
  requested_by BIGINT NOT NULL,
  requested_name VARCHAR(64) NOT NULL DEFAULT '',
  decided_by BIGINT NOT NULL DEFAULT 0,
  decided_name VARCHAR(64) NOT NULL DEFAULT '',
  decision_note VARCHAR(800) NOT NULL DEFAULT '',
  created_at DATETIME(3) NOT NULL,
  decided_at DATETIME(3) NULL
){{TABLE}};
CREATE INDEX ix_erasure_requests_customer ON erasure_requests (customer_id, status);
CREATE INDEX ix_erasure_requests_status ON erasure_requests (status, id);
