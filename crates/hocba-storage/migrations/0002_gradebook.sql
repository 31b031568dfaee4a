-- The gradebook (sổ điểm), portable between SQLite and PostgreSQL like 0001:
-- BIGINT ids and Unix-millisecond times, INTEGER counts and flags, TEXT for
-- the rest; every table is keyed by school_id first.

-- Khai báo số cột điểm: per class × subject × semester (1 or 2).
CREATE TABLE column_plan (
    school_id BIGINT NOT NULL,
    class_id BIGINT NOT NULL,
    subject_id BIGINT NOT NULL,
    semester INTEGER NOT NULL,
    school_year_id BIGINT NOT NULL,
    regular_columns INTEGER NOT NULL,
    midterm_columns INTEGER NOT NULL,
    final_columns INTEGER NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (school_id, class_id, subject_id, semester)
);
CREATE INDEX column_plan_by_year ON column_plan (school_id, school_year_id);

-- Đợt nhập điểm: teachers of a grade enter a semester's grades from
-- opens_at (inclusive) to closes_at (exclusive).
CREATE TABLE entry_window (
    school_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    school_year_id BIGINT NOT NULL,
    grade INTEGER NOT NULL,
    semester INTEGER NOT NULL,
    opens_at BIGINT NOT NULL,
    closes_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (school_id, id)
);
CREATE INDEX entry_window_by_grade ON entry_window (school_id, school_year_id, grade, semester);

-- Khóa cột điểm: one row per locked column ('regular:1', 'midterm', 'final').
CREATE TABLE column_lock (
    school_id BIGINT NOT NULL,
    class_id BIGINT NOT NULL,
    subject_id BIGINT NOT NULL,
    semester INTEGER NOT NULL,
    column_key TEXT NOT NULL,
    locked_at BIGINT NOT NULL,
    locked_by_user_id BIGINT,
    locked_by TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (school_id, class_id, subject_id, semester, column_key)
);

-- One cell of a gradebook. A student's grades follow the student (not the
-- class): subject ids belong to a school year and grade, so a student who
-- moves to another class of the grade keeps them. Scores are exact tenths
-- (0..100); Đ, CĐ and M are text; both NULL once a cell is cleared (the row
-- stays, so its version keeps counting). missed_make_up marks a 0 / CĐ given
-- because a missed test was not made up (TT22 Điều 6–7); synced marks a
-- value that came from an exam (the shield marker).
CREATE TABLE gradebook_cell (
    school_id BIGINT NOT NULL,
    student_id BIGINT NOT NULL,
    subject_id BIGINT NOT NULL,
    semester INTEGER NOT NULL,
    column_key TEXT NOT NULL,
    school_year_id BIGINT NOT NULL,
    tenths INTEGER,
    mark TEXT,
    missed_make_up INTEGER NOT NULL,
    synced INTEGER NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by_user_id BIGINT,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (school_id, student_id, subject_id, semester, column_key)
);
CREATE INDEX gradebook_cell_by_subject ON gradebook_cell (school_id, subject_id, semester);

-- The audit trail of every cell change: who, when, old, new, why, through
-- which channel (grid, excel, api, sync), and the rules an administrator
-- overrode. Written in the transaction that changes the cell.
CREATE TABLE gradebook_change (
    school_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    student_id BIGINT NOT NULL,
    subject_id BIGINT NOT NULL,
    semester INTEGER NOT NULL,
    column_key TEXT NOT NULL,
    class_id BIGINT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    missed_make_up INTEGER NOT NULL,
    version BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor_user_id BIGINT,
    actor_name TEXT NOT NULL,
    channel TEXT NOT NULL,
    reason TEXT,
    overrides TEXT,
    PRIMARY KEY (school_id, id)
);
CREATE INDEX gradebook_change_by_cell ON gradebook_change (school_id, subject_id, semester, student_id);

-- Kết quả rèn luyện (TT22 Điều 8) and the homeroom teacher's comment, per
-- student and semester.
CREATE TABLE conduct (
    school_id BIGINT NOT NULL,
    student_id BIGINT NOT NULL,
    school_year_id BIGINT NOT NULL,
    semester INTEGER NOT NULL,
    class_id BIGINT NOT NULL,
    training_result TEXT,
    comment TEXT,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by_user_id BIGINT,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (school_id, student_id, school_year_id, semester)
);
CREATE INDEX conduct_by_class ON conduct (school_id, class_id, semester);
