//! End-to-end tests: template → (edited) file → table → plan → report.

use crate::*;
use hocba_domain::form::Draft;
use hocba_domain::student::{FIELDS, StudentProfile};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use std::collections::{BTreeMap, HashMap};
use std::io::{Cursor, Read, Write};

fn draft(pairs: &[(&str, &str)]) -> Draft {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// Three students as stored: id → validated profile.
fn students() -> Vec<(i64, StudentProfile)> {
    let a = draft(&[
        ("full_name", "Nguyễn Thị Hương"),
        ("birth_date", "12/03/2009"),
        ("sex", "Nữ"),
        ("ethnicity", "Kinh"),
        ("personal_id", "001309001234"),
        ("permanent_province", "Hà Nội"),
        ("can_swim", "Có"),
    ]);
    let b = draft(&[
        ("full_name", "Trần Văn Đức"),
        ("birth_date", "05/09/2010"),
        ("sex", "Nam"),
        ("ethnicity", "Tày"),
        ("personal_id", "079210004321"),
        ("contact_phone", "0912345678"),
    ]);
    let c = draft(&[
        ("full_name", "Lê Thị Ánh"),
        ("birth_date", "01/01/2009"),
        ("sex", "Nữ"),
        ("religion", "Không"),
    ]);
    [(101, a), (102, b), (103, c)]
        .into_iter()
        .map(|(id, d)| (id, StudentProfile::validate(&d).expect("valid student")))
        .collect()
}

fn existing(students: &[(i64, StudentProfile)]) -> HashMap<i64, Draft> {
    students
        .iter()
        .map(|(id, profile)| (*id, profile.record().to_draft()))
        .collect()
}

/// Template rows as a school would download them.
fn template_rows(columns: &[Column], students: &[(i64, StudentProfile)]) -> Vec<Vec<String>> {
    students
        .iter()
        .map(|(id, profile)| {
            columns
                .iter()
                .map(|column| match column.key.as_str() {
                    ID_KEY => id.to_string(),
                    CLASS_KEY => "10A1".to_owned(),
                    key => profile.record().display(key),
                })
                .collect()
        })
        .collect()
}

fn set(row: &mut [String], columns: &[Column], key: &str, value: &str) {
    let index = columns
        .iter()
        .position(|column| column.key == key)
        .expect("column exists");
    row[index] = value.to_owned();
}

fn read(bytes: &[u8], columns: &[Column]) -> Table {
    read_table(bytes, columns, &Limits::default()).expect("readable file")
}

fn zip_entries(bytes: &[u8]) -> BTreeMap<String, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = BTreeMap::new();
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).unwrap();
        let name = file.name().unwrap().into_owned();
        let mut text = String::new();
        if file.read_to_string(&mut text).is_ok() {
            out.insert(name, text);
        }
    }
    out
}

/// A workbook with one sheet holding a header and rows written by `fill`.
fn workbook_with(
    fill: impl FnOnce(&mut rust_xlsxwriter::Worksheet) -> Result<(), rust_xlsxwriter::XlsxError>,
) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    fill(sheet).unwrap();
    workbook.save_to_buffer().unwrap()
}

fn profile_of(plan: &ImportPlan<StudentProfile>, id: i64) -> &StudentProfile {
    plan.changes
        .iter()
        .find_map(|change| match change {
            Change::Update {
                id: found, record, ..
            } if *found == id => Some(record),
            _ => None,
        })
        .expect("an update for the id")
}

