//! The JSON calculator: `&str` in, `serde_json::Value` out, no I/O. The binary's
//! `hocba evaluate` and the web's `POST /api/v1/assessment/evaluate` call
//! [`evaluate_json`]. The format is documented with examples in docs/assessment.md.
//!
//! Numbers are read through their decimal text (a JSON 8.5 is the text "8.5", parsed
//! exactly into tenths) and written from the exact decimal, so 7.8 prints as 7.8.

use std::fmt;
use std::str::FromStr;

use serde_json::{Map, Number, Value};

use crate::full_course::{self, FullCourse, GradeYear};
use crate::label::{Label, fold};
use crate::outcome::{Award, EvaluateError, TermResults};
use crate::reason::Reason;
use crate::regime::{Grade, Regime, SchoolYear, Term, regime_for};
use crate::score::{Score, TwoDecimalScore};
use crate::secondary::{
    CommentedAssessments, CommentedTerm, Exemptible, ScoredTerm, SubjectGrades, SubjectRecord,
    SubjectResults, SubjectValue, TermColumns,
};
use crate::tt22::{self, TrainingInput, TrainingResult, Tt22Student};
use crate::tt27::{
    ByPeriod, Competency, Period, PeriodicTestScore, PrimaryLevel, PrimarySubjectRecord, Quality,
    Rating, Ratings, Tt27Student,
};
use crate::tt58::{ConductInput, Tt58Student};
use crate::{Evaluation, StudentRecord};

/// Bad input, naming the offending field: `subjects[0].S1.regular[2]: score 11 is above 10`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    /// Path of the field from the root, e.g. `subjects[0].S1.regular[2]`; empty for the
    /// input as a whole.
    pub path: String,
    /// What is wrong, in English.
    pub message: String,
}

impl InputError {
    fn new(path: &str, message: impl Into<String>) -> InputError {
        InputError {
            path: path.to_owned(),
            message: message.into(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "input: {}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for InputError {}

impl From<EvaluateError> for InputError {
    fn from(error: EvaluateError) -> InputError {
        InputError {
            path: error.path(),
            message: error.to_string(),
        }
    }
}

/// What a JSON input asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// One student-year under a regime.
    Student(StudentRecord),
    /// The grade-12 full-course averages.
    FullCourse(FullCourse),
}

/// Evaluates a JSON request and returns the JSON result (see docs/assessment.md).
pub fn evaluate_json(input: &str) -> Result<Value, InputError> {
    match parse_request(input)? {
        Request::Student(record) => {
            let evaluation = crate::evaluate(&record)?;
            Ok(render(&record, &evaluation))
        }
        Request::FullCourse(course) => {
            let evaluation = full_course::evaluate(&course)
                .map_err(|error| InputError::new("full_course", error.to_string()))?;
            let mut years = Map::new();
            for (key, value) in ["10", "11", "12"].iter().zip(evaluation.years) {
                years.insert((*key).to_owned(), decimal(&value.to_string()));
            }
            years.insert(
                "multi_year".to_owned(),
                decimal(&evaluation.multi_year.to_string()),
            );
            let mut output = Map::new();
            output.insert("full_course".to_owned(), Value::Object(years));
            insert_reasons(&mut output, &evaluation.reasons);
            Ok(Value::Object(output))
        }
    }
}

/// Parses and validates a JSON request into typed input.
pub fn parse_request(input: &str) -> Result<Request, InputError> {
    let value: Value = serde_json::from_str(input)
        .map_err(|error| InputError::new("", format!("not valid JSON: {error}")))?;
    let root = object(&value, "")?;
    if root.contains_key("full_course") {
        check_keys(root, &["full_course"], "")?;
        return parse_full_course(required(root, "full_course", "")?).map(Request::FullCourse);
    }
    let grade = parse_grade(required(root, "grade", "")?)?;
    let regime = parse_regime(root, grade)?;
    let record = match regime {
        Regime::Tt22 => {
            check_keys(
                root,
                &[
                    "regime",
                    "school_year",
                    "grade",
                    "subjects",
                    "conduct",
                    "absences",
                ],
                "",
            )?;
            StudentRecord::Tt22(Tt22Student {
                grade,
                subjects: parse_secondary_subjects(required(root, "subjects", "")?)?,
                training: parse_training(required(root, "conduct", "")?)?,
                absences: parse_absences(required(root, "absences", "")?)?,
            })
        }
        Regime::Tt58 => {
            check_keys(
                root,
                &[
                    "regime",
                    "school_year",
                    "grade",
                    "subjects",
                    "conduct",
                    "absences",
                    "specialised_subject",
                ],
                "",
            )?;
            let subjects = parse_secondary_subjects(required(root, "subjects", "")?)?;
            let specialised_subject = match root.get("specialised_subject") {
                None | Some(Value::Null) => None,
                Some(value) => {
                    let name = text(value, "specialised_subject")?;
                    if !subjects
                        .iter()
                        .any(|subject| fold(&subject.name) == fold(name))
                    {
                        return Err(InputError::new(
                            "specialised_subject",
                            format!("\"{name}\" is not one of the subjects"),
                        ));
                    }
                    Some(name.to_owned())
                }
            };
            StudentRecord::Tt58(Tt58Student {
                grade,
                subjects,
                specialised_subject,
                conduct: parse_conduct(required(root, "conduct", "")?)?,
                absences: parse_absences(required(root, "absences", "")?)?,
            })
        }
        Regime::Tt27 => {
            check_keys(
                root,
                &[
                    "regime",
                    "school_year",
                    "grade",
                    "subjects",
                    "qualities",
                    "competencies",
                    "outstanding_achievement",
                ],
                "",
            )?;
            parse_primary(root, grade).map(StudentRecord::Tt27)?
        }
        Regime::Tt30 => return Err(EvaluateError::UnsupportedRegime(Regime::Tt30).into()),
    };
    Ok(Request::Student(record))
}

// ---------------------------------------------------------------------------
// Reading helpers. Every one takes the path of the value it reads.

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn index(path: &str, position: usize) -> String {
    format!("{path}[{position}]")
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn object<'v>(value: &'v Value, path: &str) -> Result<&'v Map<String, Value>, InputError> {
    value
        .as_object()
        .ok_or_else(|| InputError::new(path, format!("expected an object, found {}", kind(value))))
}

fn array<'v>(value: &'v Value, path: &str) -> Result<&'v Vec<Value>, InputError> {
    value
        .as_array()
        .ok_or_else(|| InputError::new(path, format!("expected an array, found {}", kind(value))))
}

