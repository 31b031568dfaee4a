//! XAdES-BES on the transcript data file: order, tampering, wrapping, DTDs,
//! chain/revocation/validity, and independent verification with xmlsec1.

mod common;

use std::process::Command;

use common::{pki, pki_dir, sample_xml, sign_all_xml, temp_dir, tool};
use hocba_signing::pki::Role;
use hocba_signing::{
    DocumentKind, SignOptions, SignatureStatus, TrustList, sign_file, sign_file_with, verify_file,
    xml,
};

fn replace_once(doc: &[u8], from: &str, to: &str) -> Vec<u8> {
    let s = String::from_utf8(doc.to_vec()).unwrap();
    assert!(s.contains(from), "{from} not in document");
    s.replacen(from, to, 1).into_bytes()
}

fn expected_names() -> Vec<String> {
    pki()
        .signing_order()
        .iter()
        .map(|i| i.name.clone())
        .collect()
}

#[test]
fn five_signatures_in_order_all_valid() {
    let signed = sign_all_xml(&sample_xml());
    let mut report = verify_file(&signed, &pki().trust_list());
    assert!(report.is_valid(), "{report}");
    assert_eq!(report.signatures.len(), 5);
    let names = expected_names();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    report.expect_signers(&names);
    assert!(report.problems.is_empty(), "{report}");
    assert_eq!(report.signatures[0].signer, "Nguyễn Thị Hương");
    assert_eq!(report.signatures[4].signer, "Trường THPT Trần Phú");
    assert_eq!(
        report.signatures[4].holder,
        Some(hocba_signing::HolderKind::Organisation)
    );
    let mut wrong = report.clone();
    wrong.expect_signers(&["Trường THPT Trần Phú"]);
    assert!(!wrong.is_valid());
}

#[test]
fn signing_appends_without_rewriting_earlier_bytes() {
    let original = sample_xml();
    let once = sign_all_xml(&original);
    let end_tag = original.windows(8).rposition(|w| w == b"</HocBa>").unwrap();
    assert_eq!(&once[..end_tag], &original[..end_tag]);
    assert!(once.ends_with(b"</HocBa>\n"));
}

#[test]
fn role_and_signing_time_are_signed_properties() {
    let when = time::macros::datetime!(2026-05-20 08:30:00 UTC);
    let id = pki().identity(Role::HomeroomTeacher);
    let opts = SignOptions {
        signing_time: Some(when),
        role: Some("Giáo viên chủ nhiệm".into()),
        location: None,
    };
    let signed = sign_file_with(
        &id.signer().unwrap(),
        &sample_xml(),
        DocumentKind::Xml,
        &opts,
    )
    .unwrap();
    // The certificates of the test PKI start 30 days ago; a claimed time
    // before that is outside their validity.
    let report = verify_file(&signed, &pki().trust_list());
    let s = &report.signatures[0];
    assert_eq!(s.role.as_deref(), Some("Giáo viên chủ nhiệm"));
    assert_eq!(s.signing_time, Some(when));
    assert_eq!(s.status, SignatureStatus::NotValidAtSigningTime, "{report}");

    let now = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
    let opts = SignOptions {
        signing_time: Some(now),
        role: Some("Giáo viên chủ nhiệm".into()),
        location: None,
    };
    let signed = sign_file_with(
        &id.signer().unwrap(),
        &sample_xml(),
        DocumentKind::Xml,
        &opts,
    )
    .unwrap();
    assert!(verify_file(&signed, &pki().trust_list()).is_valid());
    // Changing the claimed role breaks the SignedProperties digest.
    let forged = replace_once(&signed, "Giáo viên chủ nhiệm", "Hiệu trưởng");
    let r = verify_file(&forged, &pki().trust_list());
    assert!(!r.is_valid());
    assert!(r.signatures[0].reason.contains("signed properties"), "{r}");
}