#[test]
fn round_trip_updates_only_the_selected_columns() {
    let students = students();
    let columns = student_columns(&FIELDS);
    let rows = template_rows(&columns, &students);
    let template = write_template("Học sinh 10A1", &columns, &rows).unwrap();

    // Reading the untouched template gives back exactly what was written.
    let table = read(&template, &columns);
    assert_eq!(table.header_row, 1);
    assert_eq!(table.rows.len(), 3);
    assert!(table.unknown_headers.is_empty());
    assert_eq!(table.columns.len(), columns.len());
    for (row, written) in table.rows.iter().zip(&rows) {
        for (column, value) in columns.iter().zip(written) {
            assert_eq!(&row.values[&column.key], value, "{}", column.key);
        }
    }
    assert_eq!(table.rows[0].row_number, 2);
    assert_eq!(table.rows[0].values["personal_id"], "001309001234");
    assert_eq!(table.rows[0].values["birth_date"], "12/03/2009");
    assert_eq!(
        table.rows[0].values["permanent_province"],
        "Thành phố Hà Nội"
    );

    // The school edits three columns but selects only two of them.
    let mut edited = rows.clone();
    set(&mut edited[0], &columns, "contact_phone", "0987 654 321");
    set(&mut edited[1], &columns, "full_name", "Trần Văn Đạt"); // not selected
    set(&mut edited[1], &columns, "ethnicity", "nùng");
    set(&mut edited[2], &columns, "contact_phone", "0911222333");
    set(&mut edited[2], &columns, CLASS_KEY, "10A2");
    let file = write_template("Học sinh 10A1", &columns, &edited).unwrap();
    let table = read(&file, &columns);
    let selected = vec!["contact_phone".to_owned(), "ethnicity".to_owned()];
    let plan = plan_import(
        &table,
        &existing(&students),
        &selected,
        StudentProfile::validate,
    );
    assert!(plan.is_valid(), "{:?}", plan.results);
    assert_eq!((plan.updates(), plan.creates()), (3, 0));
    assert!(
        plan.summary()
            .starts_with("3 dòng: 0 thêm mới, 3 cập nhật, 0 dòng lỗi")
    );

    let a = profile_of(&plan, 101).record();
    assert_eq!(a.text("contact_phone"), Some("0987654321"));
    assert_eq!(a.text("full_name"), Some("Nguyễn Thị Hương"));
    assert!(a.flag("can_swim"));
    let b = profile_of(&plan, 102);
    assert_eq!(b.full_name(), "Trần Văn Đức", "name was not selected");
    assert_eq!(b.record().text("ethnicity"), Some("Nùng"));
    assert_eq!(b.record().text("contact_phone"), Some("0912345678"));
    let c = profile_of(&plan, 103);
    assert_eq!(c.record().text("contact_phone"), Some("0911222333"));
    // Every field that was not selected is exactly as stored.
    for (id, stored) in &students {
        let mut before = stored.record().to_draft();
        let mut after = profile_of(&plan, *id).record().to_draft();
        for key in &selected {
            before.remove(key);
            after.remove(key);
        }
        assert_eq!(before, after, "student {id}");
    }
    // class_name was not selected: updates carry no extras.
    assert!(plan.changes.iter().all(|change| change.extras().is_empty()));
}

#[test]
fn an_empty_selected_cell_clears_the_field() {
    let students = students();
    let columns = student_columns(&FIELDS);
    let mut rows = template_rows(&columns, &students);
    set(&mut rows[1], &columns, "contact_phone", "");
    let file = write_template("Học sinh", &columns, &rows).unwrap();
    let plan = plan_import(
        &read(&file, &columns),
        &existing(&students),
        &["contact_phone".to_owned(), CLASS_KEY.to_owned()],
        StudentProfile::validate,
    );
    assert!(plan.is_valid());
    assert_eq!(profile_of(&plan, 102).record().text("contact_phone"), None);
    assert_eq!(plan.changes[1].extras()[CLASS_KEY], "10A1");
}

