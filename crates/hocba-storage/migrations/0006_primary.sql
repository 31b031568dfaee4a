-- Primary assessment (TT27/2020/TT-BGDĐT), portable like 0001: BIGINT ids
-- and Unix-millisecond times, INTEGER scores and flags, TEXT for the rest;
-- every table is keyed by school_id first. milestone is mid_S1, end_S1,
-- mid_S2 or end_of_year (TT27 Điều 6: the four periodic assessments).

-- One student at one milestone: the 15 ratings of TT27 Điều 7 khoản 2
-- (T, Đ, C; NULL while not rated), the teacher's comment, and the
-- outstanding achievement of the "Học sinh Tiêu biểu" award (Điều 12, end
-- of year). version counts every change of the student's line at the
-- milestone, subject levels and tests included (optimistic versioning).
CREATE TABLE primary_assessment (
    school_id BIGINT NOT NULL,
    student_id BIGINT NOT NULL,
    school_year_id BIGINT NOT NULL,
    milestone TEXT NOT NULL,
    class_id BIGINT NOT NULL,
    patriotism TEXT,
    kindness TEXT,
    diligence TEXT,
    honesty TEXT,
    responsibility TEXT,
    self_reliance TEXT,
    communication TEXT,
    problem_solving TEXT,
    language TEXT,
    mathematics TEXT,
    science TEXT,
    technology TEXT,
    informatics TEXT,
    aesthetics TEXT,
    physical TEXT,
    comment TEXT,
    outstanding INTEGER NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by_user_id BIGINT,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (school_id, student_id, school_year_id, milestone)
);
CREATE INDEX primary_assessment_by_class ON primary_assessment (school_id, class_id, school_year_id);

-- One subject or educational activity of a student at a milestone: the
-- level (T, H, C; M = exempt) and, where TT27 Điều 7 khoản 1 điểm b places
-- a periodic test, its score as a whole number 0..10 (test_mark 'M' when
-- exempt). A cleared value keeps its row with NULLs.
CREATE TABLE primary_subject_assessment (
    school_id BIGINT NOT NULL,
    student_id BIGINT NOT NULL,
    school_year_id BIGINT NOT NULL,
    milestone TEXT NOT NULL,
    subject_id BIGINT NOT NULL,
    class_id BIGINT NOT NULL,
    level TEXT,
    test_score INTEGER,
    test_mark TEXT,
    updated_at BIGINT NOT NULL,
    updated_by_user_id BIGINT,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (school_id, student_id, school_year_id, milestone, subject_id)
);
CREATE INDEX primary_subject_assessment_by_class ON primary_subject_assessment (school_id, class_id, school_year_id);
