-- Customers whose personal information was erased on request (个人信息保护法
-- art. 47): the record stays, blank, for the statistics of its conversations.
ALTER TABLE customers ADD COLUMN erased_at DATETIME(3) NULL;
