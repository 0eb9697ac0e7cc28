-- Tamper evidence: each message stored from now on carries its place in its
-- conversation (seq) and a SHA-256 chained over the conversation's messages
-- so far, so an edited, deleted or inserted message shows when the
-- conversation is verified. Messages stored before have neither.
ALTER TABLE messages ADD COLUMN seq BIGINT NULL;
ALTER TABLE messages ADD COLUMN chain_hash CHAR(64) NULL;
CREATE UNIQUE INDEX ux_messages_chain ON messages (conversation_id, seq);
-- The conversation keeps the head of its chain, so deleting its last
-- messages shows too.
ALTER TABLE conversations ADD COLUMN chain_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN chain_head CHAR(64) NULL;
