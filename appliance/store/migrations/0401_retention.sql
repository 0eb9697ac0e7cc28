-- Retention (issue 5): conversations anonymized by the retention job are
-- marked so the next run skips them.
ALTER TABLE conversations ADD COLUMN anonymized_at DATETIME(3) NULL;
CREATE INDEX ix_conversations_closed ON conversations (status, last_message_at);
