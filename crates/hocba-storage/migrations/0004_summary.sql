-- Term summary (tổng kết), closing the book (close_term), and what comes
-- after the year (summer retest, summer training, absences, the averages a
-- transferred-in student brings). Portable like 0001: BIGINT ids and
-- Unix-millisecond times, INTEGER counts and flags, TEXT for the rest; every
-- table is keyed by school_id first.

-- The last computed summary of a class × semester (semester 2 is the end of
-- the year: semester II, the year, award and promotion). run_id is the
-- computation it came from: a school summary writes every class with one
-- run_id, in one transaction, so a crash leaves all of it or none of it.
-- note: why the class is not summarised (primary, old regime), if it is not.
CREATE TABLE term_summary (
    school_id BIGINT NOT NULL,
    class_id BIGINT NOT NULL,
    semester INTEGER NOT NULL,
    school_year_id BIGINT NOT NULL,
    run_id BIGINT NOT NULL,
    students INTEGER NOT NULL,
    complete_students INTEGER NOT NULL,
    counts TEXT NOT NULL,
    note TEXT,
    computed_at BIGINT NOT NULL,
    computed_by TEXT NOT NULL,
    PRIMARY KEY (school_id, class_id, semester)
);
CREATE INDEX term_summary_by_year ON term_summary (school_id, school_year_id, semester);

-- One student's line: the headline results as columns (for lists and
-- counts) and the whole line with the library's reasons as JSON.
CREATE TABLE term_summary_line (
    school_id BIGINT NOT NULL,
    class_id BIGINT NOT NULL,
    semester INTEGER NOT NULL,
    student_id BIGINT NOT NULL,
    school_year_id BIGINT NOT NULL,
    run_id BIGINT NOT NULL,
    position INTEGER NOT NULL,
    complete INTEGER NOT NULL,
    learning TEXT,
    training TEXT,
    award TEXT,
    promotion TEXT,
    detail TEXT NOT NULL,
    PRIMARY KEY (school_id, class_id, semester, student_id)
);
CREATE INDEX term_summary_line_by_year ON term_summary_line (school_id, school_year_id, semester);

-- Xác nhận hoàn thành tổng kết, khóa sổ: while closed = 1 the class's
-- cells and conduct of the semester are refused. Reopening (an
-- administrator, with a reason) keeps the row with closed = 0; the audit
-- log keeps every close and reopen.
CREATE TABLE term_closure (
    school_id BIGINT NOT NULL,
    class_id BIGINT NOT NULL,
    semester INTEGER NOT NULL,
    school_year_id BIGINT NOT NULL,
    closed INTEGER NOT NULL,
    closed_at BIGINT NOT NULL,
    closed_by TEXT NOT NULL,
    reopened_at BIGINT,
    reopened_by TEXT,
    reopen_reason TEXT,
    version BIGINT NOT NULL,
    PRIMARY KEY (school_id, class_id, semester)
);

-- Per student and year: sessions absent (TT22 Điều 12) and the training
-- result re-evaluated after summer training (Điều 13).
CREATE TABLE year_record (
    school_id BIGINT NOT NULL,
    student_id BIGINT NOT NULL,
    school_year_id BIGINT NOT NULL,
    absences INTEGER,
    summer_training TEXT,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (school_id, student_id, school_year_id)
);

-- Kiểm tra lại trong hè: one retest result per student and subject (exact
-- tenths, or Đ/CĐ for a commented subject).
CREATE TABLE retest_score (
    school_id BIGINT NOT NULL,
    student_id BIGINT NOT NULL,
    subject_id BIGINT NOT NULL,
    school_year_id BIGINT NOT NULL,
    tenths INTEGER,
    mark TEXT,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (school_id, student_id, subject_id)
);
CREATE INDEX retest_score_by_year ON retest_score (school_id, school_year_id);

-- The semester average a transferred-in student brings from the previous
-- school (học sinh chuyển đến), used instead of this school's columns.
CREATE TABLE transfer_average (
    school_id BIGINT NOT NULL,
    student_id BIGINT NOT NULL,
    subject_id BIGINT NOT NULL,
    semester INTEGER NOT NULL,
    school_year_id BIGINT NOT NULL,
    tenths INTEGER,
    mark TEXT,
    from_school TEXT,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (school_id, student_id, subject_id, semester)
);
CREATE INDEX transfer_average_by_year ON transfer_average (school_id, school_year_id);
