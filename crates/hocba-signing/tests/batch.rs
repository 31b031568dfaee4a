//! Batch signing (one authorisation for many documents), the test PKI on
//! disk, and PKCS#12 interoperability with OpenSSL.

mod common;

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{PASSWORD, pki, sample_xml, temp_dir, tool};
use hocba_signing::pki::Role;
use hocba_signing::{
    Certificate, DigestBytes, KeyFileSigner, SignatureAlgorithm, Signer, SignerKind, SigningError,
    TrustList, pdf, sign_batch, verify_file,
};

/// Counts authorisations (calls to `sign_digests`) of a wrapped signer.
struct Counting<S> {
    inner: S,
    calls: AtomicUsize,
}

impl<S: Signer> Signer for Counting<S> {
    fn kind(&self) -> SignerKind {
        self.inner.kind()
    }
    fn certificate_chain(&self) -> &[Certificate] {
        self.inner.certificate_chain()
    }
    fn algorithm(&self) -> SignatureAlgorithm {
        self.inner.algorithm()
    }
    fn sign_digests(&self, d: &[DigestBytes]) -> Result<Vec<Vec<u8>>, SigningError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.sign_digests(d)
    }
}

#[test]
fn one_authorisation_signs_a_batch_of_xml_and_pdf() {
    let signer = Counting {
        inner: pki().identity(Role::Leader).signer().unwrap(),
        calls: AtomicUsize::new(0),
    };
    let xmls: Vec<Vec<u8>> = (0..6)
        .map(|i| {
            String::from_utf8(sample_xml())
                .unwrap()
                .replace("10A1", &format!("10A{i}"))
                .into_bytes()
        })
        .collect();
    let pdfs: Vec<Vec<u8>> = (0..4)
        .map(|i| pdf::sample_pdf(&format!("HS {i}")))
        .collect();
    let docs: Vec<&[u8]> = xmls.iter().chain(&pdfs).map(Vec::as_slice).collect();
    let signed = sign_batch(&signer, &docs).unwrap();
    assert_eq!(signer.calls.load(Ordering::SeqCst), 1);
    assert_eq!(signed.len(), 10);
    let trust = pki().trust_list();
    for (i, s) in signed.iter().enumerate() {
        let r = verify_file(s, &trust);
        assert!(r.is_valid(), "document {i}: {r}");
        assert_eq!(r.signatures[0].signer, "Phạm Quốc Bảo");
    }
    // Documents are not mixed up: each signed copy starts with its input.
    for (d, s) in docs.iter().zip(&signed) {
        assert!(s.starts_with(&d[..d.len() - 10]));
    }
}

/// A signer that returns the wrong number of signatures is caught.
struct Short(KeyFileSigner);

impl Signer for Short {
    fn kind(&self) -> SignerKind {
        SignerKind::Remote
    }
    fn certificate_chain(&self) -> &[Certificate] {
        self.0.certificate_chain()
    }
    fn algorithm(&self) -> SignatureAlgorithm {
        self.0.algorithm()
    }
    fn sign_digests(&self, d: &[DigestBytes]) -> Result<Vec<Vec<u8>>, SigningError> {
        let mut v = self.0.sign_digests(d)?;
        v.pop();
        Ok(v)
    }
}

#[test]
fn a_short_batch_answer_is_an_error() {
    let s = Short(pki().identity(Role::Leader).signer().unwrap());
    let x = sample_xml();
    let err = sign_batch(&s, &[&x, &x]).unwrap_err();
    assert!(
        matches!(
            err,
            SigningError::BatchMismatch {
                expected: 2,
                got: 1
            }
        ),
        "{err}"
    );
}