#[test]
fn one_bad_row_makes_the_plan_invalid_and_is_named() {
    let students = students();
    let columns = student_columns(&FIELDS);
    let mut rows = template_rows(&columns, &students);
    set(&mut rows[1], &columns, "birth_date", "31/02/2010");
    set(&mut rows[1], &columns, "personal_id", "79210004321");
    let file = write_template("Học sinh", &columns, &rows).unwrap();
    let selected: Vec<String> = ["birth_date", "personal_id", "full_name"]
        .map(String::from)
        .to_vec();
    let plan = plan_import(
        &read(&file, &columns),
        &existing(&students),
        &selected,
        StudentProfile::validate,
    );
    assert!(!plan.is_valid());
    assert_eq!(plan.error_rows(), 1);
    let statuses: Vec<(usize, RowStatus)> = plan
        .results
        .iter()
        .map(|r| (r.row_number, r.status))
        .collect();
    assert_eq!(
        statuses,
        [
            (2, RowStatus::Ok),
            (3, RowStatus::Error),
            (4, RowStatus::Ok)
        ]
    );
    let bad = &plan.results[1];
    assert_eq!(bad.id, Some(102));
    let labels: Vec<&str> = bad.errors.iter().map(|e| e.column_label.as_str()).collect();
    assert_eq!(labels, ["Ngày sinh", "Số định danh cá nhân"]);
    assert!(bad.errors[0].message.contains("ngày/tháng/năm"));
    assert!(bad.errors[1].message.contains("12 chữ số"));
    assert_eq!(
        bad.errors[0].to_string(),
        format!("Dòng 3, cột “Ngày sinh”: {}", bad.errors[0].message)
    );
    assert!(plan.summary().contains("1 dòng lỗi"));

    // The error file names row, column and rule.
    let report = write_result_report(&plan.results).unwrap();
    let mut workbook: calamine::Xlsx<_> =
        calamine::Reader::new(Cursor::new(report.as_slice())).unwrap();
    let range = calamine::Reader::worksheet_range(&mut workbook, REPORT_TITLE).unwrap();
    let cell = |row: u32, col: u32| {
        range
            .get_value((row, col))
            .map(ToString::to_string)
            .unwrap_or_default()
    };
    assert_eq!(cell(0, 0), REPORT_TITLE);
    assert!(cell(1, 0).contains("1 dòng lỗi"), "{}", cell(1, 0));
    assert_eq!([cell(3, 0), cell(3, 1), cell(3, 2)], ["Dòng", "Cột", "Lỗi"]);
    assert_eq!(cell(4, 0), "3");
    assert_eq!(cell(4, 1), "Ngày sinh");
    assert_eq!(cell(4, 2), bad.errors[0].message);
    assert_eq!(cell(5, 1), "Số định danh cá nhân");
}

#[test]
fn ids_must_exist_and_be_unique() {
    let students = students();
    let columns = student_columns(&FIELDS);
    let mut rows = template_rows(&columns, &students);
    set(&mut rows[0], &columns, ID_KEY, "999");
    set(&mut rows[2], &columns, ID_KEY, "102");
    let mut new_student = vec![String::new(); columns.len()];
    set(&mut new_student, &columns, CLASS_KEY, "10A3");
    set(&mut new_student, &columns, "full_name", "Phạm Minh Ân");
    set(&mut new_student, &columns, "birth_date", "2/2/2010");
    set(&mut new_student, &columns, "sex", "nam");
    rows.push(new_student);
    let file = write_template("Học sinh", &columns, &rows).unwrap();
    let plan = plan_import(
        &read(&file, &columns),
        &existing(&students),
        &["full_name".to_owned()],
        StudentProfile::validate,
    );
    let messages: Vec<Vec<String>> = plan
        .results
        .iter()
        .map(|r| r.errors.iter().map(|e| e.message.clone()).collect())
        .collect();
    assert!(messages[0][0].contains("không tìm thấy hồ sơ có Mã hệ thống 999"));
    assert!(messages[0][0].contains("không sửa cột Mã hệ thống"));
    assert_eq!(plan.results[0].errors[0].column_label, ID_LABEL);
    assert!(messages[1][0].contains("trùng với dòng 4"), "{messages:?}");
    assert!(messages[2][0].contains("trùng với dòng 3"), "{messages:?}");
    assert!(messages[3].is_empty());
    assert!(!plan.is_valid());
    // The new student is planned (all columns used, with its class).
    let Change::Create {
        row_number,
        record,
        extras,
    } = &plan.changes[0]
    else {
        panic!("expected a create: {:?}", plan.changes);
    };
    assert_eq!(*row_number, 5);
    assert_eq!(record.full_name(), "Phạm Minh Ân");
    assert_eq!(record.birth_date().to_string(), "02/02/2010");
    assert_eq!(extras[CLASS_KEY], "10A3");
}

