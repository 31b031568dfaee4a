//! PAdES baseline B on the printable transcript: several signers as
//! incremental updates, hocba's verifier, and poppler's pdfsig.

mod common;

use std::path::Path;
use std::process::Command;

use common::{pki, pki_dir, sign_all_pdf, temp_dir, tool};
use hocba_signing::pki::Role;
use hocba_signing::{DocumentKind, SignatureStatus, pdf, sign_file, verify_file};

fn sample() -> Vec<u8> {
    pdf::sample_pdf("Hoc ba so - Nguyen Van An - 10A1 - Toan 8.8")
}

#[test]
fn five_signers_as_incremental_updates() {
    let original = sample();
    let signed = sign_all_pdf(&original);
    assert!(
        signed.starts_with(&original),
        "earlier bytes must not change"
    );
    let report = verify_file(&signed, &pki().trust_list());
    assert!(report.is_valid(), "{report}");
    let names: Vec<&str> = report
        .signatures
        .iter()
        .map(|s| s.signer.as_str())
        .collect();
    let expected: Vec<String> = pki()
        .signing_order()
        .iter()
        .map(|i| i.name.clone())
        .collect();
    assert_eq!(names, expected);
    assert_eq!(signed.windows(5).filter(|w| w == b"%%EOF").count(), 6);
}

#[test]
fn tampering_and_appended_content_are_detected() {
    let signed = sign_all_pdf(&sample());
    let trust = pki().trust_list();
    let pos = signed.windows(3).position(|w| w == b"8.8").unwrap();
    let mut t = signed.clone();
    t[pos] = b'9';
    let r = verify_file(&t, &trust);
    assert!(r.signatures.iter().all(|s| !s.is_valid()), "{r}");
    assert!(r.signatures[0].reason.contains("digest mismatch"), "{r}");

    // An unsigned incremental update after the last signature.
    let mut appended = signed.clone();
    appended.extend_from_slice(b"1 0 obj\n<</Type /Catalog /Pages 2 0 R>>\nendobj\n");
    let r = verify_file(&appended, &trust);
    assert!(!r.is_valid());
    assert!(r.problems.iter().any(|p| p.contains("not covered")), "{r}");
}

#[test]
fn revoked_and_expired_signers() {
    let trust = pki().trust_list();
    let s = sign_file(
        &pki().revoked.signer().unwrap(),
        &sample(),
        DocumentKind::Pdf,
    )
    .unwrap();
    let r = verify_file(&s, &trust);
    assert_eq!(r.signatures[0].status, SignatureStatus::Revoked, "{r}");
    let s = sign_file(
        &pki().expired.signer().unwrap(),
        &sample(),
        DocumentKind::Pdf,
    )
    .unwrap();
    let r = verify_file(&s, &trust);
    assert_eq!(
        r.signatures[0].status,
        SignatureStatus::NotValidAtSigningTime,
        "{r}"
    );
    let s = sign_all_pdf(&sample());
    let r = verify_file(&s, &hocba_signing::TrustList::new(vec![]));
    assert!(
        r.signatures
            .iter()
            .all(|x| x.status == SignatureStatus::Untrusted),
        "{r}"
    );
}

/// Changing any byte covered by the last signature's /ByteRange is detected.
#[test]
fn every_signed_byte_is_protected() {
    let mut signed = pdf::sample_pdf("10A1");
    for role in [Role::SubjectTeacher, Role::School] {
        let s = pki().identity(role).signer().unwrap();
        signed = sign_file(&s, &signed, DocumentKind::Pdf).unwrap();
    }
    let trust = pki().trust_list();
    assert!(verify_file(&signed, &trust).is_valid());
    let [a, b] = pdf::signed_ranges(&signed).unwrap();
    let mut undetected = Vec::new();
    let mut count = 0;
    for i in a.chain(b) {
        let mut t = signed.clone();
        t[i] ^= 0x01;
        count += 1;
        if verify_file(&t, &trust).is_valid() {
            undetected.push(i);
        }
    }
    eprintln!("altered {count} signed bytes one at a time");
    assert!(
        undetected.is_empty(),
        "undetected changes at {undetected:?}"
    );
}

