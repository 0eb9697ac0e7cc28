-- The knowledge base (issue 3): documents and FAQ entries (items), every
-- version of their content with the chunks it was split into, and the
-- editors' history. Items carry string ids chosen by the service or the
-- FAQ sheet. List-valued fields (tags, channels, segments, heading paths,
-- the FAQ's similar questions) are JSON text; tags are also kept in their
-- own table so the editors' list can filter on them with an index.

CREATE TABLE knowledge_items (
  id VARCHAR(128) NOT NULL PRIMARY KEY,
  kind VARCHAR(16) NOT NULL,
  title TEXT NOT NULL,
  status VARCHAR(16) NOT NULL,
  version INT NOT NULL,
  published_version INT NOT NULL DEFAULT 0,
  format VARCHAR(16) NOT NULL DEFAULT '',
  source VARCHAR(255) NOT NULL DEFAULT '',
  tags TEXT NOT NULL,
  channels TEXT NOT NULL,
  segments TEXT NOT NULL,
  lang VARCHAR(16) NOT NULL DEFAULT '',
  created_by VARCHAR(64) NOT NULL DEFAULT '',
  updated_by VARCHAR(64) NOT NULL DEFAULT '',
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL
){{TABLE}};
CREATE INDEX ix_knowledge_items_updated ON knowledge_items (updated_at, id);
CREATE INDEX ix_knowledge_items_kind_status ON knowledge_items (kind, status);
CREATE INDEX ix_knowledge_items_published ON knowledge_items (published_version);

CREATE TABLE knowledge_item_tags (
  item_id VARCHAR(128) NOT NULL,
  tag VARCHAR(191) NOT NULL,
  PRIMARY KEY (item_id, tag)
){{TABLE}};
CREATE INDEX ix_knowledge_item_tags_tag ON knowledge_item_tags (tag);

CREATE TABLE knowledge_versions (
  id {{ID}},
  item_id VARCHAR(128) NOT NULL,
  number INT NOT NULL,
  title TEXT NOT NULL,
  format VARCHAR(16) NOT NULL DEFAULT '',
  source VARCHAR(255) NOT NULL DEFAULT '',
  size BIGINT NOT NULL DEFAULT 0,
  text LONGTEXT NOT NULL,
  faq MEDIUMTEXT NULL,
  tags TEXT NOT NULL,
  channels TEXT NOT NULL,
  segments TEXT NOT NULL,
  lang VARCHAR(16) NOT NULL DEFAULT '',
  hash VARCHAR(64) NOT NULL DEFAULT '',
  sketch TEXT NOT NULL,
  author VARCHAR(64) NOT NULL DEFAULT '',
  note TEXT NOT NULL,
  created_at DATETIME(3) NOT NULL
){{TABLE}};
CREATE UNIQUE INDEX ux_knowledge_versions_item_number ON knowledge_versions (item_id, number);

CREATE TABLE knowledge_chunks (
  id {{ID}},
  item_id VARCHAR(128) NOT NULL,
  version INT NOT NULL,
  ordinal INT NOT NULL,
  chunk_id VARCHAR(191) NOT NULL,
  heading_path TEXT NOT NULL,
  text MEDIUMTEXT NOT NULL,
  hash VARCHAR(64) NOT NULL DEFAULT ''
){{TABLE}};
CREATE UNIQUE INDEX ux_knowledge_chunks_item_version_ordinal ON knowledge_chunks (item_id, version, ordinal);

CREATE TABLE knowledge_events (
  id {{ID}},
  item_id VARCHAR(128) NOT NULL,
  version INT NOT NULL,
  action VARCHAR(16) NOT NULL,
  from_status VARCHAR(16) NOT NULL DEFAULT '',
  to_status VARCHAR(16) NOT NULL,
  actor VARCHAR(64) NOT NULL DEFAULT '',
  note TEXT NOT NULL,
  at DATETIME(3) NOT NULL
){{TABLE}};
CREATE INDEX ix_knowledge_events_item ON knowledge_events (item_id, id);