#[test]
fn decomposed_text_becomes_nfc() {
    let nfd = "Nguye\u{302}\u{303}n Thi\u{323} Hu\u{31b}o\u{31b}ng";
    let columns = student_columns(&FIELDS);
    let file = workbook_with(|sheet| {
        sheet.write_row(0, 0, [ID_LABEL, "Họ và tên", "Ngày sinh", "Giới tính"])?;
        sheet.write_row(1, 1, [nfd, "12/03/2009", "Nu\u{31b}\u{303}"])?;
        Ok(())
    });
    let table = read(&file, &columns);
    assert_eq!(table.rows[0].values["full_name"], "Nguyễn Thị Hương");
    assert_eq!(table.rows[0].values["full_name"].len(), 22);
    assert_eq!(table.rows[0].values["sex"], "Nữ");
    assert_eq!(table.rows[0].values[ID_KEY], "");
}

#[test]
fn numeric_cells_get_their_leading_zeros_back() {
    let columns = student_columns(&FIELDS);
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let file = workbook_with(|sheet| {
        sheet.write_row(
            0,
            0,
            [
                ID_LABEL,
                "Họ và tên",
                "Số định danh cá nhân",
                "Điện thoại liên hệ",
                "Ngày sinh",
                "Học sinh biết bơi",
                "Số buổi học trên tuần",
                "Giới tính",
            ],
        )?;
        sheet.write_number(1, 0, 101)?;
        sheet.write_string(1, 1, "Nguyễn Thị Hương")?;
        sheet.write_number(1, 2, 1_309_001_234)?;
        sheet.write_number(1, 3, 912_345_678)?;
        sheet.write_datetime_with_format(
            1,
            4,
            ExcelDateTime::from_ymd(2009, 3, 12).unwrap(),
            &date,
        )?;
        sheet.write_boolean(1, 5, true)?;
        sheet.write_number(1, 6, 10.0)?;
        sheet.write_string(1, 7, "Nữ")?;
        Ok(())
    });
    let table = read(&file, &columns);
    let values = &table.rows[0].values;
    assert_eq!(values[ID_KEY], "101");
    assert_eq!(values["personal_id"], "001309001234");
    assert_eq!(values["contact_phone"], "0912345678");
    assert_eq!(values["birth_date"], "12/03/2009");
    assert_eq!(values["can_swim"], "Có");
    assert_eq!(values["sessions_per_week"], "10");
    let students = students();
    let plan = plan_import(
        &table,
        &existing(&students),
        &["personal_id".to_owned(), "contact_phone".to_owned()],
        StudentProfile::validate,
    );
    assert!(plan.is_valid(), "{:?}", plan.results);
    assert_eq!(
        profile_of(&plan, 101).personal_id().unwrap().as_str(),
        "001309001234"
    );
}

#[test]
fn formula_cells_are_refused_per_cell() {
    let columns = student_columns(&FIELDS);
    let file = workbook_with(|sheet| {
        sheet.write_row(0, 0, [ID_LABEL, "Họ và tên", "Ngày sinh", "Giới tính"])?;
        sheet.write_formula(1, 1, "=\"Nguyễn\"&\" Văn A\"")?;
        sheet.write_row(1, 2, ["01/01/2010", "Nam"])?;
        sheet.write_row(2, 1, ["Lê Văn B", "01/01/2010", "Nam"])?;
        Ok(())
    });
    let table = read(&file, &columns);
    assert_eq!(table.rows.len(), 2);
    let refused = &table.rows[0].cell_errors;
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].column_label, "Họ và tên");
    assert_eq!(refused[0].row_number, 2);
    assert!(refused[0].message.contains("công thức"));
    assert!(refused[0].message.contains("Paste Values"));
    assert!(!table.rows[0].values.contains_key("full_name"));
    let plan = plan_import(&table, &HashMap::new(), &[], StudentProfile::validate);
    assert!(!plan.is_valid());
    // Reported once: not also as "bắt buộc phải nhập".
    assert_eq!(plan.results[0].errors.len(), 1);
    assert!(plan.results[1].is_ok());
}

