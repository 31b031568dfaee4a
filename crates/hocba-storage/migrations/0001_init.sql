-- hocba schema, portable between SQLite and PostgreSQL (stack.md §3.2):
-- application-generated BIGINT ids (no sequences), BIGINT Unix-millisecond
-- timestamps, INTEGER flags, TEXT for everything else. Every school-owned
-- table starts its primary key with school_id, so that the data can be
-- distributed by school (quality.md). Record tables hold one TEXT column per
-- field of the domain registry (hocba_domain::{student,staff,school}::FIELDS),
-- in canonical form; NULL means "not filled in".

CREATE TABLE unit (
    id BIGINT PRIMARY KEY,
    kind TEXT NOT NULL,
    parent_id BIGINT,
    name TEXT NOT NULL,
    name_fold TEXT NOT NULL,
    code TEXT,
    province_code TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX unit_by_parent ON unit (parent_id);

CREATE TABLE school (
    school_id BIGINT PRIMARY KEY,
    levels TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    name TEXT,
    code TEXT,
    identifier TEXT,
    ownership TEXT,
    founded_year TEXT,
    founding_decision TEXT,
    province TEXT,
    commune TEXT,
    address TEXT,
    phone TEXT,
    email TEXT,
    website TEXT,
    principal_name TEXT,
    principal_phone TEXT,
    national_standard TEXT,
    semi_boarding TEXT,
    boarding TEXT,
    inclusive_education TEXT,
    two_sessions_a_day TEXT,
    has_internet TEXT,
    has_clean_water TEXT,
    has_electricity TEXT,
    separate_toilets TEXT,
    difficult_area TEXT
);

CREATE TABLE campus (
    school_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    version BIGINT NOT NULL,
    name TEXT,
    province TEXT,
    commune TEXT,
    address TEXT,
    phone TEXT,
    PRIMARY KEY (school_id, id)
);

CREATE TABLE school_year (
    school_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    start_year INTEGER NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (school_id, id),
    UNIQUE (school_id, start_year)
);

CREATE TABLE class (
    school_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    school_year_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    grade INTEGER NOT NULL,
    campus_id BIGINT,
    sessions_per_week INTEGER,
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (school_id, id),
    UNIQUE (school_id, school_year_id, name)
);

CREATE TABLE subject (
    school_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    school_year_id BIGINT NOT NULL,
    grade INTEGER NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    periods_per_year INTEGER NOT NULL,
    mode TEXT NOT NULL,
    position INTEGER NOT NULL,
    version BIGINT NOT NULL,
    PRIMARY KEY (school_id, id),
    UNIQUE (school_id, school_year_id, grade, code)
);

CREATE TABLE staff (
    school_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    full_name_fold TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    full_name TEXT,
    staff_code TEXT,
    birth_date TEXT,
    sex TEXT,
    ethnicity TEXT,
    personal_id TEXT,
    position TEXT,
    main_subject TEXT,
    qualification TEXT,
    employment TEXT,
    status TEXT,
    phone TEXT,
    email TEXT,
    address TEXT,
    PRIMARY KEY (school_id, id)
);
CREATE UNIQUE INDEX staff_personal_id ON staff (school_id, personal_id);

CREATE TABLE student (
    school_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    full_name_fold TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    full_name TEXT,
    other_name TEXT,
    birth_date TEXT,
    sex TEXT,
    ethnicity TEXT,
    ethnicity_on_birth_certificate TEXT,
    nationality TEXT,
    religion TEXT,
    contact_phone TEXT,
    register_no TEXT,
    moet_code TEXT,
    permanent_province TEXT,
    permanent_district TEXT,
    permanent_commune TEXT,
    permanent_detail TEXT,
    hometown_province TEXT,
    hometown_district TEXT,
    hometown_commune TEXT,
    hometown_detail TEXT,
    birthplace_province TEXT,
    birthplace_district TEXT,
    birthplace_commune TEXT,
    birthplace_detail TEXT,
    current_province TEXT,
    current_district TEXT,
    current_commune TEXT,
    current_detail TEXT,
    area TEXT,
    disability TEXT,
    policy_group TEXT,
    vocational_training TEXT,
    can_swim TEXT,
    eye_condition TEXT,
    passport_no TEXT,
    passport_issued_on TEXT,
    passport_issued_by TEXT,
    id_card_no TEXT,
    id_card_issued_on TEXT,
    id_card_issued_by TEXT,
    personal_id TEXT,
    young_pioneer TEXT,
    youth_union_member TEXT,
    learns_ethnic_language TEXT,
    sessions_per_week TEXT,
    parent_has_smartphone TEXT,
    bilingual TEXT,
    follows_ministry_programme TEXT,
    semi_boarding_state_fed TEXT,
    mother_ethnic_minority TEXT,
    father_ethnic_minority TEXT,
    retained_last_year TEXT,
    career_counselling TEXT,
    parent_has_internet TEXT,
    father_name TEXT,
    father_birth_year TEXT,
    father_occupation TEXT,
    father_phone TEXT,
    mother_name TEXT,
    mother_birth_year TEXT,
    mother_occupation TEXT,
    mother_phone TEXT,
    guardian_name TEXT,
    guardian_phone TEXT,
    photo_ref TEXT,
    PRIMARY KEY (school_id, id)
);
CREATE UNIQUE INDEX student_personal_id ON student (school_id, personal_id);
CREATE UNIQUE INDEX student_moet_code ON student (school_id, moet_code);
CREATE INDEX student_by_name ON student (school_id, full_name_fold);

-- A student's place in a school year: class, status, and the year's decision.
CREATE TABLE enrolment (
    school_id BIGINT NOT NULL,
    school_year_id BIGINT NOT NULL,
    student_id BIGINT NOT NULL,
    class_id BIGINT NOT NULL,
    status TEXT NOT NULL,
    decision TEXT,
    PRIMARY KEY (school_id, school_year_id, student_id)
);
CREATE INDEX enrolment_by_class ON enrolment (school_id, class_id);

CREATE TABLE transfer (
    school_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    student_id BIGINT NOT NULL,
    direction TEXT NOT NULL,
    on_date TEXT NOT NULL,
    other_school TEXT NOT NULL,
    reason TEXT,
    class_name TEXT,
    created_at BIGINT NOT NULL,
    created_by BIGINT NOT NULL,
    PRIMARY KEY (school_id, id)
);
CREATE INDEX transfer_by_student ON transfer (school_id, student_id);

CREATE TABLE teaching_assignment (
    school_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    school_year_id BIGINT NOT NULL,
    semester INTEGER NOT NULL,
    class_id BIGINT NOT NULL,
    subject_id BIGINT NOT NULL,
    staff_id BIGINT NOT NULL,
    PRIMARY KEY (school_id, id),
    UNIQUE (school_id, class_id, subject_id, semester)
);
CREATE INDEX teaching_by_staff ON teaching_assignment (school_id, staff_id);

CREATE TABLE homeroom_assignment (
    school_id BIGINT NOT NULL,
    class_id BIGINT NOT NULL,
    school_year_id BIGINT NOT NULL,
    staff_id BIGINT NOT NULL,
    PRIMARY KEY (school_id, class_id)
);
CREATE INDEX homeroom_by_staff ON homeroom_assignment (school_id, staff_id);

-- Accounts are not school-owned: a person may hold roles in several units.
CREATE TABLE app_user (
    id BIGINT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    display_name TEXT NOT NULL,
    home_unit_id BIGINT NOT NULL,
    staff_id BIGINT,
    must_change_password INTEGER NOT NULL,
    disabled INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    password_changed_at BIGINT NOT NULL
);

CREATE TABLE role_grant (
    user_id BIGINT NOT NULL,
    role TEXT NOT NULL,
    unit_id BIGINT NOT NULL,
    PRIMARY KEY (user_id, role, unit_id)
);
CREATE INDEX role_grant_by_unit ON role_grant (unit_id);

-- Browser sessions and API tokens; only a hash of the secret is stored.
CREATE TABLE session (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX session_by_user ON session (user_id);

-- Every create, update and delete of a record: who, when, what, before, after.
CREATE TABLE audit_log (
    unit_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor_user_id BIGINT,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BIGINT,
    summary TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    PRIMARY KEY (unit_id, id)
);
CREATE INDEX audit_by_entity ON audit_log (unit_id, entity, entity_id);