#[test]
fn tampered_data_invalidates_every_signature() {
    let signed = sign_all_xml(&sample_xml());
    let tampered = replace_once(&signed, "<HK1>7.0</HK1>", "<HK1>9.0</HK1>");
    let report = verify_file(&tampered, &pki().trust_list());
    assert!(!report.is_valid());
    for s in &report.signatures {
        assert_eq!(s.status, SignatureStatus::Invalid);
        assert!(s.reason.contains("data was changed"), "{}", s.reason);
    }
}

#[test]
fn altered_earlier_signature_breaks_it_and_every_later_one() {
    let signed = sign_all_xml(&sample_xml());
    let text = String::from_utf8(signed).unwrap();
    let start = text.find("<ds:SignatureValue Id=\"sig-2-value\">").unwrap() + 36;
    let mut bytes = text.into_bytes();
    bytes[start + 5] = if bytes[start + 5] == b'A' { b'B' } else { b'A' };
    let report = verify_file(&bytes, &pki().trust_list());
    let statuses: Vec<bool> = report.signatures.iter().map(|s| s.is_valid()).collect();
    assert_eq!(statuses, [true, false, false, false, false], "{report}");
    assert!(
        report.signatures[2]
            .reason
            .contains("signature 2 was changed")
    );
}

#[test]
fn removed_or_reordered_signatures_are_detected() {
    let signed = String::from_utf8(sign_all_xml(&sample_xml())).unwrap();
    let sig = |n: usize| {
        let start = signed
            .find(&format!(
                "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" Id=\"sig-{n}\""
            ))
            .unwrap();
        let end = start + signed[start..].find("</ds:Signature>").unwrap() + 15;
        (start, end)
    };
    // Remove signature 2.
    let (s2, e2) = sig(2);
    let removed = format!("{}{}", &signed[..s2], &signed[e2..]);
    let r = verify_file(removed.as_bytes(), &pki().trust_list());
    assert!(!r.is_valid());
    assert!(r.signatures[0].is_valid());
    assert!(!r.signatures[1].is_valid(), "{r}");

    // Swap signatures 1 and 2.
    let (s1, e1) = sig(1);
    let swapped = format!(
        "{}{}{}{}",
        &signed[..s1],
        &signed[s2..e2],
        &signed[e1..s2],
        &signed[s1..e1]
    ) + &signed[e2..];
    let r = verify_file(swapped.as_bytes(), &pki().trust_list());
    assert!(!r.is_valid(), "{r}");
    assert!(
        !r.signatures[0].is_valid() && !r.signatures[1].is_valid(),
        "{r}"
    );
}

#[test]
fn signature_wrapping_is_refused() {
    let signed = String::from_utf8(sign_all_xml(&sample_xml())).unwrap();
    let trust = pki().trust_list();
    let data_start = signed.find("<DuLieu").unwrap();
    let data_end = signed.find("</DuLieu>").unwrap() + 9;
    let original = &signed[data_start..data_end];
    let forged = original.replace("<HK1>7.0</HK1>", "<HK1>10</HK1>");

    // 1. Forged data in front with the same Id, original hidden in an Object.
    let hidden = format!("{}{}{}", &signed[..data_start], forged, &signed[data_end..]).replacen(
        "<ds:Object>",
        &format!("<ds:Object><Wrapper xmlns=\"urn:vn:hocba:1\">{original}</Wrapper>"),
        1,
    );
    let r = verify_file(hidden.as_bytes(), &trust);
    assert!(!r.is_valid());
    assert!(r.problems.iter().any(|p| p.contains("duplicate Id")), "{r}");

    // 2. Forged data with another Id in front, the original moved away.
    let forged2 = forged.replacen("Id=\"DuLieu\"", "Id=\"DuLieuGia\"", 1);
    let moved = format!(
        "{}{}{}",
        &signed[..data_start],
        forged2,
        &signed[data_end..]
    )
    .replacen(
        "<ds:Object>",
        &format!("<ds:Object><Wrapper xmlns=\"urn:vn:hocba:1\">{original}</Wrapper>"),
        1,
    );
    let r = verify_file(moved.as_bytes(), &trust);
    assert!(!r.is_valid());
    assert!(
        r.signatures.iter().all(|s| !s.is_valid()),
        "every signature must reject the moved data: {r}"
    );

    // 3. A second data element after the signatures.
    let root_end = signed.rfind("</HocBa>").unwrap();
    let extra = format!("{}{}{}", &signed[..root_end], forged2, &signed[root_end..]);
    let r = verify_file(extra.as_bytes(), &trust);
    assert!(!r.is_valid());
    assert!(
        r.problems.iter().any(|p| p.contains("only <ds:Signature>")),
        "{r}"
    );

    // 4. A comment smuggled into the data (not covered by c14n digests).
    let commented = signed.replacen("<NamHoc>", "<!-- sửa --><NamHoc>", 1);
    assert!(!verify_file(commented.as_bytes(), &trust).is_valid());
}

