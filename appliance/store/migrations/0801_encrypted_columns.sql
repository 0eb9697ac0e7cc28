-- Encryption at rest (database.encrypt) stores a value as
-- "kefu:enc:v1:" + base64(nonce, ciphertext, tag): about 4/3 of its size plus
-- 50 bytes. Customers' display names get room for that; the TEXT columns
-- that hold encrypted values become MEDIUMTEXT so a value near the TEXT limit
-- in clear still fits encrypted.
{{MYSQL}}ALTER TABLE customers MODIFY display_name VARCHAR(512) NOT NULL DEFAULT '';
{{MYSQL}}ALTER TABLE customers MODIFY attributes MEDIUMTEXT NOT NULL;
{{MYSQL}}ALTER TABLE conversations MODIFY summary MEDIUMTEXT NOT NULL;
{{MYSQL}}ALTER TABLE tickets MODIFY body MEDIUMTEXT NOT NULL;
{{MYSQL}}ALTER TABLE customer_merges MODIFY profile MEDIUMTEXT NOT NULL;
