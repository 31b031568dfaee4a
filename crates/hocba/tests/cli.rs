//! The command line as a user runs it: `hocba evaluate` (the calculator's
//! contract: JSON in, JSON out, exit code 2 naming the field on bad input)
//! and `hocba pki demo` / `hocba sign` / `hocba verify`.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn hocba(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hocba"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run hocba");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("hocba finishes")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The input example of the issue, as written there.
const ISSUE_EXAMPLE: &str = r#"{"regime": "TT22", "grade": 10,
 "subjects": [
   {"name": "Toán", "mode": "scored",
    "S1": {"regular": [8, 9, 7, 8], "midterm": 7, "final": 8},
    "S2": {"average": 8.5}, "retest": 6.0},
   {"name": "Giáo dục thể chất", "mode": "commented", "S1": "Đ", "S2": "CĐ"}],
 "conduct": {"S1": "Tốt", "S2": "Khá", "summer": null},
 "absences": 3}"#;

#[test]
fn evaluate_prints_the_result_of_the_issue_example() {
    let output = hocba(&["evaluate"], Some(ISSUE_EXAMPLE));
    assert!(output.status.success(), "{}", text(&output.stderr));
    let result: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    let toan = &result["subjects"][0];
    assert_eq!(
        (
            toan["S1"].to_string(),
            toan["S2"].to_string(),
            toan["Year"].to_string()
        ),
        ("7.8".into(), "8.5".into(), "8.3".into())
    );
    assert_eq!(result["subjects"][1]["Year"], "CĐ");
    assert_eq!(result["conduct"]["Year"], "Khá");
    assert!(
        ["promoted", "retest", "summer_training", "retained"]
            .contains(&result["outcome"].as_str().unwrap())
    );
    assert!(!result["reasons"].as_array().unwrap().is_empty());
}

#[test]
fn evaluate_names_the_bad_field_and_exits_2() {
    for (input, field) in [
        (
            r#"{"regime":"TT22","grade":10,"subjects":[{"name":"Toán","mode":"scored","S1":{"regular":[8,11],"midterm":7,"final":8},"S2":{"average":8}}],"conduct":{"S1":"Tốt","S2":"Tốt"},"absences":0}"#,
            "subjects[0].S1.regular[1]",
        ),
        (r#"{"regime":"TT22","grade":13,"subjects":[]}"#, "grade"),
        ("not json", "input"),
    ] {
        let output = hocba(&["evaluate"], Some(input));
        assert_eq!(output.status.code(), Some(2), "{input}");
        assert!(
            text(&output.stderr).contains(field),
            "{field}: {}",
            text(&output.stderr)
        );
        assert!(output.stdout.is_empty());
    }
}

fn write_transcript(path: &Path) {
    std::fs::write(
        path,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<HocBa xmlns=\"urn:vn:hocba:1\"><DuLieu Id=\"DuLieu\"><HocSinh><HoTen>Nguyễn Thị Hương</HoTen></HocSinh><Mon ten=\"Toán\"><CN>8.3</CN></Mon></DuLieu></HocBa>\n",
    )
    .unwrap();
}

#[test]
fn pki_sign_and_verify_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let pki = dir.path().join("pki");
    let pki_arg = pki.to_str().unwrap();
    let output = hocba(&["pki", "demo", pki_arg, "--password", "mat-khau"], None);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(pki.join("trust-list.pem").exists() && pki.join("issuing-ca.crl").exists());

    let original = dir.path().join("hb.xml");
    write_transcript(&original);
    let mut current = original.clone();
    for (step, key) in ["nguyen-thi-huong", "le-thi-anh", "truong-thpt-tran-phu"]
        .iter()
        .enumerate()
    {
        let next = dir.path().join(format!("hb-{step}.xml"));
        let key_file = format!("pkcs12:{}", pki.join(format!("{key}.p12")).display());
        let output = hocba(
            &[
                "sign",
                "--signer",
                &key_file,
                "--password",
                "mat-khau",
                current.to_str().unwrap(),
                next.to_str().unwrap(),
            ],
            None,
        );
        assert!(output.status.success(), "{key}: {}", text(&output.stderr));
        current = next;
    }
    let output = hocba(
        &["verify", current.to_str().unwrap(), "--trust", pki_arg],
        None,
    );
    let report = text(&output.stdout);
    assert!(output.status.success(), "{report}");
    assert!(
        report.contains("3 signature(s)")
            && report.contains("Nguyễn Thị Hương")
            && report.contains("VALID"),
        "{report}"
    );

    // A changed score breaks every signature, and verify says so with exit 1.
    let tampered = dir.path().join("tampered.xml");
    std::fs::write(
        &tampered,
        std::fs::read_to_string(&current)
            .unwrap()
            .replace("8.3", "9.3"),
    )
    .unwrap();
    let output = hocba(
        &["verify", tampered.to_str().unwrap(), "--trust", pki_arg],
        None,
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stdout));
    assert!(text(&output.stdout).contains("INVALID"));

    // A wrong password is refused with a message, not a panic.
    let key_file = format!("pkcs12:{}", pki.join("le-thi-anh.p12").display());
    let output = hocba(
        &[
            "sign",
            "--signer",
            &key_file,
            "--password",
            "sai",
            original.to_str().unwrap(),
            "/dev/null",
        ],
        None,
    );
    assert!(!output.status.success());
    assert!(!text(&output.stderr).is_empty());
}
