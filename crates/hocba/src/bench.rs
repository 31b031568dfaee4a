//! The benchmark harness: `hocba bench NAME` prints one line per figure.
//! Times are measured here, never asserted by tests; quote medians.

use hocba_domain::Grade;
use hocba_domain::class::ClassDefinition;
use hocba_domain::org::UnitKind;
use hocba_domain::school::{SchoolProfile, SchoolYear};
use hocba_domain::student::{FIELDS, StudentProfile};
use hocba_spreadsheet::{Limits, plan_import, read_table, student_columns, write_template};
use hocba_storage::{Actor, ImportRow, NewSchool, Store};
use std::time::{Duration, Instant};

pub const NAMES: [&str; 6] = [
    "import",
    "assessment",
    "signing",
    "cells",
    "summary",
    "sync",
];

pub(crate) fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Import of a 2,000-student .xlsx with full validation, into an empty
/// school of a fresh database: read + validate + plan + write, all or nothing.
pub async fn import(engines: &[(String, String)], runs: usize) -> anyhow::Result<()> {
    let school = hocba_demo::synthetic_school(2000, 7);
    let columns = student_columns(&FIELDS);
    let mut rows = Vec::new();
    for class in &school.classes {
        for draft in &class.students {
            let profile = StudentProfile::validate(draft).map_err(|e| anyhow::anyhow!("{e}"))?;
            rows.push(
                columns
                    .iter()
                    .map(|c| match c.key.as_str() {
                        "id" => String::new(),
                        "class_name" => class.name.clone(),
                        key => profile.record().display(key),
                    })
                    .collect::<Vec<String>>(),
            );
        }
    }
    let file = write_template("Học sinh", &columns, &rows)?;
    println!(
        "bench import: file of {} students, {} columns, {} KiB",
        rows.len(),
        columns.len(),
        file.len() / 1024
    );
    for (engine, url) in engines {
        let store = Store::connect(url).await?;
        store.migrate().await?;
        let mut samples = Vec::new();
        for run in 0..runs {
            let actor = Actor::system("bench");
            let ministry = store
                .create_unit(&actor, UnitKind::Ministry, None, "Bộ", None, None)
                .await?;
            let department = store
                .create_unit(
                    &actor,
                    UnitKind::Department,
                    Some(ministry),
                    "Sở",
                    None,
                    Some("31"),
                )
                .await?;
            let profile =
                SchoolProfile::validate(&school.profile).map_err(|e| anyhow::anyhow!("{e}"))?;
            let school_id = store
                .create_school(
                    &actor,
                    NewSchool {
                        parent: department,
                        levels: &[school.level],
                        profile: &profile,
                    },
                )
                .await?;
            let grades: Vec<Grade> = (10..=12).filter_map(|g| Grade::new(g).ok()).collect();
            let year = store
                .create_school_year(
                    &actor,
                    school_id,
                    SchoolYear {
                        start_year: 2025 + run as u16,
                    },
                    &grades,
                )
                .await?;
            for class in &school.classes {
                let definition = ClassDefinition::validate(&class.draft(None))
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                store
                    .save_class(&actor, school_id, year, None, &definition)
                    .await?;
            }
            let started = Instant::now();
            let table = read_table(&file, &columns, &Limits::default())?;
            let selected: Vec<String> = table.columns.iter().map(|c| c.key.clone()).collect();
            let existing = store.student_drafts(school_id).await?;
            let plan = plan_import(&table, &existing, &selected, StudentProfile::validate);
            anyhow::ensure!(
                plan.is_valid(),
                "the benchmark file must be valid: {}",
                plan.summary()
            );
            let import_rows: Vec<ImportRow> = plan
                .changes
                .iter()
                .map(|change| ImportRow {
                    row_number: change.row_number(),
                    existing: None,
                    profile: change.record().clone(),
                    class_name: change.extras().get("class_name").cloned(),
                })
                .collect();
            let outcome = store
                .import_students(&actor, school_id, year, &import_rows)
                .await?;
            samples.push(started.elapsed());
            anyhow::ensure!(
                outcome.created == rows.len(),
                "imported {} of {}",
                outcome.created,
                rows.len()
            );
        }
        let median = median(samples.clone());
        println!(
            "import_2000_students engine={engine} runs={runs} median_ms={} min_ms={} max_ms={} bar_ms=2000",
            median.as_millis(),
            samples.iter().min().unwrap_or(&median).as_millis(),
            samples.iter().max().unwrap_or(&median).as_millis()
        );
    }
    Ok(())
}