#[test]
fn write_demo_writes_a_usable_pki() {
    let dir = temp_dir("demo");
    let pki = hocba_signing::pki::write_demo(&dir, "1234").unwrap();
    for f in [
        "root-ca.pem",
        "issuing-ca.pem",
        "issuing-ca.crl",
        "trust-list.pem",
        "identities.txt",
    ] {
        assert!(dir.join(f).is_file(), "{f}");
    }
    let trust_pem = std::fs::read_to_string(dir.join("trust-list.pem")).unwrap();
    let mut trust = TrustList::from_pem(&trust_pem).unwrap();
    trust
        .add_crl_file(&std::fs::read(dir.join("issuing-ca.crl.pem")).unwrap())
        .unwrap();
    assert_eq!(trust.crls()[0].revoked_count(), 1);
    let p12 = std::fs::read(dir.join("nguyen-thi-huong.p12")).unwrap();
    let signer = KeyFileSigner::from_pkcs12(&p12, "1234").unwrap();
    assert_eq!(
        signer.certificate().common_name().as_deref(),
        Some("Nguyễn Thị Hương")
    );
    assert_eq!(signer.algorithm(), SignatureAlgorithm::RsaPkcs1Sha256);
    assert_eq!(signer.certificate_chain().len(), 2);
    let signed =
        hocba_signing::sign_file(&signer, &sample_xml(), hocba_signing::DocumentKind::Xml).unwrap();
    assert!(verify_file(&signed, &trust).is_valid());
    assert!(matches!(
        KeyFileSigner::from_pkcs12(&p12, "sai"),
        Err(SigningError::WrongPassword)
    ));
    let listing = std::fs::read_to_string(dir.join("identities.txt")).unwrap();
    assert!(listing.contains("Trường THPT Trần Phú"), "{listing}");
    assert!(pki.identities.len() >= 5);
}

#[test]
fn pkcs12_files_interoperate_with_openssl() {
    let Some(openssl) = tool("openssl", "openssl") else {
        return;
    };
    let dir = temp_dir("p12");
    let id = pki().identity(Role::School);
    let ours = dir.join("ours.p12");
    std::fs::write(&ours, &id.pkcs12).unwrap();
    // OpenSSL reads ours.
    let out = Command::new(&openssl)
        .args(["pkcs12", "-in"])
        .arg(&ours)
        .args(["-nodes", "-passin", &format!("pass:{PASSWORD}")])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("PRIVATE KEY") && text.contains("CERTIFICATE"),
        "{text}"
    );

    // We read OpenSSL's (default PBES2/AES-256, HMAC-SHA-256).
    let key = dir.join("key.der");
    std::fs::write(&key, id.private_key_pkcs8()).unwrap();
    let key_pem = dir.join("key.pem");
    let status = Command::new(&openssl)
        .args(["pkey", "-inform", "DER", "-in"])
        .arg(&key)
        .arg("-out")
        .arg(&key_pem)
        .status()
        .unwrap();
    assert!(status.success());
    let cert = dir.join("cert.pem");
    std::fs::write(&cert, id.certificate.to_pem()).unwrap();
    let theirs = dir.join("theirs.p12");
    let status = Command::new(&openssl)
        .args(["pkcs12", "-export", "-inkey"])
        .arg(&key_pem)
        .arg("-in")
        .arg(&cert)
        .arg("-out")
        .arg(&theirs)
        .args(["-passout", "pass:1234"])
        .status()
        .unwrap();
    assert!(status.success());
    let signer = KeyFileSigner::from_pkcs12(&std::fs::read(&theirs).unwrap(), "1234").unwrap();
    assert_eq!(signer.certificate(), &id.certificate);
}

#[test]
fn bench_helpers_sign_and_verify() {
    use hocba_signing::bench;
    let signer = pki().identity(Role::School).signer().unwrap();
    let docs: Vec<Vec<u8>> = (0..4)
        .map(bench::sample_transcript_xml)
        .chain((0..2).map(bench::sample_transcript_pdf))
        .collect();
    let signed = bench::sign_documents(&signer, &docs).unwrap();
    assert_eq!(bench::verify_documents(&signed, &pki().trust_list()), 6);
    assert_eq!(
        bench::raw_signatures(&signer, &bench::digests(5)).unwrap(),
        5
    );
}