fn text<'v>(value: &'v Value, path: &str) -> Result<&'v str, InputError> {
    value
        .as_str()
        .ok_or_else(|| InputError::new(path, format!("expected a string, found {}", kind(value))))
}

fn required<'v>(
    map: &'v Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<&'v Value, InputError> {
    match map.get(key) {
        Some(Value::Null) | None => Err(InputError::new(&join(path, key), "missing")),
        Some(value) => Ok(value),
    }
}

fn optional<'v>(map: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    map.get(key).filter(|value| !value.is_null())
}

/// Refuses unknown keys, so a typo ("retset") is an error, not a silent default.
fn check_keys(map: &Map<String, Value>, allowed: &[&str], path: &str) -> Result<(), InputError> {
    match map.keys().find(|key| !allowed.contains(&key.as_str())) {
        Some(key) => Err(InputError::new(
            &join(path, key),
            format!("unknown field; expected one of {}", allowed.join(", ")),
        )),
        None => Ok(()),
    }
}

/// The decimal text of a JSON number or string. `Number`'s text is the shortest
/// decimal that reads back to the same number, which is the decimal that was written.
fn decimal_text(value: &Value, path: &str, what: &str) -> Result<String, InputError> {
    match value {
        Value::Number(number) => Ok(number.to_string()),
        Value::String(text) => Ok(text.clone()),
        other => Err(InputError::new(
            path,
            format!("expected {what}, found {}", kind(other)),
        )),
    }
}

fn score(value: &Value, path: &str) -> Result<Score, InputError> {
    let text = decimal_text(value, path, "a score such as 8.5 or \"8,5\"")?;
    text.parse::<Score>()
        .map_err(|error| InputError::new(path, error.to_string()))
}

fn whole_number(value: &Value, path: &str, maximum: u64) -> Result<u64, InputError> {
    let number = match value {
        Value::Number(number) => number.as_u64(),
        Value::String(text) => text.trim().parse::<u64>().ok(),
        _ => None,
    };
    match number {
        Some(number) if number <= maximum => Ok(number),
        Some(number) => Err(InputError::new(
            path,
            format!("{number} is above {maximum}"),
        )),
        None => Err(InputError::new(
            path,
            format!("expected a whole number from 0 to {maximum}, found {value}"),
        )),
    }
}

fn label<T: Label>(value: &Value, path: &str) -> Result<T, InputError> {
    let given = text(value, path)?;
    T::from_label(given).ok_or_else(|| {
        InputError::new(path, format!("\"{given}\" is not one of {}", T::expected()))
    })
}

fn is_exempt(value: &Value) -> bool {
    value.as_str().is_some_and(|text| fold(text) == "m")
}

fn parse_grade(value: &Value) -> Result<Grade, InputError> {
    let number = whole_number(value, "grade", 12)?;
    Grade::new(number as u8).map_err(|error| InputError::new("grade", error.to_string()))
}

/// The regime from "regime", from "school_year" through the rollout table, or both
/// (then they must agree).
fn parse_regime(root: &Map<String, Value>, grade: Grade) -> Result<Regime, InputError> {
    let given = optional(root, "regime")
        .map(|value| {
            text(value, "regime")?
                .parse::<Regime>()
                .map_err(|error| InputError::new("regime", error.to_string()))
        })
        .transpose()?;
    let derived = optional(root, "school_year")
        .map(|value| {
            let year = text(value, "school_year")?
                .parse::<SchoolYear>()
                .map_err(|error| InputError::new("school_year", error.to_string()))?;
            regime_for(grade, year)
                .map(|regime| (regime, year))
                .map_err(|error| InputError::new("school_year", error.to_string()))
        })
        .transpose()?;
    match (given, derived) {
        (Some(given), Some((derived, year))) if given != derived => Err(InputError::new(
            "regime",
            format!("{given} does not govern grade {grade} in {year}; {derived} does"),
        )),
        (Some(regime), _) | (None, Some((regime, _))) => Ok(regime),
        (None, None) => Err(InputError::new(
            "regime",
            "missing; give \"regime\" (TT22, TT58, TT27) or \"school_year\" (e.g. \"2025-2026\")",
        )),
    }
}