/// Evaluation of 100,000 TT22 students (13 subjects each) by the assessment library.
pub fn assessment(runs: usize) -> anyhow::Result<()> {
    let students = hocba_assessment::fixtures::synthetic_students(100_000, 42);
    let mut samples = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        for student in &students {
            std::hint::black_box(
                hocba_assessment::fixtures::evaluate(student)
                    .map_err(|e| anyhow::anyhow!("{e}"))?,
            );
        }
        samples.push(started.elapsed());
    }
    let median = median(samples);
    println!(
        "assessment_tt22 students=100000 runs={runs} median_ms={} students_per_second={}",
        median.as_millis(),
        (100_000.0 / median.as_secs_f64()) as u64
    );
    Ok(())
}

fn per_second(count: usize, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64()
}

/// Median time of `runs` runs of `work`.
fn timed<T>(
    runs: usize,
    mut work: impl FnMut() -> anyhow::Result<T>,
) -> anyhow::Result<(Duration, T)> {
    let mut samples = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let started = Instant::now();
        last = Some(work()?);
        samples.push(started.elapsed());
    }
    Ok((median(samples), last.expect("at least one run")))
}

/// `openssl speed` for the same key types, in the same run: signatures per
/// second of RSA-2048 and ECDSA P-256, as OpenSSL reports them.
fn openssl_speed() -> Option<(f64, f64)> {
    let output = std::process::Command::new("openssl")
        .args(["speed", "-seconds", "2", "rsa2048", "ecdsap256"])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let mut rsa = None;
    let mut ecdsa = None;
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        // "rsa 2048 bits 0.000676s 0.000020s 1479.3 49751.0" and
        // "256 bits ecdsa (nistp256)   0.0000s   0.0001s  45000.1  15000.2"
        if line.starts_with("rsa 2048 bits") && words.len() >= 6 {
            rsa = words[5].parse().ok();
        } else if line.contains("ecdsa (nistp256)") && words.len() >= 7 {
            ecdsa = words[words.len() - 2].parse().ok();
        }
    }
    Some((rsa?, ecdsa?))
}