#[test]
fn headers_match_without_accents_and_unknown_ones_are_reported() {
    let columns = student_columns(&FIELDS);
    let file = workbook_with(|sheet| {
        sheet.write_string(0, 0, "DANH SÁCH HỌC SINH LỚP 10A1")?;
        sheet.write_row(
            2,
            0,
            [
                "ma he thong (khong sua)",
                "ho va ten",
                "NGAY SINH",
                "gioi tinh (*)",
                "Ghi chú",
                "personal_id",
            ],
        )?;
        sheet.write_row(3, 1, ["Lê Văn B", "01/01/2010", "Nam", "bỏ qua"])?;
        Ok(())
    });
    let table = read(&file, &columns);
    assert_eq!(table.header_row, 3);
    let keys: Vec<&str> = table.columns.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(
        keys,
        [ID_KEY, "full_name", "birth_date", "sex", "personal_id"]
    );
    assert_eq!(table.unknown_headers, ["Ghi chú"]);
    assert_eq!(table.rows[0].row_number, 4);
    assert_eq!(table.rows[0].values["full_name"], "Lê Văn B");
    assert!(!table.rows[0].values.contains_key("Ghi chú"));
}

#[test]
fn structural_problems_are_file_errors() {
    let columns = student_columns(&FIELDS);
    let missing = workbook_with(|sheet| {
        sheet.write_row(0, 0, [ID_LABEL, "Họ và tên", "Giới tính"])?;
        Ok(())
    });
    let error = read_table(&missing, &columns, &Limits::default()).unwrap_err();
    assert_eq!(error, FileError::MissingColumns(vec!["Ngày sinh".into()]));
    assert!(
        error
            .to_string()
            .contains("Thiếu cột bắt buộc: “Ngày sinh”")
    );

    let duplicate = workbook_with(|sheet| {
        sheet.write_row(0, 0, [ID_LABEL, "Họ và tên", "ho va ten"])?;
        Ok(())
    });
    assert_eq!(
        read_table(&duplicate, &columns, &Limits::default()),
        Err(FileError::DuplicateColumn("ho va ten".into()))
    );

    let no_header = workbook_with(|sheet| {
        for row in 0..30 {
            sheet.write_string(row, 0, "xin chào")?;
        }
        Ok(())
    });
    let error = read_table(&no_header, &columns, &Limits::default()).unwrap_err();
    assert!(matches!(error, FileError::HeaderNotFound { .. }));
    assert!(error.to_string().contains("Họ và tên"));
}

#[test]
fn too_many_rows_or_columns() {
    let students = students();
    let columns = student_columns(&FIELDS);
    let rows: Vec<Vec<String>> = template_rows(&columns, &students)
        .into_iter()
        .cycle()
        .take(30)
        .collect();
    let file = write_template("Học sinh", &columns, &rows).unwrap();
    let limits = Limits {
        max_rows: 10,
        ..Limits::default()
    };
    let error = read_table(&file, &columns, &limits).unwrap_err();
    assert_eq!(error, FileError::TooManyRows { limit: 10 });
    assert!(error.to_string().contains("hơn 10 dòng"));
    let limits = Limits {
        max_columns: 20,
        ..Limits::default()
    };
    assert_eq!(
        read_table(&file, &columns, &limits),
        Err(FileError::TooManyColumns {
            count: columns.len(),
            limit: 20
        })
    );
}

#[test]
fn a_far_away_cell_does_not_allocate_the_sheet() {
    // A dense reader would allocate 2^20 × 2^14 cells for this.
    let columns = student_columns(&FIELDS);
    let file = workbook_with(|sheet| {
        sheet.write_row(0, 0, [ID_LABEL, "Họ và tên", "Ngày sinh", "Giới tính"])?;
        sheet.write_row(1, 1, ["Lê Văn B", "01/01/2010", "Nam"])?;
        sheet.write_string(1_048_575, 16_383, "x")?;
        Ok(())
    });
    let table = read(&file, &columns);
    assert_eq!(table.rows.len(), 1);
}

/// A tiny deterministic generator, so failures reproduce.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u8 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as u8
    }
}

#[test]
fn garbage_never_panics() {
    let columns = student_columns(&FIELDS);
    let limits = Limits::default();
    let mut random = Lcg(7);
    for length in [0, 1, 2, 4, 22, 30, 100, 1000, 65_536] {
        for prefix in [&b""[..], b"PK", b"PK\x03\x04", b"PK\x05\x06"] {
            let mut bytes = prefix.to_vec();
            bytes.extend((0..length).map(|_| random.next()));
            assert!(read_table(&bytes, &columns, &limits).is_err());
        }
    }
}

