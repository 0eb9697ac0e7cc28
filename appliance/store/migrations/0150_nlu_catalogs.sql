-- Intent catalog versions (issue 8): every save of the catalog in the console
-- is a new row; the newest is the catalog in use, loaded at start-up in place
-- of the configured nlu.catalogs.
CREATE TABLE nlu_catalog_versions (
  id {{ID}},
  version INT NOT NULL,
  name VARCHAR(64) NOT NULL,
  yaml MEDIUMTEXT NOT NULL,
  intents INT NOT NULL DEFAULT 0,
  examples INT NOT NULL DEFAULT 0,
  author_id BIGINT NOT NULL DEFAULT 0,
  author_name VARCHAR(128) NOT NULL DEFAULT '',
  note VARCHAR(255) NOT NULL DEFAULT '',
  created_at DATETIME(3) NOT NULL
){{TABLE}};
CREATE UNIQUE INDEX ux_nlu_catalog_versions_version ON nlu_catalog_versions (version);