/// XML and PDF signatures per second with RSA-2048 and ECDSA P-256, set beside
/// the raw key cost (`openssl speed`, and the key through the same signer);
/// verifications per second beside `xmlsec1 --verify` run once per file.
pub fn signing(runs: usize) -> anyhow::Result<()> {
    use hocba_signing::bench as sig;
    use hocba_signing::pki::{DemoPki, KeyType};
    const DOCUMENTS: usize = 200;
    let pki = DemoPki::generate("bench")?;
    let trust = pki.trust_list();
    let reference = openssl_speed();
    match reference {
        Some((rsa, ecdsa)) => println!(
            "openssl_speed rsa2048_sign_per_second={rsa:.0} ecdsap256_sign_per_second={ecdsa:.0}"
        ),
        None => println!("openssl_speed unavailable (install openssl)"),
    }
    let xmls: Vec<Vec<u8>> = (0..DOCUMENTS).map(sig::sample_transcript_xml).collect();
    let pdfs: Vec<Vec<u8>> = (0..DOCUMENTS).map(sig::sample_transcript_pdf).collect();
    let mut signed_xml_for_xmlsec = None;
    for (label, key_type) in [
        ("rsa2048", KeyType::Rsa2048),
        ("ecdsap256", KeyType::EcdsaP256),
    ] {
        let identity = pki
            .signing_order()
            .into_iter()
            .find(|i| i.key_type == key_type)
            .ok_or_else(|| anyhow::anyhow!("the test PKI has no {label} identity"))?;
        let signer = identity.signer()?;
        let digests = sig::digests(DOCUMENTS);
        let (raw, _) = timed(runs, || Ok(sig::raw_signatures(&signer, &digests)?))?;
        let (xml, signed_xml) = timed(runs, || Ok(sig::sign_documents(&signer, &xmls)?))?;
        let (pdf, signed_pdf) = timed(runs, || Ok(sig::sign_documents(&signer, &pdfs)?))?;
        let (verify_xml, valid_xml) =
            timed(runs, || Ok(sig::verify_documents(&signed_xml, &trust)))?;
        let (verify_pdf, valid_pdf) =
            timed(runs, || Ok(sig::verify_documents(&signed_pdf, &trust)))?;
        anyhow::ensure!(
            valid_xml == DOCUMENTS && valid_pdf == DOCUMENTS,
            "every signed document must verify"
        );
        let raw_rate = per_second(DOCUMENTS, raw);
        let openssl = reference.map(|(rsa, ecdsa)| {
            if key_type == KeyType::Rsa2048 {
                rsa
            } else {
                ecdsa
            }
        });
        println!(
            "signing key={label} documents={DOCUMENTS} runs={runs} raw_key_per_second={raw_rate:.0} xml_sign_per_second={:.0} pdf_sign_per_second={:.0} xml_verify_per_second={:.0} pdf_verify_per_second={:.0}{}",
            per_second(DOCUMENTS, xml),
            per_second(DOCUMENTS, pdf),
            per_second(DOCUMENTS, verify_xml),
            per_second(DOCUMENTS, verify_pdf),
            openssl
                .map(|o| format!(
                    " openssl_sign_per_second={o:.0} openssl_over_xml_sign={:.2} openssl_over_pdf_sign={:.2} bar_ratio=2.0",
                    o / per_second(DOCUMENTS, xml),
                    o / per_second(DOCUMENTS, pdf)
                ))
                .unwrap_or_default()
        );
        if key_type == KeyType::Rsa2048 {
            signed_xml_for_xmlsec = Some((signed_xml, per_second(DOCUMENTS, verify_xml)));
        }
    }
    // xmlsec1 run once per file, as a portal would without hocba.
    if let Some((signed, hocba_rate)) = signed_xml_for_xmlsec {
        let dir = std::env::temp_dir().join(format!("hocba-bench-xmlsec-{}", std::process::id()));
        pki.write_to(&dir)?;
        let files: Vec<std::path::PathBuf> = signed
            .iter()
            .take(50)
            .enumerate()
            .map(|(i, doc)| {
                let path = dir.join(format!("doc-{i}.xml"));
                std::fs::write(&path, doc).map(|()| path)
            })
            .collect::<Result<_, _>>()?;
        let started = Instant::now();
        let mut ok = 0;
        for file in &files {
            let status = std::process::Command::new("xmlsec1")
                .arg("--verify")
                .arg("--trusted-pem")
                .arg(dir.join("trust-list.pem"))
                .args(["--id-attr:Id", "urn:vn:hocba:1:DuLieu"])
                .args([
                    "--id-attr:Id",
                    "http://www.w3.org/2000/09/xmldsig#:Signature",
                ])
                .args([
                    "--id-attr:Id",
                    "http://uri.etsi.org/01903/v1.3.2#:SignedProperties",
                ])
                .args(["--node-id", "sig-1"])
                .arg(file)
                .output();
            match status {
                Ok(output) if output.status.success() => ok += 1,
                Ok(_) => {}
                Err(_) => {
                    println!("xmlsec1 unavailable (install xmlsec1)");
                    let _ = std::fs::remove_dir_all(&dir);
                    return Ok(());
                }
            }
        }
        let xmlsec_rate = per_second(files.len(), started.elapsed());
        let _ = std::fs::remove_dir_all(&dir);
        anyhow::ensure!(
            ok == files.len(),
            "xmlsec1 accepted {ok} of {} files",
            files.len()
        );
        println!(
            "verify_xml key=rsa2048 hocba_per_second={hocba_rate:.0} xmlsec1_per_file_per_second={xmlsec_rate:.0} ratio={:.1} bar_ratio=5.0",
            hocba_rate / xmlsec_rate
        );
    }
    Ok(())
}

