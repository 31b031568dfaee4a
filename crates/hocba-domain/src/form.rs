//! Records as validated fields.
//!
//! A school's records (student profile, staff, school profile) are wide forms
//! that users fill in through three channels: the web form, the API and an
//! Excel template where they "choose which columns to update" (seed 003
//! §2.1 (ii)). All three send a [`Draft`]: text per field key. One registry of
//! [`FieldSpec`] per record says what each field is; [`validate`] turns a draft
//! into a [`Record`], which can only be built by validation, so a stored record
//! is always valid. Cross-field rules live with each record type.

use crate::date::Date;
use crate::identity::{MoetCode, PersonalId, Sex, check_phone};
use crate::province;
use crate::validation::FieldErrors;
use serde::Serialize;
use std::collections::BTreeMap;

/// What a field holds, and so how it is parsed, checked, stored and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "options")]
pub enum FieldKind {
    Text {
        max_chars: usize,
    },
    Date,
    Sex,
    /// A yes/no box; absent means no.
    Flag,
    Integer {
        min: i64,
        max: i64,
    },
    /// One of a fixed list of labels (a code list).
    Choice(&'static [&'static str]),
    /// One of the 34 provinces, stored as its two-digit code.
    Province,
    PersonalId,
    Passport,
    Phone,
    Email,
    MoetCode,
}

/// One field of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FieldSpec {
    /// Code name, also the storage column and the API key.
    pub key: &'static str,
    /// Vietnamese label, as on the seed's form.
    pub label: &'static str,
    pub kind: FieldKind,
    pub required: bool,
    /// Personal data, shown only to roles allowed to see it.
    pub personal: bool,
    /// Section of the form the field is shown in.
    pub group: &'static str,
}

impl FieldSpec {
    pub const fn text(key: &'static str, label: &'static str, group: &'static str) -> FieldSpec {
        FieldSpec {
            key,
            label,
            kind: FieldKind::Text { max_chars: 200 },
            required: false,
            personal: false,
            group,
        }
    }
    pub const fn of(
        key: &'static str,
        label: &'static str,
        kind: FieldKind,
        group: &'static str,
    ) -> FieldSpec {
        FieldSpec {
            key,
            label,
            kind,
            required: false,
            personal: false,
            group,
        }
    }
    pub const fn required(mut self) -> FieldSpec {
        self.required = true;
        self
    }
    pub const fn personal(mut self) -> FieldSpec {
        self.personal = true;
        self
    }
}

/// Text per field key, as typed by a person or read from a file.
pub type Draft = BTreeMap<String, String>;

/// A parsed field value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Date(Date),
    Sex(Sex),
    Flag(bool),
    Integer(i64),
    PersonalId(PersonalId),
    MoetCode(MoetCode),
}

impl Value {
    /// The canonical text kept in storage and sent by the API: ISO dates,
    /// province codes, `male`/`female`, `1` for a set flag.
    pub fn canonical(&self) -> String {
        match self {
            Value::Text(text) => text.clone(),
            Value::Date(date) => date.iso(),
            Value::Sex(sex) => sex.code().into(),
            Value::Flag(flag) => if *flag { "1" } else { "0" }.into(),
            Value::Integer(number) => number.to_string(),
            Value::PersonalId(id) => id.as_str().into(),
            Value::MoetCode(code) => code.as_str().into(),
        }
    }
}

/// A validated record: every present field parsed by its spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    fields: &'static [FieldSpec],
    values: BTreeMap<&'static str, Value>,
}

