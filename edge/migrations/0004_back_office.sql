-- The back-office: the association's people, their one-time sign-in links, their sessions,
-- and the audit log of what they did. Links and sessions are kept as SHA-256 hashes of their
-- secrets, so a copy of the database lets nobody in.

CREATE TABLE people (
    id          INTEGER PRIMARY KEY,
    -- Lower-cased when written, so one address is one person.
    email       TEXT    NOT NULL UNIQUE CHECK (email = lower(email)),
    role        TEXT    NOT NULL CHECK (role IN ('admin', 'treasurer', 'volunteer')),
    created_at  INTEGER NOT NULL,
    -- Removed people keep their row, so the audit log still says who they were.
    removed_at  INTEGER
);

CREATE TABLE sign_in_links (
    token_hash  TEXT    PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people (id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);

CREATE INDEX sign_in_links_by_person ON sign_in_links (person_id);

CREATE TABLE sessions (
    token_hash    TEXT    PRIMARY KEY,
    person_id     INTEGER NOT NULL REFERENCES people (id),
    -- The link's use that opened the session: money and people need it to be recent.
    signed_in_at  INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    ended_at      INTEGER
);

CREATE INDEX sessions_by_person ON sessions (person_id);

-- Who did what, when, to which record. Rows are only ever added.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    -- NULL when the deployment's admin token did it.
    person_id  INTEGER REFERENCES people (id),
    action     TEXT    NOT NULL,
    -- The record acted on: `person:3`, `order:ord_…`, `campaign:jardin-2026`.
    subject    TEXT,
    detail     TEXT    CHECK (detail IS NULL OR json_valid(detail))
);

CREATE TRIGGER audit_log_is_never_edited BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is never edited');
END;

CREATE TRIGGER audit_log_is_never_deleted BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is never deleted');
END;