/// Fills a school's gradebook for the summary benchmark: every declared
/// column of every subject, both semesters, deterministic scores (3.0 to
/// 10.0, a commented subject CĐ now and then), conduct of both semesters,
/// through the ordinary write path (an administrator's override, so no
/// entry window is needed), over whatever is there already. `only`: one
/// class. Returns the cells written. Also used by the end-to-end tests.
pub async fn fill_gradebook(
    store: &Store,
    actor: &Actor,
    school: hocba_domain::SchoolId,
    year: hocba_domain::SchoolYearId,
    only: Option<hocba_domain::ClassId>,
) -> anyhow::Result<usize> {
    use hocba_domain::gradebook::{Channel, Semester, TrainingResult};
    use hocba_storage::{CellEdit, CellsOutcome, ConductEdit, ConductOutcome, Writer};
    let writer = Writer {
        staff: None,
        admin: true,
        override_requested: true,
    };
    store
        .declare_default_plans(actor, school, year, None, None)
        .await?;
    let mut classes = store.classes(school, year).await?;
    classes.retain(|c| only.is_none_or(|only| only == c.id) && c.grade.value() >= 6);
    let subjects = store.subjects(school, year, None).await?;
    let mut written = 0;
    for (c, class) in classes.iter().enumerate() {
        for semester in Semester::ALL {
            for (s, subject) in subjects
                .iter()
                .filter(|s| s.grade == class.grade)
                .enumerate()
            {
                let book = store
                    .gradebook(school, class.id, subject.id, semester)
                    .await?;
                let mut edits = Vec::new();
                for (i, student) in book.students.iter().enumerate() {
                    for (j, column) in book.columns.iter().enumerate() {
                        let spread =
                            i * 37 + s * 11 + j * 7 + c * 3 + usize::from(semester.number()) * 5;
                        let value = match subject.mode {
                            hocba_domain::curriculum::SubjectMode::Scored => {
                                let tenths = 30 + spread % 71;
                                format!("{}.{}", tenths / 10, tenths % 10)
                            }
                            hocba_domain::curriculum::SubjectMode::Commented => {
                                if spread % 97 == 0 { "CĐ" } else { "Đ" }.to_owned()
                            }
                        };
                        edits.push(CellEdit {
                            student: student.id,
                            column: column.column,
                            value,
                            missed_make_up: false,
                            expected_version: student
                                .cells
                                .iter()
                                .find(|c| c.column == column.column)
                                .map(|c| c.version),
                        });
                    }
                }
                written += edits.len();
                match store
                    .save_cells(
                        actor,
                        school,
                        class.id,
                        subject.id,
                        semester,
                        writer,
                        Channel::Api,
                        None,
                        &edits,
                    )
                    .await?
                {
                    CellsOutcome::Saved { .. } => {}
                    other => anyhow::bail!("benchmark scores refused: {other:?}"),
                }
            }
            let sheet = store.conduct_sheet(school, class.id, semester).await?;
            for (i, student) in sheet.students.iter().enumerate() {
                let result = match (i * 13 + c) % 20 {
                    0 => TrainingResult::NotPass,
                    1..=3 => TrainingResult::Pass,
                    4..=8 => TrainingResult::Fair,
                    _ => TrainingResult::Good,
                };
                let edit = ConductEdit {
                    student: student.student_id,
                    training_result: Some(result),
                    comment: Some("Chăm ngoan, có ý thức học tập.".into()),
                    expected_version: student.version,
                };
                match store
                    .save_conduct(actor, school, class.id, semester, writer, &edit)
                    .await?
                {
                    ConductOutcome::Saved { .. } => {}
                    other => anyhow::bail!("benchmark conduct refused: {other:?}"),
                }
            }
        }
    }
    Ok(written)
}