#[test]
fn dtds_and_external_entities_are_refused() {
    let xxe = br#"<?xml version="1.0"?>
<!DOCTYPE HocBa [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<HocBa xmlns="urn:vn:hocba:1"><DuLieu Id="DuLieu">&x;</DuLieu></HocBa>"#;
    let bomb = br#"<?xml version="1.0"?>
<!DOCTYPE HocBa [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<HocBa xmlns="urn:vn:hocba:1"><DuLieu Id="DuLieu">&c;</DuLieu></HocBa>"#;
    let signer = pki().identity(Role::Leader).signer().unwrap();
    for doc in [&xxe[..], &bomb[..]] {
        let err = sign_file(&signer, doc, DocumentKind::Xml).unwrap_err();
        assert!(err.to_string().contains("DTD"), "{err}");
        let r = verify_file(doc, &pki().trust_list());
        assert!(r.problems.iter().any(|p| p.contains("DTD")), "{r}");
    }
    // A DTD added to a signed document is refused too.
    let signed = String::from_utf8(sign_all_xml(&sample_xml())).unwrap();
    let with_dtd = signed.replacen("<HocBa", "<!DOCTYPE HocBa [<!ENTITY e \"x\">]>\n<HocBa", 1);
    assert!(!verify_file(with_dtd.as_bytes(), &pki().trust_list()).is_valid());
}

#[test]
fn revoked_expired_and_untrusted_certificates() {
    let trust = pki().trust_list();
    let doc = sample_xml();
    let revoked = sign_file(&pki().revoked.signer().unwrap(), &doc, DocumentKind::Xml).unwrap();
    let r = verify_file(&revoked, &trust);
    assert_eq!(r.signatures[0].status, SignatureStatus::Revoked, "{r}");
    assert!(r.signatures[0].reason.contains("revoked on"), "{r}");

    let expired = sign_file(&pki().expired.signer().unwrap(), &doc, DocumentKind::Xml).unwrap();
    let r = verify_file(&expired, &trust);
    assert_eq!(
        r.signatures[0].status,
        SignatureStatus::NotValidAtSigningTime,
        "{r}"
    );

    let good = sign_all_xml(&doc);
    let other_root = TrustList::new(vec![pki().issuing_ca.clone()]);
    // The issuing CA alone is not the configured root: its own certificate
    // is then the anchor, so this still validates.
    assert!(verify_file(&good, &other_root).is_valid());
    let nobody = TrustList::new(vec![]);
    let r = verify_file(&good, &nobody);
    assert!(
        r.signatures
            .iter()
            .all(|s| s.status == SignatureStatus::Untrusted),
        "{r}"
    );

    // Without the CRL, the revoked certificate goes unnoticed but the
    // report says revocation was not checked; with require_revocation_info
    // it is indeterminate.
    let mut no_crl = TrustList::new(vec![pki().root.clone()]);
    let r = verify_file(&revoked, &no_crl);
    assert!(r.signatures[0].is_valid());
    assert!(r.signatures[0].reason.contains("not checked"), "{r}");
    no_crl.require_revocation_info = true;
    let r = verify_file(&revoked, &no_crl);
    assert_eq!(
        r.signatures[0].status,
        SignatureStatus::Indeterminate,
        "{r}"
    );
}

/// Changing any byte of the data element of a signed document is detected.
#[test]
fn every_byte_of_the_data_is_protected() {
    let doc = r#"<?xml version="1.0" encoding="UTF-8"?>
<HocBa xmlns="urn:vn:hocba:1"><DuLieu Id="DuLieu"><HoVaTen>Lê Thị Ánh</HoVaTen><Mon ma="TOA"><CN>8.8</CN></Mon><KQ a="T" b='K'>Lên lớp &amp; khen</KQ><Rong/></DuLieu></HocBa>"#.as_bytes();
    let mut signed = doc.to_vec();
    for role in [Role::HomeroomTeacher, Role::School] {
        let s = pki().identity(role).signer().unwrap();
        signed = sign_file(&s, &signed, DocumentKind::Xml).unwrap();
    }
    let trust = pki().trust_list();
    assert!(verify_file(&signed, &trust).is_valid());
    let range = xml::data_element_range(&signed).unwrap();
    let mut undetected = Vec::new();
    for i in range.clone() {
        let mut t = signed.clone();
        t[i] ^= 0x01;
        if verify_file(&t, &trust).is_valid() {
            undetected.push(i);
        }
    }
    assert!(range.len() > 100);
    assert!(
        undetected.is_empty(),
        "undetected changes at {undetected:?}"
    );
}

/// xmlsec1 (libxmlsec1, the reference implementation) verifies each
/// signature with the test root as its only trusted certificate, and
/// rejects tampered copies.
#[test]
fn xmlsec1_verifies_each_signature() {
    let Some(xmlsec1) = tool("xmlsec1", "xmlsec1") else {
        return;
    };
    let dir = temp_dir("xmlsec1");
    let signed = sign_all_xml(&sample_xml());
    let good = dir.join("signed.xml");
    std::fs::write(&good, &signed).unwrap();
    let bad_data = dir.join("tampered-data.xml");
    std::fs::write(
        &bad_data,
        replace_once(&signed, "<CN>8.8</CN>", "<CN>9.8</CN>"),
    )
    .unwrap();
    let text = String::from_utf8(signed.clone()).unwrap();
    let v = text.find("Id=\"sig-1-value\">").unwrap() + 17;
    let mut bad_sig1 = signed.clone();
    bad_sig1[v + 3] = if bad_sig1[v + 3] == b'A' { b'B' } else { b'A' };
    let bad_sig = dir.join("tampered-sig1.xml");
    std::fs::write(&bad_sig, &bad_sig1).unwrap();

    let run = |file: &std::path::Path, n: usize| {
        let out = Command::new(&xmlsec1)
            .arg("--verify")
            .arg("--trusted-pem")
            .arg(pki_dir().join("trust-list.pem"))
            .args(["--id-attr:Id", "urn:vn:hocba:1:DuLieu"])
            .args([
                "--id-attr:Id",
                "http://www.w3.org/2000/09/xmldsig#:Signature",
            ])
            .args([
                "--id-attr:Id",
                "http://uri.etsi.org/01903/v1.3.2#:SignedProperties",
            ])
            .args(["--node-id", &format!("sig-{n}")])
            .arg(file)
            .output()
            .expect("run xmlsec1");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        eprintln!(
            "xmlsec1 sig-{n} {}: {}",
            file.display(),
            stderr.trim().replace('\n', " | ")
        );
        (out.status.success(), stderr)
    };
    for n in 1..=5 {
        let (ok, stderr) = run(&good, n);
        assert!(ok, "xmlsec1 rejected sig-{n}: {stderr}");
        assert!(stderr.starts_with("OK"), "{stderr}");
    }
    for n in 1..=5 {
        let (ok, _) = run(&bad_data, n);
        assert!(!ok, "xmlsec1 accepted sig-{n} over tampered data");
    }
    let results: Vec<bool> = (1..=5).map(|n| run(&bad_sig, n).0).collect();
    assert_eq!(results, [false, false, false, false, false]);
}
