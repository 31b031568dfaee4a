//! Rough timing of the import path for 2,000 fully filled student rows:
//! `cargo run --release -p hocba-spreadsheet --example import_speed`.
//! Not a test: numbers depend on the machine.

use hocba_domain::form::Draft;
use hocba_domain::student::{FIELDS, StudentProfile};
use hocba_spreadsheet::{
    CLASS_KEY, ID_KEY, Limits, plan_import, read_table, student_columns, write_template,
};
use std::collections::HashMap;
use std::time::Instant;

fn main() {
    let base: Draft = [
        ("full_name", "Nguyễn Thị Hương"),
        ("other_name", "Hương"),
        ("birth_date", "12/03/2009"),
        ("sex", "Nữ"),
        ("ethnicity", "Mường"),
        ("ethnicity_on_birth_certificate", "Mường"),
        ("religion", "Phật giáo"),
        ("contact_phone", "0912345678"),
        ("register_no", "125/2024"),
        ("moet_code", "7407137235"),
        ("permanent_province", "Hà Nội"),
        ("permanent_commune", "Phường Cầu Giấy"),
        ("permanent_detail", "Số 12 ngõ 34"),
        ("hometown_province", "Ninh Bình"),
        ("hometown_commune", "Xã Gia Viễn"),
        ("birthplace_province", "Hà Nội"),
        ("current_province", "Hà Nội"),
        ("current_commune", "Phường Cầu Giấy"),
        ("current_detail", "Số 12 ngõ 34"),
        ("area", "Khu vực 3"),
        ("disability", "Không"),
        ("can_swim", "Có"),
        ("eye_condition", "Cận thị"),
        ("id_card_no", "001309001234"),
        ("id_card_issued_on", "14/01/2022"),
        ("id_card_issued_by", "Cục Cảnh sát QLHC về TTXH"),
        ("personal_id", "001309001234"),
        ("young_pioneer", "Có"),
        ("youth_union_member", "Có"),
        ("sessions_per_week", "10"),
        ("parent_has_smartphone", "Có"),
        ("follows_ministry_programme", "Có"),
        ("father_name", "Nguyễn Văn Nam"),
        ("father_birth_year", "1980"),
        ("father_occupation", "Kỹ sư"),
        ("father_phone", "0987654321"),
        ("mother_name", "Trần Thị Lan"),
        ("mother_birth_year", "1982"),
        ("mother_occupation", "Giáo viên"),
        ("mother_phone", "0977123456"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let profile = StudentProfile::validate(&base).expect("valid");
    let columns = student_columns(&FIELDS);
    let mut existing = HashMap::new();
    let rows: Vec<Vec<String>> = (0..2000_i64)
        .map(|n| {
            existing.insert(n + 1, profile.record().to_draft());
            columns
                .iter()
                .map(|column| match column.key.as_str() {
                    ID_KEY => (n + 1).to_string(),
                    CLASS_KEY => "10A1".to_owned(),
                    key => profile.record().display(key),
                })
                .collect()
        })
        .collect();
    let start = Instant::now();
    let bytes = write_template("Học sinh", &columns, &rows).expect("template");
    println!(
        "write_template: {:?} ({} bytes)",
        start.elapsed(),
        bytes.len()
    );
    let start = Instant::now();
    let table = read_table(&bytes, &columns, &Limits::default()).expect("table");
    println!(
        "read_table:     {:?} ({} rows)",
        start.elapsed(),
        table.rows.len()
    );
    validate_only(&table);
    let selected: Vec<String> = columns.iter().map(|c| c.key.clone()).collect();
    let start = Instant::now();
    let plan = plan_import(&table, &existing, &selected, StudentProfile::validate);
    println!(
        "plan_import:    {:?} (valid: {}, {})",
        start.elapsed(),
        plan.is_valid(),
        plan.summary()
    );
}

fn validate_only(table: &hocba_spreadsheet::Table) {
    let start = Instant::now();
    for row in &table.rows {
        let mut draft = row.values.clone();
        draft.remove(ID_KEY);
        draft.remove(CLASS_KEY);
        let _ = StudentProfile::validate(&draft);
    }
    println!("validate only:  {:?}", start.elapsed());
}