#[test]
fn truncated_and_damaged_files_are_refused_without_panic() {
    let students = students();
    let columns = student_columns(&FIELDS);
    let file = write_template("Học sinh", &columns, &template_rows(&columns, &students)).unwrap();
    let limits = Limits::default();
    for cut in [
        10,
        100,
        file.len() / 3,
        file.len() / 2,
        file.len() - 30,
        file.len() - 1,
    ] {
        let error = read_table(&file[..cut], &columns, &limits).unwrap_err();
        assert!(
            matches!(error, FileError::Corrupt { .. } | FileError::NotXlsx),
            "{cut}: {error:?}"
        );
    }
    // Flipped bytes inside the archive: any error is fine, a panic is not.
    let mut random = Lcg(42);
    for _ in 0..40 {
        let mut damaged = file.clone();
        for _ in 0..8 {
            let at = usize::from(random.next()) * usize::from(random.next()) % damaged.len();
            damaged[at] ^= random.next() | 1;
        }
        let _ = read_table(&damaged, &columns, &limits);
    }
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        writer.start_file(*name, options).unwrap();
        writer.write_all(data).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

#[test]
fn zip_bombs_are_refused_before_inflating() {
    let columns = student_columns(&FIELDS);
    let zeros = vec![b'0'; 16 * 1024 * 1024];
    let bomb = zip_of(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("_rels/.rels", b"<Relationships/>"),
        ("xl/workbook.xml", b"<workbook/>"),
        ("xl/worksheets/sheet1.xml", &zeros),
    ]);
    assert!(bomb.len() < 100 * 1024, "{}", bomb.len());
    let error = read_table(&bomb, &columns, &Limits::default()).unwrap_err();
    assert!(matches!(error, FileError::Inflated { .. }), "{error:?}");
    assert!(error.to_string().contains("tỉ lệ"), "{error}");

    // The total declared size is bounded too.
    let file = write_template("Học sinh", &columns, &[]).unwrap();
    let limits = Limits {
        max_uncompressed_bytes: 4096,
        ..Limits::default()
    };
    assert!(matches!(
        read_table(&file, &columns, &limits),
        Err(FileError::Inflated { .. })
    ));
    let limits = Limits {
        max_file_bytes: 1000,
        ..Limits::default()
    };
    assert!(matches!(
        read_table(&file, &columns, &limits),
        Err(FileError::TooLarge { .. })
    ));
}

#[test]
fn other_zips_are_not_workbooks() {
    let columns = student_columns(&FIELDS);
    let limits = Limits::default();
    let plain = zip_of(&[("hello.txt", b"xin chao")]);
    assert_eq!(
        read_table(&plain, &columns, &limits),
        Err(FileError::NotXlsx)
    );
    let ods = zip_of(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        ),
        ("content.xml", b"<office:document-content/>"),
    ]);
    assert_eq!(
        read_table(&ods, &columns, &limits),
        Err(FileError::OpenDocument)
    );
    // Right part names, wrong contents: calamine's error, not a panic.
    let fake = zip_of(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("_rels/.rels", b"not xml at all <<<"),
        ("xl/workbook.xml", b"<workbook/>"),
    ]);
    assert!(matches!(
        read_table(&fake, &columns, &limits),
        Err(FileError::Corrupt { .. } | FileError::HeaderNotFound { .. })
    ));
}

