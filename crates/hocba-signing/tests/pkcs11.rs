//! Hardware-token signing through PKCS#11 against SoftHSM2: a token with a
//! PIN in a temporary directory, keys generated on the token, certificates
//! issued by the test PKI and stored on the token, batch signing with one
//! login. With CI=true a missing SoftHSM2 fails the test.
//!
//! SoftHSM2 reads its configuration from SOFTHSM2_CONF when the module is
//! initialised. The workspace forbids `unsafe`, so instead of setting the
//! variable in-process the test re-runs this test binary as a child process
//! with the variable set (`token_child`, which does nothing otherwise).

mod common;

use std::process::Command;

use common::{pki, sample_xml, temp_dir, tool};
use hocba_signing::pkcs11::{Token, TokenSigner, softhsm_module};
use hocba_signing::{
    DocumentKind, SignatureAlgorithm, Signer, SignerKind, pdf, sign_batch, verify_file,
};

const PIN: &str = "1234";
const CHILD_ENV: &str = "HOCBA_TEST_SOFTHSM_MODULE";

#[test]
fn token_signing_with_softhsm2() {
    let Some(util) = tool("softhsm2-util", "softhsm2") else {
        return;
    };
    let Some(module) = softhsm_module() else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("libsofthsm2.so is required in CI: apt-get install softhsm2");
        }
        eprintln!("SKIPPED: libsofthsm2.so not found");
        return;
    };
    let dir = temp_dir("softhsm");
    let tokens = dir.join("tokens");
    std::fs::create_dir_all(&tokens).unwrap();
    let conf = dir.join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            tokens.display()
        ),
    )
    .unwrap();
    let out = Command::new(&util)
        .env("SOFTHSM2_CONF", &conf)
        .args([
            "--init-token",
            "--free",
            "--label",
            "hocba",
            "--pin",
            PIN,
            "--so-pin",
            "5678",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = Command::new(std::env::current_exe().unwrap())
        .env("SOFTHSM2_CONF", &conf)
        .env(CHILD_ENV, &module)
        .args(["--exact", "token_child", "--nocapture", "--test-threads=1"])
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{text}");
    assert!(out.status.success(), "child failed:\n{text}");
    assert!(
        text.contains("1 passed"),
        "the child test did not run:\n{text}"
    );
}

/// Runs only as the child of `token_signing_with_softhsm2`.
#[test]
fn token_child() {
    let Some(module) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let token = Token::open(module.as_ref(), "hocba").unwrap();

    // Keys are generated on the token; the CA certifies their public keys.
    let rsa_pub = token
        .generate_key_pair(
            PIN,
            b"rsa",
            "Nguyễn Thị Hương",
            SignatureAlgorithm::RsaPkcs1Sha256,
        )
        .unwrap();
    let ec_pub = token
        .generate_key_pair(
            PIN,
            b"ec",
            "Trần Văn Đức",
            SignatureAlgorithm::EcdsaP256Sha256,
        )
        .unwrap();
    let rsa_cert = pki()
        .issue_for_public_key(
            &rsa_pub,
            SignatureAlgorithm::RsaPkcs1Sha256,
            "Nguyễn Thị Hương",
            "CCCD:001190012345",
        )
        .unwrap();
    let ec_cert = pki()
        .issue_for_public_key(
            &ec_pub,
            SignatureAlgorithm::EcdsaP256Sha256,
            "Trần Văn Đức",
            "CCCD:001088054321",
        )
        .unwrap();
    token
        .store_certificate(PIN, b"rsa", "Nguyễn Thị Hương", &rsa_cert)
        .unwrap();
    token
        .store_certificate(PIN, b"ec", "Trần Văn Đức", &ec_cert)
        .unwrap();
    assert_eq!(token.certificates().unwrap().len(), 2);

    let issuers = vec![pki().issuing_ca.clone()];
    let module: &std::path::Path = module.as_ref();
    let trust = pki().trust_list();
    let xml = sample_xml();
    let pdf_doc = pdf::sample_pdf("Hoc ba 10A1");

    let mut xml_signed = xml.clone();
    let mut pdf_signed = pdf_doc.clone();
    for (id, name) in [
        (&b"rsa"[..], "Nguyễn Thị Hương"),
        (&b"ec"[..], "Trần Văn Đức"),
    ] {
        let signer = TokenSigner::new(
            Token::open(module, "hocba").unwrap(),
            PIN,
            id,
            issuers.clone(),
        )
        .unwrap();
        assert_eq!(signer.kind(), SignerKind::Token);
        assert_eq!(signer.certificate().display_name(), name);
        // One login signs both documents.
        let out = sign_batch(&signer, &[&xml_signed, &pdf_signed]).unwrap();
        xml_signed = out[0].clone();
        pdf_signed = out[1].clone();
    }
    for doc in [&xml_signed, &pdf_signed] {
        let r = verify_file(doc, &trust);
        assert!(r.is_valid(), "{r}");
        assert_eq!(r.signatures.len(), 2);
        assert_eq!(r.signatures[1].signer, "Trần Văn Đức");
    }
    println!("token signatures verified: XML and PDF, RSA and ECDSA");

    // A wrong PIN is refused with a clear error.
    let bad = TokenSigner::new(
        Token::open(module, "hocba").unwrap(),
        "0000",
        b"rsa",
        issuers,
    )
    .unwrap();
    let err = hocba_signing::sign_file(&bad, &xml, DocumentKind::Xml).unwrap_err();
    assert!(err.to_string().contains("wrong PIN"), "{err}");
}
