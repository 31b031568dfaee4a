-- School-level exams (seed 000), portable between SQLite and PostgreSQL like
-- 0001: BIGINT ids and Unix-millisecond times, INTEGER counts and flags,
-- TEXT for the rest; every table is keyed by school_id first.

-- Liên kết khảo thí với sổ điểm (seed 000 §1: only units whose gradebook is
-- linked sync). A school without a row is linked: its gradebook is hocba's.
CREATE TABLE exam_setting (
    school_id BIGINT NOT NULL,
    gradebook_linked INTEGER NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (school_id)
);

-- Kỳ thi: regular (chính quy) or free (tự do), for one semester of a year.
CREATE TABLE exam (
    school_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    school_year_id BIGINT NOT NULL,
    semester INTEGER NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (school_id, id)
);
CREATE INDEX exam_by_year ON exam (school_id, school_year_id);

-- Đề thi: one subject of one grade, sat by some classes of that grade.
-- state: open → final (chốt điểm) → synced (frozen, seed 000 §2.2).
CREATE TABLE exam_paper (
    school_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    exam_id BIGINT NOT NULL,
    subject_id BIGINT NOT NULL,
    grade INTEGER NOT NULL,
    name TEXT NOT NULL,
    state TEXT NOT NULL,
    finalised_at BIGINT,
    finalised_by TEXT,
    synced_at BIGINT,
    synced_by TEXT,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (school_id, id)
);
CREATE INDEX exam_paper_by_exam ON exam_paper (school_id, exam_id);

CREATE TABLE exam_paper_class (
    school_id BIGINT NOT NULL,
    paper_id BIGINT NOT NULL,
    class_id BIGINT NOT NULL,
    PRIMARY KEY (school_id, paper_id, class_id)
);

-- Bảng điểm: a student's score on a paper, exact tenths 0..100 (NULL: no
-- score yet, or absent). synced marks a score written into the gradebook
-- (the shield marker).
CREATE TABLE exam_score (
    school_id BIGINT NOT NULL,
    paper_id BIGINT NOT NULL,
    student_id BIGINT NOT NULL,
    tenths INTEGER,
    synced INTEGER NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (school_id, paper_id, student_id)
);

-- One sync per paper: the primary key is the once-only rule (seed 000
-- §2.2). Two requests at once: the second insert fails on the key.
CREATE TABLE exam_sync (
    school_id BIGINT NOT NULL,
    paper_id BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    started_by_user_id BIGINT,
    started_by TEXT NOT NULL,
    finished_at BIGINT,
    PRIMARY KEY (school_id, paper_id)
);

-- Each class of a sync, all or nothing: pending until its own transaction
-- writes its scores (synced) or its reason (refused). skipped is a JSON list
-- of the students left out, with their reasons.
CREATE TABLE exam_sync_class (
    school_id BIGINT NOT NULL,
    paper_id BIGINT NOT NULL,
    class_id BIGINT NOT NULL,
    column_key TEXT,
    status TEXT NOT NULL,
    reason_code TEXT,
    reason TEXT,
    remedy TEXT,
    written INTEGER NOT NULL,
    skipped TEXT,
    finished_at BIGINT,
    PRIMARY KEY (school_id, paper_id, class_id)
);