fn parse_absences(value: &Value) -> Result<u16, InputError> {
    // A school year has fewer than 400 sessions; more is a typing error.
    whole_number(value, "absences", 400).map(|number| number as u16)
}

// ---------------------------------------------------------------------------
// Secondary (TT22, TT58).

fn parse_secondary_subjects(value: &Value) -> Result<Vec<SubjectRecord>, InputError> {
    let items = array(value, "subjects")?;
    if items.is_empty() {
        return Err(InputError::new(
            "subjects",
            "at least one subject is needed",
        ));
    }
    let mut subjects: Vec<SubjectRecord> = Vec::with_capacity(items.len());
    for (position, item) in items.iter().enumerate() {
        let path = index("subjects", position);
        let subject = parse_secondary_subject(item, &path)?;
        if subjects
            .iter()
            .any(|other| fold(&other.name) == fold(&subject.name))
        {
            return Err(InputError::new(
                &join(&path, "name"),
                format!("\"{}\" appears twice", subject.name),
            ));
        }
        subjects.push(subject);
    }
    Ok(subjects)
}

fn parse_secondary_subject(value: &Value, path: &str) -> Result<SubjectRecord, InputError> {
    let map = object(value, path)?;
    check_keys(
        map,
        &["name", "mode", "S1", "S2", "retest", "periods_per_year"],
        path,
    )?;
    let name = text(required(map, "name", path)?, &join(path, "name"))?.trim();
    if name.is_empty() {
        return Err(InputError::new(&join(path, "name"), "empty subject name"));
    }
    let mode_path = join(path, "mode");
    let mode = text(required(map, "mode", path)?, &mode_path)?;
    let periods_per_year = optional(map, "periods_per_year")
        .map(|value| {
            whole_number(value, &join(path, "periods_per_year"), 1000).map(|number| number as u16)
        })
        .transpose()?;
    let s1 = required(map, "S1", path)?;
    let s2 = required(map, "S2", path)?;
    let retest = optional(map, "retest");
    let grades = match fold(mode).as_str() {
        "scored" => SubjectGrades::Scored {
            s1: parse_scored_term(s1, &join(path, "S1"))?,
            s2: parse_scored_term(s2, &join(path, "S2"))?,
            retest: retest
                .map(|value| score(value, &join(path, "retest")))
                .transpose()?,
        },
        "commented" => SubjectGrades::Commented {
            s1: parse_commented_term(s1, &join(path, "S1"))?,
            s2: parse_commented_term(s2, &join(path, "S2"))?,
            retest: retest
                .map(|value| label(value, &join(path, "retest")))
                .transpose()?,
        },
        _ => {
            return Err(InputError::new(
                &mode_path,
                format!("\"{mode}\" is not \"scored\" or \"commented\""),
            ));
        }
    };
    Ok(SubjectRecord {
        name: name.to_owned(),
        periods_per_year,
        grades,
    })
}

