-- Job locks for SQLite (issue 5): MySQL uses GET_LOCK; on SQLite a lease row
-- keeps a second process on the same file (kefu job run next to kefu serve)
-- from running a job the server is running. A lease not renewed expires.
CREATE TABLE job_locks (
  job VARCHAR(64) NOT NULL PRIMARY KEY,
  holder VARCHAR(64) NOT NULL,
  expires_at DATETIME(3) NOT NULL
){{TABLE}};