#[test]
fn the_template_is_a_friendly_workbook() {
    let students = students();
    let columns = student_columns(&FIELDS);
    let file = write_template(
        "Học sinh 10A1",
        &columns,
        &template_rows(&columns, &students),
    )
    .unwrap();
    let parts = zip_entries(&file);
    let workbook = &parts["xl/workbook.xml"];
    assert!(workbook.contains(r#"name="Học sinh 10A1""#));
    assert!(workbook.contains(r#"name="Hướng dẫn""#));
    assert!(workbook.contains(r#"name="Danh mục" sheetId="3" state="hidden""#));
    let sheet = &parts["xl/worksheets/sheet1.xml"];
    assert!(sheet.contains(r#"state="frozen""#));
    assert!(sheet.contains("<sheetProtection"));
    assert!(sheet.contains("<formula1>\"Nam,Nữ\"</formula1>"));
    assert!(sheet.contains("<formula1>\"Có\"</formula1>"));
    // Ethnic groups do not fit in 255 characters: a range on the list sheet.
    assert!(sheet.contains("'Danh mục'!$A$1:$A$55"));
    assert!(sheet.contains("ngày/tháng/năm"));
    assert!(sheet.contains(r#"numberStoredAsText="1""#));
    // Every column (blank cells included) is formatted as text "@" = 49.
    assert!(parts["xl/styles.xml"].contains(r#"numFmtId="49""#));
    let guide = &parts["xl/worksheets/sheet2.xml"];
    assert!(guide.contains("t=\"s\""));
    let strings = &parts["xl/sharedStrings.xml"];
    assert!(strings.contains("Quy tắc nhập"));
    assert!(strings.contains("Đúng 12 chữ số, giữ nguyên các số 0 ở đầu"));
    assert!(strings.contains("001309001234"));
}

#[test]
fn an_excel_cell_value_error_is_refused() {
    // rust_xlsxwriter cannot write an error value directly: patch the XML.
    let columns = student_columns(&FIELDS);
    let file = workbook_with(|sheet| {
        sheet.write_row(0, 0, [ID_LABEL, "Họ và tên", "Ngày sinh", "Giới tính"])?;
        sheet.write_row(1, 1, ["Lê Văn B", "01/01/2010", "Nam"])?;
        sheet.write_number(1, 4, 1)?;
        Ok(())
    });
    let parts = zip_entries(&file);
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, text) in &parts {
        let text = if name == "xl/worksheets/sheet1.xml" {
            let patched = text.replace(
                r#"<c r="E2"><v>1</v></c>"#,
                r##"<c r="C2" t="e"><v>#N/A</v></c>"##,
            );
            assert_ne!(&patched, text, "{text}");
            // Drop the original C2 string so the error cell replaces it.
            patched.replacen(r#"<c r="C2" t="s"><v>2</v></c>"#, "", 1)
        } else {
            text.clone()
        };
        writer.start_file(name.as_str(), options).unwrap();
        writer.write_all(text.as_bytes()).unwrap();
    }
    let file = writer.finish().unwrap().into_inner();
    let table = read(&file, &columns);
    let errors = &table.rows[0].cell_errors;
    assert_eq!(errors.len(), 1, "{:?}", table.rows[0]);
    assert_eq!(errors[0].column_label, "Ngày sinh");
    assert!(errors[0].message.contains("#N/A"));
}

#[test]
fn two_thousand_students_plan_in_one_pass() {
    // Scale check without timing: 2,000 rows × 66 columns end to end.
    let students = students();
    let columns = student_columns(&FIELDS);
    let base = template_rows(&columns, &students);
    let mut stored = HashMap::new();
    let rows: Vec<Vec<String>> = (0..2000)
        .map(|n| {
            let (id, profile) = &students[n % 3];
            let new_id = 1000 + i64::try_from(n).unwrap();
            stored.insert(new_id, profile.record().to_draft());
            let _ = id;
            let mut row = base[n % 3].clone();
            row[0] = new_id.to_string();
            row
        })
        .collect();
    let file = write_template("Học sinh", &columns, &rows).unwrap();
    let table = read(&file, &columns);
    assert_eq!(table.rows.len(), 2000);
    let selected: Vec<String> = columns.iter().map(|c| c.key.clone()).collect();
    let plan = plan_import(&table, &stored, &selected, StudentProfile::validate);
    assert!(plan.is_valid());
    assert_eq!(plan.updates(), 2000);
}

/// Replaces `<sheetData>…</sheetData>` of the first sheet of `file`.
fn with_sheet_data(file: &[u8], sheet_data: &str) -> Vec<u8> {
    let parts = zip_entries(file);
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in &parts {
        let text = if name == "xl/worksheets/sheet1.xml" {
            let start = text.find("<sheetData").unwrap();
            let end = text.find("</sheetData>").unwrap() + "</sheetData>".len();
            format!("{}{sheet_data}{}", &text[..start], &text[end..])
        } else {
            text.clone()
        };
        writer.start_file(name.as_str(), options).unwrap();
        writer.write_all(text.as_bytes()).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

#[test]
fn a_row_with_endless_cells_is_refused() {
    let columns = student_columns(&FIELDS);
    let file = workbook_with(|sheet| {
        sheet.write_string(0, 0, "x")?;
        Ok(())
    });
    let cell = r#"<c r="A1" t="inlineStr"><is><t>Họ và tên</t></is></c>"#;
    let hostile = with_sheet_data(
        &file,
        &format!(
            "<sheetData><row r=\"1\">{}</row></sheetData>",
            cell.repeat(20_000)
        ),
    );
    let error = read_table(&hostile, &columns, &Limits::default()).unwrap_err();
    assert!(
        matches!(&error, FileError::Corrupt { detail } if detail.contains("16384 ô")),
        "{error:?}"
    );
    // Inline strings and rows without `r` attributes read fine.
    let plain = with_sheet_data(
        &file,
        concat!(
            "<sheetData><row>",
            r#"<c t="inlineStr"><is><t>Mã hệ thống (không sửa)</t></is></c>"#,
            r#"<c t="inlineStr"><is><t>Họ và tên</t></is></c>"#,
            r#"<c t="inlineStr"><is><t>Ngày sinh</t></is></c>"#,
            r#"<c t="inlineStr"><is><t>Giới tính</t></is></c>"#,
            "</row><row>",
            r#"<c/><c t="inlineStr"><is><t>Lê Văn B</t></is></c><c t="inlineStr"><is><t>01/01/2010</t></is></c>"#,
            "</row></sheetData>"
        ),
    );
    let table = read(&plain, &columns);
    assert_eq!(table.rows.len(), 1, "{table:?}");
    assert_eq!(table.rows[0].row_number, 2);
    assert_eq!(table.rows[0].values["full_name"], "Lê Văn B");
}

#[test]
fn a_workbook_of_several_sheets_reads_back_by_sheet_name() {
    let math = vec![
        id_column(),
        Column::extra("full_name", "Họ và tên", false),
        Column::extra("regular:1", "ĐĐGtx 1", false),
        Column::extra("final", "ĐĐGck", false),
    ];
    let pe = vec![
        id_column(),
        Column::extra("full_name", "Họ và tên", false),
        Column::extra("regular:1", "ĐĐGtx 1", false),
    ];
    let math_rows = vec![
        vec!["7".into(), "An".into(), "8,5".into(), String::new()],
        vec!["9".into(), "Bình".into(), String::new(), "6".into()],
    ];
    let pe_rows = vec![vec!["7".into(), "An".into(), "Đ".into()]];
    let bytes = write_workbook(&[
        DataSheet {
            title: "Toán",
            columns: &math,
            rows: &math_rows,
        },
        DataSheet {
            title: "Giáo dục thể chất",
            columns: &pe,
            rows: &pe_rows,
        },
    ])
    .unwrap();
    // Asked in another order, with one sheet the file lacks.
    let tables = read_sheets(
        &bytes,
        &[
            ("Giáo dục thể chất", pe.as_slice()),
            ("Ngữ văn", pe.as_slice()),
            ("TOÁN", math.as_slice()),
        ],
        &Limits::default(),
    )
    .unwrap();
    assert!(
        tables.unknown_sheets.is_empty(),
        "{:?}",
        tables.unknown_sheets
    );
    assert!(tables.sheets[1].is_none());
    let pe_table = tables.sheets[0].clone().unwrap().unwrap();
    assert_eq!(pe_table.sheet_name, "Giáo dục thể chất");
    assert_eq!(pe_table.rows.len(), 1);
    assert_eq!(pe_table.rows[0].values["regular:1"], "Đ");
    let math_table = tables.sheets[2].clone().unwrap().unwrap();
    assert_eq!(math_table.rows.len(), 2);
    assert_eq!(math_table.rows[0].row_number, 2);
    assert_eq!(math_table.rows[0].values["regular:1"], "8,5");
    assert_eq!(math_table.rows[1].values["final"], "6");
    // A sheet expected under a name the file does not use is reported as unknown.
    let tables = read_sheets(&bytes, &[("Toán", math.as_slice())], &Limits::default()).unwrap();
    assert_eq!(tables.unknown_sheets, vec!["Giáo dục thể chất".to_owned()]);
}