/// Loads a synthetic upper-secondary school (`hocba_demo::synthetic_school`)
/// under a new ministry and department: the school, its 2025–2026 year
/// (grades 10–12), its classes and students. Returns the school, the year
/// and the number of students.
pub async fn load_synthetic_school(
    store: &Store,
    actor: &Actor,
    school: &hocba_demo::DemoSchool,
) -> anyhow::Result<(hocba_domain::SchoolId, hocba_domain::SchoolYearId, usize)> {
    let ministry = store
        .create_unit(actor, UnitKind::Ministry, None, "Bộ", None, None)
        .await?;
    let department = store
        .create_unit(
            actor,
            UnitKind::Department,
            Some(ministry),
            "Sở",
            None,
            Some("31"),
        )
        .await?;
    let profile = SchoolProfile::validate(&school.profile).map_err(|e| anyhow::anyhow!("{e}"))?;
    let school_id = store
        .create_school(
            actor,
            NewSchool {
                parent: department,
                levels: &[school.level],
                profile: &profile,
            },
        )
        .await?;
    let grades: Vec<Grade> = (10..=12).filter_map(|g| Grade::new(g).ok()).collect();
    let year = store
        .create_school_year(actor, school_id, SchoolYear { start_year: 2025 }, &grades)
        .await?;
    let mut rows = Vec::new();
    for class in &school.classes {
        let definition =
            ClassDefinition::validate(&class.draft(None)).map_err(|e| anyhow::anyhow!("{e}"))?;
        store
            .save_class(actor, school_id, year, None, &definition)
            .await?;
        for draft in &class.students {
            rows.push(ImportRow {
                row_number: rows.len() + 1,
                existing: None,
                profile: StudentProfile::validate(draft).map_err(|e| anyhow::anyhow!("{e}"))?,
                class_name: Some(class.name.clone()),
            });
        }
    }
    store.import_students(actor, school_id, year, &rows).await?;
    Ok((school_id, year, rows.len()))
}

/// Term summary of a 2,000-student upper-secondary school (45 classes, the
/// default subjects of grades 10–12 with every column filled): read every
/// cell, compute every student through `hocba_assessment`, write every line
/// with its reasons, in one transaction. Semester I and the end of the year
/// (semester II with the year, award and promotion), on each engine.
pub async fn summary(engines: &[(String, String)], runs: usize) -> anyhow::Result<()> {
    use hocba_domain::gradebook::Semester;
    let school = hocba_demo::synthetic_school(2000, 11);
    for (engine, url) in engines {
        let store = Store::connect(url).await?;
        store.migrate().await?;
        let actor = Actor::system("bench");
        let (school_id, year, students) = load_synthetic_school(&store, &actor, &school).await?;
        let grade = Grade::new(10).map_err(|e| anyhow::anyhow!("{e}"))?;
        let started = Instant::now();
        let cells = fill_gradebook(&store, &actor, school_id, year, None).await?;
        let subjects = store.subjects(school_id, year, Some(grade)).await?.len();
        println!(
            "bench summary [{engine}]: {} students, {} classes, {subjects} subjects per grade, {cells} cells (filled in {:.1} s)",
            students,
            school.classes.len(),
            started.elapsed().as_secs_f64()
        );
        for semester in Semester::ALL {
            let mut samples = Vec::new();
            let mut last = None;
            for _ in 0..runs {
                let started = Instant::now();
                let run = store
                    .compute_summary(&actor, school_id, year, None, semester)
                    .await?;
                samples.push(started.elapsed());
                last = Some(run);
            }
            let run = last.expect("at least one run");
            println!(
                "bench summary [{engine}] {}: median {:.0} ms over {runs} runs (read + compute + write; {} classes, {} students, {} complete)",
                if semester == Semester::S1 {
                    "học kỳ I"
                } else {
                    "cả năm (học kỳ II)"
                },
                median(samples).as_secs_f64() * 1000.0,
                run.classes,
                run.students,
                run.complete,
            );
        }
    }
    Ok(())
}
