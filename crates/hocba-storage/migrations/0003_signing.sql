-- Signing accounts and the school's organisation certificate (seed 004
-- §II.2, §III.1), portable like 0001: BIGINT ids and Unix-millisecond
-- times, TEXT for the rest; every table is keyed by school_id first.
-- Certificates are kept as PEM with the facts hocba shows; no secret is
-- stored (a remote provider's access token is used to check the account
-- and then forgotten: the holder enters it again when signing).

-- Tài khoản ký: one per staff member and school year (accounts belong to a
-- school year; "Lấy dữ liệu năm học trước" copies approved ones).
-- state: pending | approved | rejected (hocba_domain::signing_account).
CREATE TABLE signing_account (
    school_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    school_year_id BIGINT NOT NULL,
    staff_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    provider_url TEXT,
    provider_username TEXT,
    credential_id TEXT,
    certificate_pem TEXT NOT NULL,
    subject TEXT NOT NULL,
    issuer TEXT NOT NULL,
    serial TEXT NOT NULL,
    holder_name TEXT,
    not_before BIGINT NOT NULL,
    not_after BIGINT NOT NULL,
    fingerprint TEXT NOT NULL,
    warnings TEXT,
    state TEXT NOT NULL,
    registered_at BIGINT NOT NULL,
    registered_by TEXT NOT NULL,
    decided_at BIGINT,
    decided_by TEXT,
    decision_reason TEXT,
    copied_from BIGINT,
    version BIGINT NOT NULL,
    PRIMARY KEY (school_id, id),
    UNIQUE (school_id, school_year_id, staff_id)
);

-- Đăng ký chứng thư số nhà trường: every request is kept (the history of
-- requests). state: pending | approved | rejected | superseded; at most one
-- approved per school year, and it stays usable while a newer request waits.
CREATE TABLE org_certificate_request (
    school_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    school_year_id BIGINT NOT NULL,
    certificate_pem TEXT NOT NULL,
    subject TEXT NOT NULL,
    issuer TEXT NOT NULL,
    serial TEXT NOT NULL,
    holder_name TEXT,
    not_before BIGINT NOT NULL,
    not_after BIGINT NOT NULL,
    fingerprint TEXT NOT NULL,
    warnings TEXT,
    reason TEXT,
    state TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    requested_by TEXT NOT NULL,
    decided_at BIGINT,
    decided_by TEXT,
    decision_reason TEXT,
    superseded_at BIGINT,
    copied_from BIGINT,
    PRIMARY KEY (school_id, id)
);
CREATE INDEX org_certificate_request_by_state ON org_certificate_request (state, school_id);

-- Phân quyền ký: issue_sign (ký phát hành), seal (đóng dấu), delegate (ký
-- thay hiệu trưởng), granted by the school's administrator to its staff.
CREATE TABLE signing_permission (
    school_id BIGINT NOT NULL,
    staff_id BIGINT NOT NULL,
    permission TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    granted_by TEXT NOT NULL,
    PRIMARY KEY (school_id, staff_id, permission)
);