/// A PDF with object streams and a cross-reference stream (PDF 1.5+, as
/// modern writers produce) gets classic incremental updates on top; hocba
/// and pdfsig both read the hybrid result.
#[test]
fn signs_pdfs_with_xref_streams() {
    let mut doc = lopdf::Document::load_mem(&sample()).unwrap();
    let mut modern = Vec::new();
    doc.save_modern(&mut modern).unwrap();
    assert!(
        modern
            .windows(10)
            .any(|w| w == b"/Type/XRef" || w == b"/Type /XRe"),
        "lopdf should have written an xref stream"
    );
    let mut signed = modern.clone();
    for role in [Role::HomeroomTeacher, Role::School] {
        let s = pki().identity(role).signer().unwrap();
        signed = sign_file(&s, &signed, DocumentKind::Pdf).unwrap();
    }
    let r = verify_file(&signed, &pki().trust_list());
    assert!(r.is_valid(), "{r}");
    assert_eq!(r.signatures.len(), 2);

    let Some(pdfsig) = tool("pdfsig", "poppler-utils") else {
        return;
    };
    let dir = temp_dir("pdfsig-xref");
    let f = dir.join("modern-signed.pdf");
    std::fs::write(&f, &signed).unwrap();
    let out = Command::new(pdfsig).arg(&f).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    eprintln!("{text}");
    assert_eq!(
        text.matches("Signature Validation: Signature is Valid.")
            .count(),
        2,
        "{text}"
    );
}

/// An NSS database for pdfsig that trusts the test root.
fn nss_db(dir: &Path) -> Option<String> {
    let certutil = tool("certutil", "libnss3-tools")?;
    let db = format!("sql:{}", dir.display());
    let ok = Command::new(&certutil)
        .args(["-N", "-d", &db, "--empty-password"])
        .status()
        .expect("certutil -N")
        .success();
    assert!(ok, "certutil -N failed");
    let ok = Command::new(&certutil)
        .args([
            "-A",
            "-d",
            &db,
            "-n",
            "hocba-test-root",
            "-t",
            "CT,C,C",
            "-i",
        ])
        .arg(pki_dir().join("root-ca.pem"))
        .status()
        .expect("certutil -A")
        .success();
    assert!(ok, "certutil -A failed");
    Some(db)
}

/// pdfsig (poppler, NSS) reports every signature valid and its
/// certificate trusted (the test root in a temporary NSS database), and
/// a tampered copy invalid.
#[test]
fn pdfsig_verifies_every_signature() {
    let Some(pdfsig) = tool("pdfsig", "poppler-utils") else {
        return;
    };
    let dir = temp_dir("pdfsig");
    let nss = dir.join("nss");
    std::fs::create_dir_all(&nss).unwrap();
    let Some(db) = nss_db(&nss) else { return };
    let signed = sign_all_pdf(&sample());
    let good = dir.join("signed.pdf");
    std::fs::write(&good, &signed).unwrap();
    let pos = signed.windows(3).position(|w| w == b"8.8").unwrap();
    let mut t = signed.clone();
    t[pos] = b'9';
    let bad = dir.join("tampered.pdf");
    std::fs::write(&bad, &t).unwrap();

    let run = |f: &Path| {
        let out = Command::new(&pdfsig)
            .args(["-nssdir", &db])
            .arg(f)
            .output()
            .expect("run pdfsig");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        eprintln!(
            "pdfsig {}:\n{text}{}",
            f.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        text
    };
    let out = run(&good);
    assert_eq!(
        out.matches("Signature Validation: Signature is Valid.")
            .count(),
        5,
        "{out}"
    );
    assert_eq!(
        out.matches("Certificate Validation: Certificate is Trusted.")
            .count(),
        5,
        "{out}"
    );
    assert_eq!(out.matches("ETSI.CAdES.detached").count(), 5, "{out}");
    assert!(out.contains("Nguyễn Thị Hương"), "{out}");
    let out = run(&bad);
    assert!(!out.contains("Signature is Valid."), "{out}");
    assert_eq!(
        out.matches("Signature Validation: Digest Mismatch.")
            .count(),
        5,
        "{out}"
    );
}