fn parse_scored_term(value: &Value, path: &str) -> Result<Exemptible<ScoredTerm>, InputError> {
    if is_exempt(value) {
        return Ok(Exemptible::Exempt);
    }
    let Value::Object(map) = value else {
        // A bare score is the semester average.
        return score(value, path)
            .map(|average| Exemptible::Assessed(ScoredTerm::Average(average)));
    };
    if let Some(average) = map.get("average") {
        check_keys(map, &["average"], path)?;
        return score(average, &join(path, "average"))
            .map(|average| Exemptible::Assessed(ScoredTerm::Average(average)));
    }
    check_keys(map, &["regular", "midterm", "final"], path)?;
    let regular_path = join(path, "regular");
    let regular = array(required(map, "regular", path)?, &regular_path)?
        .iter()
        .enumerate()
        .map(|(position, value)| score(value, &index(&regular_path, position)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Exemptible::Assessed(ScoredTerm::Columns(TermColumns {
        regular,
        midterm: score(required(map, "midterm", path)?, &join(path, "midterm"))?,
        end_of_term: score(required(map, "final", path)?, &join(path, "final"))?,
    })))
}

fn parse_commented_term(
    value: &Value,
    path: &str,
) -> Result<Exemptible<CommentedTerm>, InputError> {
    if is_exempt(value) {
        return Ok(Exemptible::Exempt);
    }
    let Value::Object(map) = value else {
        return label(value, path)
            .map(|result| Exemptible::Assessed(CommentedTerm::Result(result)));
    };
    check_keys(map, &["regular", "midterm", "final"], path)?;
    let regular_path = join(path, "regular");
    let regular = array(required(map, "regular", path)?, &regular_path)?
        .iter()
        .enumerate()
        .map(|(position, value)| label(value, &index(&regular_path, position)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Exemptible::Assessed(CommentedTerm::Assessments(
        CommentedAssessments {
            regular,
            midterm: label(required(map, "midterm", path)?, &join(path, "midterm"))?,
            end_of_term: label(required(map, "final", path)?, &join(path, "final"))?,
        },
    )))
}

fn parse_training(value: &Value) -> Result<TrainingInput, InputError> {
    let path = "conduct";
    let map = object(value, path)?;
    check_keys(map, &["S1", "S2", "Year", "summer"], path)?;
    let s1 = label(required(map, "S1", path)?, "conduct.S1")?;
    let s2 = label(required(map, "S2", path)?, "conduct.S2")?;
    if let Some(year) = optional(map, "Year") {
        // TT22 derives the year from the semesters (Điều 8); a given year must agree.
        let given: TrainingResult = label(year, "conduct.Year")?;
        let derived = tt22::year_training_result(s1, s2);
        if given != derived {
            return Err(InputError::new(
                "conduct.Year",
                format!(
                    "TT22 Điều 8 gives {} from S1 {} and S2 {}, not {}",
                    derived.label(),
                    s1.label(),
                    s2.label(),
                    given.label()
                ),
            ));
        }
    }
    let summer = optional(map, "summer")
        .map(|value| label(value, "conduct.summer"))
        .transpose()?;
    Ok(TrainingInput { s1, s2, summer })
}

fn parse_conduct(value: &Value) -> Result<ConductInput, InputError> {
    let path = "conduct";
    let map = object(value, path)?;
    check_keys(map, &["S1", "S2", "Year", "summer"], path)?;
    Ok(ConductInput {
        s1: label(required(map, "S1", path)?, "conduct.S1")?,
        s2: label(required(map, "S2", path)?, "conduct.S2")?,
        year: optional(map, "Year")
            .map(|value| label(value, "conduct.Year"))
            .transpose()?,
        summer: optional(map, "summer")
            .map(|value| label(value, "conduct.summer"))
            .transpose()?,
    })
}

// ---------------------------------------------------------------------------
// Primary (TT27).

fn parse_primary(root: &Map<String, Value>, grade: Grade) -> Result<Tt27Student, InputError> {
    let items = array(required(root, "subjects", "")?, "subjects")?;
    if items.is_empty() {
        return Err(InputError::new(
            "subjects",
            "at least one subject is needed",
        ));
    }
    let mut subjects = Vec::with_capacity(items.len());
    for (position, item) in items.iter().enumerate() {
        let path = index("subjects", position);
        let map = object(item, &path)?;
        check_keys(map, &["name", "levels", "tests"], &path)?;
        let name = text(required(map, "name", &path)?, &join(&path, "name"))?
            .trim()
            .to_owned();
        if name.is_empty() {
            return Err(InputError::new(&join(&path, "name"), "empty subject name"));
        }
        let levels = by_period(
            required(map, "levels", &path)?,
            &join(&path, "levels"),
            |value, path| {
                if is_exempt(value) {
                    Ok(Exemptible::Exempt)
                } else {
                    label(value, path).map(Exemptible::Assessed)
                }
            },
        )?;
        let tests = match optional(map, "tests") {
            None => ByPeriod::default(),
            Some(value) => {
                by_period(value, &join(&path, "tests"), |value, path| {
                    if is_exempt(value) {
                        return Ok(Exemptible::Exempt);
                    }
                    let points = whole_number(value, path, 10).map_err(|_| {
                    InputError::new(path, format!("a periodic test score is a whole number from 0 to 10, found {value}"))
                })?;
                    PeriodicTestScore::new(points)
                        .map(Exemptible::Assessed)
                        .map_err(|error| InputError::new(path, error.to_string()))
                })?
            }
        };
        subjects.push(PrimarySubjectRecord {
            name,
            levels,
            tests,
        });
    }
    let qualities = match optional(root, "qualities") {
        Some(value) => by_period(value, "qualities", |value, path| {
            ratings::<Quality, 5>(value, path)
        })?,
        None => ByPeriod::default(),
    };
    let competencies = match optional(root, "competencies") {
        Some(value) => by_period(value, "competencies", |value, path| {
            ratings::<Competency, 10>(value, path)
        })?,
        None => ByPeriod::default(),
    };
    let mut ratings = ByPeriod::default();
    for period in Period::ALL {
        match (qualities.get(period), competencies.get(period)) {
            (Some(qualities), Some(competencies)) => ratings.set(
                period,
                Ratings {
                    qualities: *qualities,
                    competencies: *competencies,
                },
            ),
            (Some(_), None) => {
                return Err(InputError::new(
                    &join("competencies", period.key()),
                    "missing; qualities are given for this period",
                ));
            }
            (None, Some(_)) => {
                return Err(InputError::new(
                    &join("qualities", period.key()),
                    "missing; competencies are given for this period",
                ));
            }
            (None, None) => {}
        }
    }
    let outstanding_achievement = match optional(root, "outstanding_achievement") {
        None => false,
        Some(value) => value.as_bool().ok_or_else(|| {
            InputError::new(
                "outstanding_achievement",
                format!("expected true or false, found {}", kind(value)),
            )
        })?,
    };
    Ok(Tt27Student {
        grade,
        subjects,
        ratings,
        outstanding_achievement,
    })
}

/// Reads `{"mid_S1": …, "end_S1": …, "mid_S2": …, "end_of_year": …}` (any subset).
fn by_period<T>(
    value: &Value,
    path: &str,
    read: impl Fn(&Value, &str) -> Result<T, InputError>,
) -> Result<ByPeriod<T>, InputError> {
    let map = object(value, path)?;
    let keys: Vec<&str> = Period::ALL.iter().map(|period| period.key()).collect();
    check_keys(map, &keys, path)?;
    let mut result = ByPeriod::default();
    for period in Period::ALL {
        if let Some(value) = optional(map, period.key()) {
            result.set(period, read(value, &join(path, period.key()))?);
        }
    }
    Ok(result)
}

/// A quality or competency named by its JSON key or its Vietnamese label.
trait Rated: Label {
    fn key(self) -> &'static str;
}

impl Rated for Quality {
    fn key(self) -> &'static str {
        Quality::key(self)
    }
}

impl Rated for Competency {
    fn key(self) -> &'static str {
        Competency::key(self)
    }
}

