-- The SQLite catalog as version 1 of CatalogSchema created it (PRAGMA user_version = 1), frozen:
-- a released migration must never change what it creates.
CREATE TABLE accounts (
    client_id   INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE TABLE connect_tokens (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id   INTEGER NOT NULL REFERENCES accounts(client_id),
    token_hash  TEXT    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
CREATE TABLE sources (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id     INTEGER NOT NULL REFERENCES accounts(client_id),
    type          TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    display_name  TEXT    NOT NULL,
    properties    TEXT    NOT NULL DEFAULT '{}',
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    paused_at     INTEGER,
    deleted_at    INTEGER
);
CREATE UNIQUE INDEX sources_live_name ON sources(client_id, name) WHERE deleted_at IS NULL;
CREATE TABLE import_tokens (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    source_id   INTEGER NOT NULL REFERENCES sources(id),
    token_hash  TEXT    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
CREATE TABLE destinations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id   INTEGER NOT NULL REFERENCES accounts(client_id),
    type        TEXT    NOT NULL,
    properties  TEXT    NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    deleted_at  INTEGER
);
CREATE UNIQUE INDEX destinations_live ON destinations(client_id) WHERE deleted_at IS NULL;
CREATE TABLE table_keys (
    source_id   INTEGER NOT NULL REFERENCES sources(id),
    table_name  TEXT    NOT NULL,
    key_names   TEXT    NOT NULL,
    PRIMARY KEY (source_id, table_name)
);