impl Record {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.values.get(key)
    }

    pub fn text(&self, key: &str) -> Option<&str> {
        match self.values.get(key) {
            Some(Value::Text(text)) => Some(text),
            _ => None,
        }
    }

    pub fn date(&self, key: &str) -> Option<Date> {
        match self.values.get(key) {
            Some(Value::Date(date)) => Some(*date),
            _ => None,
        }
    }

    pub fn flag(&self, key: &str) -> bool {
        matches!(self.values.get(key), Some(Value::Flag(true)))
    }

    pub fn sex(&self, key: &str) -> Option<Sex> {
        match self.values.get(key) {
            Some(Value::Sex(sex)) => Some(*sex),
            _ => None,
        }
    }

    pub fn fields(&self) -> &'static [FieldSpec] {
        self.fields
    }

    /// Canonical text of every field (absent fields as empty text), in the
    /// registry's order: what storage writes.
    pub fn canonical_values(&self) -> Vec<(&'static str, String)> {
        self.fields
            .iter()
            .map(|spec| {
                (
                    spec.key,
                    self.values
                        .get(spec.key)
                        .map(Value::canonical)
                        .unwrap_or_default(),
                )
            })
            .collect()
    }

    /// The record as a draft of canonical text, to be changed and validated again.
    pub fn to_draft(&self) -> Draft {
        self.values
            .iter()
            .map(|(key, value)| ((*key).to_owned(), value.canonical()))
            .collect()
    }

    /// The value as people read it on a page or in a spreadsheet.
    pub fn display(&self, key: &str) -> String {
        let Some(value) = self.values.get(key) else {
            return String::new();
        };
        let spec = self.fields.iter().find(|spec| spec.key == key);
        match (value, spec.map(|spec| spec.kind)) {
            (Value::Date(date), _) => date.to_string(),
            (Value::Sex(sex), _) => sex.label().into(),
            (Value::Flag(flag), _) => if *flag { "Có" } else { "" }.into(),
            (Value::Text(code), Some(FieldKind::Province)) => {
                province::by_code(code).map_or_else(|| code.clone(), |p| p.name.clone())
            }
            (other, _) => other.canonical(),
        }
    }
}

/// Parses and checks every field of `draft` against `fields`. Keys not in the
/// registry are refused (a typo in an API call must not be silently dropped).
pub fn validate(fields: &'static [FieldSpec], draft: &Draft) -> Result<Record, FieldErrors> {
    let mut errors = FieldErrors::default();
    for key in draft.keys() {
        if !fields.iter().any(|spec| spec.key == key) {
            errors.push(
                key,
                key,
                "trường này không có trong hồ sơ; hãy kiểm tra lại tên cột hoặc tên trường",
            );
        }
    }
    let mut values = BTreeMap::new();
    for spec in fields {
        let raw = draft
            .get(spec.key)
            .map(|text| hocba_text::clean_input(text))
            .unwrap_or_default();
        if raw.is_empty() {
            if spec.required {
                errors.push(spec.key, spec.label, "bắt buộc phải nhập");
            }
            continue;
        }
        match parse_value(spec.kind, &raw) {
            Ok(Some(value)) => {
                values.insert(spec.key, value);
            }
            Ok(None) => {}
            Err(message) => errors.push(spec.key, spec.label, message),
        }
    }
    errors.into_result(Record { fields, values })
}