/// Reads every one of the `N` qualities or competencies of one period.
fn ratings<T: Rated, const N: usize>(value: &Value, path: &str) -> Result<[Rating; N], InputError> {
    let map = object(value, path)?;
    let mut found: [Option<Rating>; N] = [None; N];
    for (key, rating) in map {
        let position = T::ALL
            .iter()
            .position(|item| item.key() == key || fold(item.label()) == fold(key))
            .ok_or_else(|| {
                let expected: Vec<&str> = T::ALL.iter().map(|item| item.key()).collect();
                InputError::new(
                    &join(path, key),
                    format!("unknown field; expected one of {}", expected.join(", ")),
                )
            })?;
        found[position] = Some(label(rating, &join(path, key))?);
    }
    let mut result = [Rating::Good; N];
    for (position, item) in T::ALL.iter().enumerate() {
        result[position] = found[position].ok_or_else(|| {
            InputError::new(
                &join(path, item.key()),
                format!("missing ({})", item.label()),
            )
        })?;
    }
    Ok(result)
}

// ---------------------------------------------------------------------------
// Full course.

fn parse_full_course(value: &Value) -> Result<FullCourse, InputError> {
    let path = "full_course";
    let map = object(value, path)?;
    check_keys(map, &["10", "11", "12"], path)?;
    let year = |key: &str| -> Result<GradeYear, InputError> {
        let year_path = join(path, key);
        let value = required(map, key, path)?;
        match value {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(position, item)| score(item, &index(&year_path, position)))
                .collect::<Result<Vec<_>, _>>()
                .map(GradeYear::SubjectAverages),
            other => {
                let text = decimal_text(
                    other,
                    &year_path,
                    "a two-decimal average or an array of subject averages",
                )?;
                text.parse::<TwoDecimalScore>()
                    .map(GradeYear::Average)
                    .map_err(|error| InputError::new(&year_path, error.to_string()))
            }
        }
    };
    Ok(FullCourse {
        grade_10: year("10")?,
        grade_11: year("11")?,
        grade_12: year("12")?,
    })
}

// ---------------------------------------------------------------------------
// Output.

/// A JSON number with exactly the decimals of `text` (e.g. "7.8").
fn decimal(text: &str) -> Value {
    Number::from_str(text)
        .map(Value::Number)
        .unwrap_or_else(|_| Value::String(text.to_owned()))
}

fn string(text: &str) -> Value {
    Value::String(text.to_owned())
}

fn subject_value(value: &Exemptible<SubjectValue>) -> Value {
    match value {
        Exemptible::Exempt => string("M"),
        Exemptible::Assessed(SubjectValue::Scored(score)) => decimal(&score.to_string()),
        Exemptible::Assessed(SubjectValue::Commented(result)) => string(result.code()),
    }
}

fn subjects_json(records: &[SubjectRecord], results: &[SubjectResults]) -> Value {
    Value::Array(
        records
            .iter()
            .zip(results)
            .map(|(record, result)| {
                let mut map = Map::new();
                map.insert("name".to_owned(), string(&result.name));
                map.insert(
                    "mode".to_owned(),
                    serde_json::to_value(record.grades.mode()).unwrap_or(Value::Null),
                );
                for term in [Term::S1, Term::S2, Term::Year] {
                    map.insert(term.key().to_owned(), subject_value(result.term(term)));
                }
                if let Some(retest) = result.retest {
                    map.insert(
                        "retest".to_owned(),
                        subject_value(&Exemptible::Assessed(retest)),
                    );
                }
                Value::Object(map)
            })
            .collect(),
    )
}

fn terms<T: Copy>(results: &TermResults<T>, show: impl Fn(T) -> Value) -> Map<String, Value> {
    let mut map = Map::new();
    for term in [Term::S1, Term::S2, Term::Year] {
        map.insert(term.key().to_owned(), show(results.get(term)));
    }
    map
}

fn award_json(award: Option<Award>) -> Value {
    award.map_or(Value::Null, |award| string(award.label()))
}

fn insert_reasons(output: &mut Map<String, Value>, reasons: &[Reason]) {
    output.insert(
        "reasons".to_owned(),
        Value::Array(
            reasons
                .iter()
                .map(|reason| string(&reason.sentence))
                .collect(),
        ),
    );
    output.insert(
        "reason_details".to_owned(),
        serde_json::to_value(reasons).unwrap_or(Value::Array(Vec::new())),
    );
}

