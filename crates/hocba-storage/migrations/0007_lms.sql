-- Learning systems (LMS) writing into the gradebook through OneRoster 1.2
-- Gradebook (issue 6 point 5), portable like 0001: BIGINT ids and
-- Unix-millisecond times, TEXT for the rest; every table is keyed by
-- school_id first.

-- An OAuth 2.0 client (RFC 6749 §4.4) issued by the school's admin. Its
-- public client_id is "{school_id}.{id}", so the token endpoint finds the
-- school without a global lookup. Only the SHA-256 of the secret is kept
-- (a 256-bit random secret: no password hashing is needed). scopes: the
-- granted OneRoster scope URIs, space-separated.
CREATE TABLE lms_client (
    school_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    name TEXT NOT NULL,
    scopes TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    revoked_at BIGINT,
    revoked_by TEXT,
    PRIMARY KEY (school_id, id)
);

-- Short-lived bearer tokens (SHA-256 of the token), bound to the school,
-- the client and the granted scopes. A revoked client's tokens are deleted
-- and, being joined to the client on every request, stop at once.
CREATE TABLE lms_token (
    school_id BIGINT NOT NULL,
    token_hash TEXT NOT NULL,
    client_id BIGINT NOT NULL,
    scopes TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (school_id, token_hash)
);

-- A line item claims one declared column of one gradebook (class × subject
-- × semester) under the sync rules of seed 000; one line item per column.
CREATE TABLE lms_line_item (
    school_id BIGINT NOT NULL,
    sourced_id TEXT NOT NULL,
    client_id BIGINT NOT NULL,
    class_id BIGINT NOT NULL,
    subject_id BIGINT NOT NULL,
    school_year_id BIGINT NOT NULL,
    semester INTEGER NOT NULL,
    column_key TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    assign_date TEXT,
    due_date TEXT,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (school_id, sourced_id)
);
CREATE UNIQUE INDEX lms_line_item_column ON lms_line_item (school_id, class_id, subject_id, semester, column_key);

-- A result, upserted by its sourcedId: the score it wrote (tenths) and the
-- cell's version right after, so that a later score replaces the cell only
-- while the cell still holds what this result wrote.
CREATE TABLE lms_result (
    school_id BIGINT NOT NULL,
    sourced_id TEXT NOT NULL,
    line_item_id TEXT NOT NULL,
    student_id BIGINT NOT NULL,
    tenths INTEGER,
    score_status TEXT NOT NULL,
    score_date TEXT,
    comment TEXT,
    status TEXT NOT NULL,
    cell_version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (school_id, sourced_id)
);
CREATE UNIQUE INDEX lms_result_student ON lms_result (school_id, line_item_id, student_id);