fn parse_value(kind: FieldKind, raw: &str) -> Result<Option<Value>, String> {
    Ok(Some(match kind {
        FieldKind::Text { max_chars } => {
            let count = raw.chars().count();
            if count > max_chars {
                return Err(format!("dài quá {max_chars} ký tự (đang có {count})"));
            }
            Value::Text(raw.into())
        }
        FieldKind::Date => Value::Date(Date::parse(raw).map_err(|e| e.to_string())?),
        FieldKind::Sex => Value::Sex(Sex::parse(raw).ok_or("chỉ nhận Nam hoặc Nữ")?),
        FieldKind::Flag => match hocba_text::fold(raw).as_str() {
            "1" | "x" | "co" | "true" | "yes" | "on" => Value::Flag(true),
            "0" | "khong" | "false" | "no" | "off" => return Ok(None),
            _ => return Err("chỉ nhận Có (x, 1) hoặc Không (để trống, 0)".into()),
        },
        FieldKind::Integer { min, max } => {
            let number: i64 = raw
                .parse()
                .map_err(|_| format!("phải là số nguyên từ {min} đến {max}"))?;
            if !(min..=max).contains(&number) {
                return Err(format!("phải là số nguyên từ {min} đến {max}"));
            }
            Value::Integer(number)
        }
        FieldKind::Choice(options) => {
            let folded = hocba_text::fold(raw);
            let found = options
                .iter()
                .find(|option| hocba_text::fold(option) == folded);
            match found {
                Some(option) => Value::Text((*option).into()),
                None => {
                    let shown: Vec<&str> = options.iter().take(8).copied().collect();
                    let more = if options.len() > 8 { ", …" } else { "" };
                    return Err(format!(
                        "“{raw}” không có trong danh mục ({}{more})",
                        shown.join(", ")
                    ));
                }
            }
        }
        FieldKind::Province => match province::find(raw) {
            Some(found) => Value::Text(found.code.clone()),
            None => {
                return Err(format!(
                    "“{raw}” không phải một trong 34 tỉnh, thành phố từ 01/7/2025 (QĐ 19/2025/QĐ-TTg); nhập tên mới sau sáp nhập, ví dụ “Bắc Ninh” thay cho “Bắc Giang”"
                ));
            }
        },
        FieldKind::PersonalId => {
            Value::PersonalId(PersonalId::parse(raw).map_err(|e| e.to_string())?)
        }
        FieldKind::Passport => {
            let ok =
                (6..=20).contains(&raw.len()) && raw.chars().all(|c| c.is_ascii_alphanumeric());
            if !ok {
                return Err(
                    "số hộ chiếu gồm 6–20 chữ cái Latinh hoặc chữ số, không dấu cách".into(),
                );
            }
            Value::Text(raw.to_ascii_uppercase())
        }
        FieldKind::Phone => Value::Text(check_phone(raw)?),
        FieldKind::Email => {
            let ok = raw.len() <= 254
                && raw.split_once('@').is_some_and(|(user, domain)| {
                    !user.is_empty()
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                })
                && !raw.contains(char::is_whitespace);
            if !ok {
                return Err("địa chỉ thư điện tử không hợp lệ, ví dụ ten@truong.edu.vn".into());
            }
            Value::Text(raw.to_lowercase())
        }
        FieldKind::MoetCode => Value::MoetCode(MoetCode::parse(raw).map_err(|e| e.to_string())?),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    static FIELDS: [FieldSpec; 5] = [
        FieldSpec::text("full_name", "Họ và tên", "Chung").required(),
        FieldSpec::of("birth_date", "Ngày sinh", FieldKind::Date, "Chung"),
        FieldSpec::of("swims", "Biết bơi", FieldKind::Flag, "Khác"),
        FieldSpec::of("province", "Tỉnh", FieldKind::Province, "Địa chỉ"),
        FieldSpec::of(
            "grade",
            "Khối",
            FieldKind::Integer { min: 1, max: 12 },
            "Chung",
        ),
    ];

    fn draft(pairs: &[(&str, &str)]) -> Draft {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn validates_and_canonicalises() {
        let nfd_name = "Nguye\u{302}\u{303}n Thi\u{323} Hu\u{31b}o\u{31b}ng";
        let record = validate(
            &FIELDS,
            &draft(&[
                ("full_name", nfd_name),
                ("birth_date", "5/9/2010"),
                ("swims", "x"),
                ("province", "ha noi"),
            ]),
        )
        .unwrap();
        assert_eq!(record.text("full_name"), Some("Nguyễn Thị Hương"));
        assert_eq!(record.display("birth_date"), "05/09/2010");
        assert_eq!(record.to_draft()["birth_date"], "2010-09-05");
        assert!(record.flag("swims"));
        assert_eq!(record.to_draft()["province"], "01");
        assert_eq!(record.display("province"), "Thành phố Hà Nội");
        // Round trip: the canonical draft validates to the same record.
        assert_eq!(validate(&FIELDS, &record.to_draft()).unwrap(), record);
    }

    #[test]
    fn names_every_broken_rule() {
        let errors = validate(
            &FIELDS,
            &draft(&[
                ("birth_date", "31/02/2010"),
                ("grade", "13"),
                ("province", "Bắc Giang"),
                ("colour", "đỏ"),
            ]),
        )
        .unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["colour", "full_name", "birth_date", "province", "grade"]
        );
        assert_eq!(errors.0[1].to_string(), "Họ và tên: bắt buộc phải nhập");
        assert!(errors.0[3].message.contains("Bắc Ninh"));
    }
}
