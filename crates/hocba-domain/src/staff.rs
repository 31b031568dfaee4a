//! Staff records (cán bộ, giáo viên, nhân viên; seed 002 §III).

use crate::form::{self, Draft, FieldKind, FieldSpec, Record, Value};
use crate::identity::Sex;
use crate::validation::FieldErrors;

/// Chức vụ. The principal matters to signing (seed 004).
pub const POSITIONS: [&str; 5] = [
    "Hiệu trưởng",
    "Phó hiệu trưởng",
    "Tổ trưởng chuyên môn",
    "Giáo viên",
    "Nhân viên",
];
pub const EMPLOYMENT: [&str; 3] = ["Biên chế", "Hợp đồng lao động", "Thỉnh giảng"];
pub const STATUSES: [&str; 4] = ["Đang làm việc", "Tạm nghỉ", "Chuyển công tác", "Nghỉ hưu"];

pub static FIELDS: [FieldSpec; 14] = [
    FieldSpec::text("full_name", "Họ và tên", "Thông tin chung").required(),
    FieldSpec::of(
        "staff_code",
        "Mã cán bộ",
        FieldKind::Text { max_chars: 20 },
        "Thông tin chung",
    ),
    FieldSpec::of(
        "birth_date",
        "Ngày sinh",
        FieldKind::Date,
        "Thông tin chung",
    )
    .required(),
    FieldSpec::of("sex", "Giới tính", FieldKind::Sex, "Thông tin chung").required(),
    FieldSpec::of(
        "ethnicity",
        "Dân tộc",
        FieldKind::Choice(&crate::student::ETHNICITIES),
        "Thông tin chung",
    ),
    FieldSpec::of(
        "personal_id",
        "Số định danh cá nhân",
        FieldKind::PersonalId,
        "Thông tin chung",
    )
    .personal(),
    FieldSpec::of(
        "position",
        "Chức vụ",
        FieldKind::Choice(&POSITIONS),
        "Công tác",
    )
    .required(),
    FieldSpec::text("main_subject", "Môn dạy chính", "Công tác"),
    FieldSpec::text("qualification", "Trình độ chuyên môn", "Công tác"),
    FieldSpec::of(
        "employment",
        "Hình thức hợp đồng",
        FieldKind::Choice(&EMPLOYMENT),
        "Công tác",
    ),
    FieldSpec::of(
        "status",
        "Trạng thái",
        FieldKind::Choice(&STATUSES),
        "Công tác",
    ),
    FieldSpec::of("phone", "Điện thoại", FieldKind::Phone, "Liên hệ").personal(),
    FieldSpec::of("email", "Thư điện tử", FieldKind::Email, "Liên hệ"),
    FieldSpec::text("address", "Địa chỉ", "Liên hệ").personal(),
];

/// A staff record that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffProfile(Record);

impl StaffProfile {
    pub fn validate(draft: &Draft) -> Result<StaffProfile, FieldErrors> {
        let mut draft = draft.clone();
        draft
            .entry("status".into())
            .or_insert_with(|| STATUSES[0].into());
        let record = form::validate(&FIELDS, &draft)?;
        let mut errors = FieldErrors::default();
        if let (Some(Value::PersonalId(id)), Some(sex), Some(birth)) = (
            record.get("personal_id"),
            record.sex("sex"),
            record.date("birth_date"),
        ) && let Err(error) = id.check_against(sex, birth.year())
        {
            errors.push("personal_id", "Số định danh cá nhân", error.to_string());
        }
        errors.into_result(StaffProfile(record))
    }
    pub fn full_name(&self) -> &str {
        self.0.text("full_name").unwrap_or_default()
    }
    pub fn sex(&self) -> Sex {
        self.0.sex("sex").expect("required")
    }
    pub fn record(&self) -> &Record {
        &self.0
    }
}
