-- Several nodes on one database (cluster.enabled): each node writes the live
-- events it publishes (new messages, conversation changes, alerts, typing)
-- to cluster_events and tails the table for the other nodes' events, so an
-- agent whose console is connected to one node sees what a customer sent to
-- another. Rows are kept for minutes, not as a record: the record is the
-- messages table.
CREATE TABLE cluster_events (
  id {{ID}},
  node VARCHAR(64) NOT NULL,
  payload MEDIUMTEXT NOT NULL,
  created_at DATETIME(3) NOT NULL
){{TABLE}};
CREATE INDEX ix_cluster_events_created ON cluster_events (created_at);
-- Each node's heartbeat and the staff whose consoles are connected to it, so
-- a node's presence sweep does not set offline an agent connected elsewhere;
-- routing says whether the node holds the router lock (shown to supervisors).
CREATE TABLE cluster_nodes (
  node VARCHAR(64) NOT NULL PRIMARY KEY,
  users TEXT NOT NULL,
  routing BOOLEAN NOT NULL DEFAULT FALSE,
  started_at DATETIME(3) NOT NULL,
  heartbeat_at DATETIME(3) NOT NULL
){{TABLE}};
