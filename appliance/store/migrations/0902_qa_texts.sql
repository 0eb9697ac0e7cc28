-- What QA keeps of a conversation — the excerpt a rule matched, the whole
-- message it matched in, the LLM judge's reasons — is encrypted at rest like
-- the messages themselves; the columns get room for the ciphertext.
{{MYSQL}}ALTER TABLE qa_alerts MODIFY excerpt TEXT NOT NULL;
{{MYSQL}}ALTER TABLE qa_report_hits MODIFY excerpt TEXT NOT NULL;
{{MYSQL}}ALTER TABLE qa_report_hits MODIFY message_text MEDIUMTEXT NOT NULL;
{{MYSQL}}ALTER TABLE qa_report_items MODIFY judge MEDIUMTEXT NULL;
