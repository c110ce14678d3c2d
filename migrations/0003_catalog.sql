-- Catalog of services and authorities (catalog module). Each row keeps the
-- entity as JSON in `data` (the in-memory snapshot is built from it) plus the
-- columns operators and reports filter on.
CREATE TABLE catalog_regions (
    code      TEXT PRIMARY KEY,
    position  INTEGER NOT NULL,
    data      TEXT NOT NULL
);
CREATE TABLE catalog_authorities (
    id          TEXT PRIMARY KEY,
    position    INTEGER NOT NULL,
    parent_id   TEXT,
    level       TEXT NOT NULL,
    region_code TEXT,
    data        TEXT NOT NULL
);
CREATE TABLE catalog_categories (
    id        TEXT PRIMARY KEY,
    position  INTEGER NOT NULL,
    data      TEXT NOT NULL
);
CREATE TABLE catalog_services (
    id           TEXT PRIMARY KEY,
    position     INTEGER NOT NULL,
    authority_id TEXT NOT NULL,
    level        TEXT NOT NULL,
    min_level    TEXT NOT NULL,
    fee_kopecks  BIGINT NOT NULL,
    popularity   INTEGER NOT NULL,
    data         TEXT NOT NULL
);
CREATE INDEX catalog_services_authority ON catalog_services (authority_id);
CREATE TABLE catalog_life_situations (
    id        TEXT PRIMARY KEY,
    position  INTEGER NOT NULL,
    data      TEXT NOT NULL
);
CREATE TABLE catalog_service_centres (
    id                TEXT PRIMARY KEY,
    position          INTEGER NOT NULL,
    region_code       TEXT NOT NULL,
    settlement_id     TEXT NOT NULL,
    kind              TEXT NOT NULL,
    confirms_identity INTEGER NOT NULL,
    data              TEXT NOT NULL
);
CREATE TABLE catalog_synonyms (
    position  INTEGER PRIMARY KEY,
    data      TEXT NOT NULL
);
-- version: bumped by every change, so each `serve` instance rebuilds its snapshot.
CREATE TABLE catalog_meta (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
INSERT INTO catalog_meta (name, value) VALUES ('version', '0');
INSERT INTO catalog_meta (name, value) VALUES ('content_hash', '');