/// The JSON result of an evaluation (see docs/assessment.md for the format).
pub fn render(record: &StudentRecord, evaluation: &Evaluation) -> Value {
    let mut output = Map::new();
    match (record, evaluation) {
        (StudentRecord::Tt22(student), Evaluation::Tt22(result)) => {
            output.insert("regime".to_owned(), string("TT22"));
            output.insert("grade".to_owned(), Value::from(student.grade.number()));
            output.insert(
                "subjects".to_owned(),
                subjects_json(&student.subjects, &result.subjects),
            );
            let mut learning = terms(&result.learning, |level| string(level.label()));
            if let Some(after) = result.learning_after_retest {
                learning.insert("after_retest".to_owned(), string(after.label()));
            }
            output.insert("learning".to_owned(), Value::Object(learning));
            let mut conduct = terms(&result.training, |level| string(level.label()));
            if let Some(after) = result.training_after_summer {
                conduct.insert("after_summer".to_owned(), string(after.label()));
            }
            output.insert("conduct".to_owned(), Value::Object(conduct));
            output.insert("outcome".to_owned(), string(result.promotion.code()));
            output.insert("outcome_label".to_owned(), string(result.promotion.label()));
            output.insert(
                "retest_subjects".to_owned(),
                Value::from(result.retest_subjects.clone()),
            );
            output.insert("award".to_owned(), award_json(result.award));
            insert_reasons(&mut output, &result.reasons);
        }
        (StudentRecord::Tt58(student), Evaluation::Tt58(result)) => {
            output.insert("regime".to_owned(), string("TT58"));
            output.insert("grade".to_owned(), Value::from(student.grade.number()));
            output.insert(
                "subjects".to_owned(),
                subjects_json(&student.subjects, &result.subjects),
            );
            output.insert(
                "overall".to_owned(),
                Value::Object(terms(&result.overall, |score| decimal(&score.to_string()))),
            );
            let mut learning = terms(&result.rank, |rank| string(rank.label()));
            if let Some(after) = result.rank_after_retest {
                learning.insert("after_retest".to_owned(), string(after.label()));
            }
            output.insert("learning".to_owned(), Value::Object(learning));
            let mut conduct = terms(&result.conduct, |rank| string(rank.label()));
            if let Some(after) = result.conduct_after_summer {
                conduct.insert("after_summer".to_owned(), string(after.label()));
            }
            output.insert("conduct".to_owned(), Value::Object(conduct));
            output.insert("outcome".to_owned(), string(result.promotion.code()));
            output.insert("outcome_label".to_owned(), string(result.promotion.label()));
            output.insert(
                "retest_subjects".to_owned(),
                Value::from(result.retest_subjects.clone()),
            );
            output.insert(
                "awards".to_owned(),
                Value::Object(terms(&result.awards, award_json)),
            );
            output.insert("award".to_owned(), award_json(result.awards.year));
            insert_reasons(&mut output, &result.reasons);
        }
        (StudentRecord::Tt27(student), Evaluation::Tt27(result)) => {
            output.insert("regime".to_owned(), string("TT27"));
            output.insert("grade".to_owned(), Value::from(student.grade.number()));
            let subjects = student
                .subjects
                .iter()
                .map(|subject| {
                    let mut levels = Map::new();
                    let mut tests = Map::new();
                    for period in Period::ALL {
                        if let Some(level) = subject.levels.get(period) {
                            let shown = match level {
                                Exemptible::Exempt => string("M"),
                                Exemptible::Assessed(level) => string(PrimaryLevel::label(*level)),
                            };
                            levels.insert(period.key().to_owned(), shown);
                        }
                        if let Some(test) = subject.tests.get(period) {
                            let shown = match test {
                                Exemptible::Exempt => string("M"),
                                Exemptible::Assessed(score) => Value::from(score.points()),
                            };
                            tests.insert(period.key().to_owned(), shown);
                        }
                    }
                    let mut map = Map::new();
                    map.insert("name".to_owned(), string(&subject.name));
                    map.insert("levels".to_owned(), Value::Object(levels));
                    map.insert("tests".to_owned(), Value::Object(tests));
                    Value::Object(map)
                })
                .collect();
            output.insert("subjects".to_owned(), Value::Array(subjects));
            let mut qualities = Map::new();
            let mut competencies = Map::new();
            for period in Period::ALL {
                if let Some(ratings) = student.ratings.get(period) {
                    let named = |keys: Vec<&'static str>, values: &[Rating]| -> Value {
                        Value::Object(
                            keys.into_iter()
                                .zip(values)
                                .map(|(key, rating)| (key.to_owned(), string(rating.label())))
                                .collect(),
                        )
                    };
                    qualities.insert(
                        period.key().to_owned(),
                        named(
                            Quality::ALL.iter().map(|quality| quality.key()).collect(),
                            &ratings.qualities,
                        ),
                    );
                    competencies.insert(
                        period.key().to_owned(),
                        named(
                            Competency::ALL
                                .iter()
                                .map(|competency| competency.key())
                                .collect(),
                            &ratings.competencies,
                        ),
                    );
                }
            }
            output.insert("qualities".to_owned(), Value::Object(qualities));
            output.insert("competencies".to_owned(), Value::Object(competencies));
            output.insert("result".to_owned(), string(result.result.label()));
            output.insert(
                "class_completion".to_owned(),
                Value::Bool(result.class_completed),
            );
            output.insert(
                "primary_programme_completion".to_owned(),
                result
                    .primary_programme_completed
                    .map_or(Value::Null, Value::Bool),
            );
            output.insert("award".to_owned(), award_json(result.award));
            insert_reasons(&mut output, &result.reasons);
        }
        _ => {
            output.insert(
                "error".to_owned(),
                string("the evaluation does not match the record"),
            );
        }
    }
    Value::Object(output)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tt22_input(retest: Value, regular: Value) -> String {
        json!({"regime": "TT22", "grade": 10,
            "subjects": [
                {"name": "Toán", "mode": "scored",
                 "S1": {"regular": regular, "midterm": 7, "final": 8},
                 "S2": {"average": 8.5}, "retest": retest},
                {"name": "Giáo dục thể chất", "mode": "commented", "S1": "Đ", "S2": "CĐ"}],
            "conduct": {"S1": "Tốt", "S2": "Khá", "summer": null},
            "absences": 3})
        .to_string()
    }

    #[test]
    fn the_example_of_the_issue() {
        let output = evaluate_json(&tt22_input(Value::Null, json!([8, 9, 7, 8]))).unwrap();
        assert_eq!(
            output["subjects"][0],
            json!({"name": "Toán", "mode": "scored", "S1": 7.8, "S2": 8.5, "Year": 8.3})
        );
        assert_eq!(output["subjects"][1]["Year"], "CĐ");
        assert_eq!(output["subjects"][0]["S1"].to_string(), "7.8");
        assert_eq!(output["conduct"]["Year"], "Khá");
        // Two subjects cannot reach "at least 6 subjects ≥ 5.0": Chưa đạt, retest.
        assert_eq!(output["learning"]["Year"], "Chưa đạt");
        assert_eq!(output["outcome"], "retest");
        assert_eq!(output["retest_subjects"], json!(["Giáo dục thể chất"]));
        assert_eq!(output["award"], Value::Null);
        assert!(
            output["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .all(Value::is_string)
        );
        assert_eq!(
            output["reasons"].as_array().unwrap().len(),
            output["reason_details"].as_array().unwrap().len()
        );
        assert_eq!(output["reason_details"][0]["rule"], "tt22_subject_average");
    }

    #[test]
    fn a_retest_of_a_subject_above_five_is_left_out_with_the_reason() {
        // The input of the issue's example gives Toán a retest although its year
        // average is 8.3: the score is not used and the reasons say why.
        let output = evaluate_json(&tt22_input(json!(6.0), json!([8, 9, 7, 8]))).unwrap();
        assert_eq!(output["subjects"][0]["Year"].to_string(), "8.3");
        assert_eq!(output["outcome"], "retest");
        let ignored = output["reason_details"]
            .as_array()
            .unwrap()
            .iter()
            .find(|reason| reason["finding"]["kind"] == "retest_ignored")
            .expect("a reason for the ignored retest");
        assert_eq!(ignored["finding"]["subject"], "Toán");
        assert!(
            ignored["sentence"]
                .as_str()
                .unwrap()
                .starts_with("Điểm kiểm tra lại môn Toán không được tính")
        );
    }

    #[test]
    fn bad_scores_name_the_cell() {
        let error = evaluate_json(&tt22_input(Value::Null, json!([8, 9, 11, 8]))).unwrap_err();
        assert_eq!(
            error.to_string(),
            "subjects[0].S1.regular[2]: score 11 is above 10"
        );
        let error = evaluate_json(&tt22_input(Value::Null, json!([8, 9, "8,25", 8]))).unwrap_err();
        assert_eq!(error.path, "subjects[0].S1.regular[2]");
        let error = evaluate_json(&tt22_input(Value::Null, json!([8, 9, true, 8]))).unwrap_err();
        assert!(error.message.contains("found a boolean"), "{error}");
        // "8,5" and "8.5" are the same score.
        let comma = evaluate_json(&tt22_input(Value::Null, json!(["8,5", "9", 7, 8]))).unwrap();
        let point = evaluate_json(&tt22_input(Value::Null, json!([8.5, 9, 7, 8]))).unwrap();
        assert_eq!(comma["subjects"], point["subjects"]);
    }

    #[test]
    fn structural_errors() {
        assert_eq!(evaluate_json("{").unwrap_err().path, "");
        assert!(
            evaluate_json("[]")
                .unwrap_err()
                .message
                .contains("expected an object")
        );
        let typo = tt22_input(Value::Null, json!([8])).replace("\"absences\"", "\"absense\"");
        assert_eq!(evaluate_json(&typo).unwrap_err().path, "absense");
        let no_regime =
            json!({"grade": 10, "subjects": [], "conduct": {}, "absences": 0}).to_string();
        assert_eq!(evaluate_json(&no_regime).unwrap_err().path, "regime");
        let old_primary = json!({"regime": "TT30", "grade": 3}).to_string();
        let error = evaluate_json(&old_primary).unwrap_err();
        assert_eq!(error.path, "regime");
        assert!(error.message.contains("not supported"));
        let bad_label = tt22_input(Value::Null, json!([8])).replace("\"Khá\"", "\"Gioi\"");
        let error = evaluate_json(&bad_label).unwrap_err();
        assert_eq!(
            error.to_string(),
            "conduct.S2: \"Gioi\" is not one of Tốt, Khá, Đạt, Chưa đạt"
        );
    }

    #[test]
    fn regime_from_the_school_year() {
        let with_year = |regime: Option<&str>, year: &str| {
            let mut value: Value =
                serde_json::from_str(&tt22_input(Value::Null, json!([8, 8]))).unwrap();
            let map = value.as_object_mut().unwrap();
            map.remove("regime");
            if let Some(regime) = regime {
                map.insert("regime".into(), json!(regime));
            }
            map.insert("school_year".into(), json!(year));
            evaluate_json(&value.to_string())
        };
        assert_eq!(with_year(None, "2025-2026").unwrap()["regime"], "TT22");
        assert_eq!(with_year(None, "2021-2022").unwrap()["regime"], "TT58");
        let error = with_year(Some("TT22"), "2021-2022").unwrap_err();
        assert_eq!(
            error.to_string(),
            "regime: TT22 does not govern grade 10 in 2021-2022; TT58 does"
        );
        assert_eq!(
            with_year(None, "2019-2020").unwrap_err().path,
            "school_year"
        );
    }

    #[test]
    fn decomposed_vietnamese_labels_are_accepted() {
        let decomposed = tt22_input(Value::Null, json!([8]))
            .replace("\"Khá\"", "\"Kha\u{301}\"")
            .replace("\"CĐ\"", "\"cđ\"");
        let output = evaluate_json(&decomposed).unwrap();
        assert_eq!(output["conduct"]["S2"], "Khá");
        assert_eq!(output["subjects"][1]["S2"], "CĐ");
    }

    fn tt58_subjects(averages: &[&str]) -> Value {
        let names = [
            "Toán",
            "Ngữ văn",
            "Vật lí",
            "Hóa học",
            "Sinh học",
            "Lịch sử",
            "Địa lí",
            "GDCD",
            "Tiếng Anh",
        ];
        let mut subjects: Vec<Value> = names
            .iter()
            .zip(averages)
            .map(|(name, average)| json!({"name": name, "mode": "scored", "S1": average, "S2": average}))
            .collect();
        subjects.push(json!({"name": "Thể dục", "mode": "commented", "S1": "Đ", "S2": "Đ"}));
        Value::Array(subjects)
    }

    #[test]
    fn tt58_ranks_and_titles() {
        let input = json!({"regime": "TT58", "grade": 11,
            "subjects": tt58_subjects(&["8.5", "8.0", "4.8", "9", "9", "9", "9", "9", "8.6"]),
            "conduct": {"S1": "Tốt", "S2": "Tốt", "Year": "Tốt"}, "absences": 0});
        let output = evaluate_json(&input.to_string()).unwrap();
        assert_eq!(output["overall"]["Year"], json!(8.3));
        assert_eq!(output["learning"]["Year"], "Khá");
        assert_eq!(output["award"], "Học sinh Tiên tiến");
        assert_eq!(output["outcome"], "promoted");
        assert!(output["reasons"].as_array().unwrap().iter().any(|reason| {
            reason
                .as_str()
                .unwrap()
                .contains("điều chỉnh từ Trung bình lên Khá")
        }));
    }

    #[test]
    fn tt27_result() {
        let t = "T";
        let ratings_q = json!({"patriotism": t, "kindness": t, "diligence": t, "honesty": t, "responsibility": t});
        let ratings_c = json!({"self_reliance": t, "communication": t, "problem_solving": t, "language": t,
            "mathematics": t, "science": t, "technology": t, "informatics": t, "aesthetics": t, "physical": t});
        let input: Value = json!({"regime": "TT27", "grade": 5,
            "subjects": [
                {"name": "Tiếng Việt", "levels": {"end_S1": "T", "end_of_year": "Hoàn thành tốt"}, "tests": {"mid_S1": 9, "end_S1": 9, "end_of_year": 10}},
                {"name": "Toán", "levels": {"end_of_year": "T"}, "tests": {"end_of_year": "9"}},
                {"name": "Hoạt động trải nghiệm", "levels": {"end_of_year": "T"}}],
            "qualities": {"end_of_year": ratings_q},
            "competencies": {"end_of_year": ratings_c}});
        let output = evaluate_json(&input.to_string()).unwrap();
        assert_eq!(output["result"], "Hoàn thành xuất sắc");
        assert_eq!(output["award"], "Học sinh Xuất sắc");
        assert_eq!(output["primary_programme_completion"], true);
        assert_eq!(output["subjects"][0]["tests"]["end_of_year"], 10);
        let half = input.to_string().replace("\"9\"", "8.5");
        assert_eq!(
            evaluate_json(&half).unwrap_err().path,
            "subjects[1].tests.end_of_year"
        );
        let mut misplaced = input.clone();
        misplaced["subjects"][2]["tests"] = json!({"end_S1": 9});
        let misplaced = misplaced.to_string();
        assert_eq!(
            evaluate_json(&misplaced).unwrap_err().path,
            "subjects[2].tests.end_S1"
        );
    }

    #[test]
    fn full_course() {
        let input = json!({"full_course": {"10": 7.00, "11": "8,00", "12": [9, 9, 9]}});
        let output = evaluate_json(&input.to_string()).unwrap();
        assert_eq!(output["full_course"]["multi_year"].to_string(), "8.33");
        assert_eq!(output["full_course"]["12"], json!(9.0));
        let error =
            evaluate_json(&json!({"full_course": {"10": 7, "11": 8}}).to_string()).unwrap_err();
        assert_eq!(error.path, "full_course.12");
    }
}
