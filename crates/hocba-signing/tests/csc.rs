//! Remote signing through the CSC API v2 against the stand-in service:
//! the holder confirms on the "phone" (an API call), one confirmation signs
//! a batch, refusals, time-outs, wrong PIN and wrong token are errors.
#![cfg(feature = "csc")]

mod common;

use std::time::Duration;

use common::{pki, sample_xml};
use hocba_signing::csc::testing::{Credential, StandInCsc};
use hocba_signing::csc::{HttpTransport, RemoteSigner, list_credentials};
use hocba_signing::pki::Role;
use hocba_signing::{Signer, SignerKind, SigningError, pdf, sign_batch, verify_file};

const TOKEN: &str = "access-token-thu-nghiem";

fn service(multisign: usize) -> StandInCsc {
    let leader = pki().identity(Role::Leader);
    let school = pki().identity(Role::School);
    let cred = |id: &str, who: &hocba_signing::pki::Identity| Credential {
        id: id.to_string(),
        pin: Some("123456".into()),
        signer: who.signer().unwrap(),
        certificates: vec![
            who.certificate.clone(),
            pki().issuing_ca.clone(),
            pki().root.clone(),
        ],
        multisign,
    };
    StandInCsc::start(
        TOKEN,
        vec![
            cred("cred-hieu-truong", leader),
            cred("cred-truong", school),
        ],
    )
    .unwrap()
}

fn connect(s: &StandInCsc, id: Option<&str>, pin: &str) -> Result<RemoteSigner, SigningError> {
    let t = HttpTransport::new(&s.base_url(), TOKEN)?;
    RemoteSigner::connect(Box::new(t), id, Some(pin))
}

fn docs(n: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| {
            if i % 2 == 0 {
                String::from_utf8(sample_xml())
                    .unwrap()
                    .replace("10A1", &format!("10A{i}"))
                    .into_bytes()
            } else {
                pdf::sample_pdf(&format!("Hoc ba {i}"))
            }
        })
        .collect()
}

#[test]
fn one_phone_confirmation_signs_a_batch() {
    let s = service(10);
    let t = HttpTransport::new(&s.base_url(), TOKEN).unwrap();
    assert_eq!(
        list_credentials(&t).unwrap(),
        ["cred-hieu-truong", "cred-truong"]
    );
    let signer = connect(&s, None, "123456").unwrap();
    assert_eq!(signer.kind(), SignerKind::Remote);
    assert_eq!(signer.certificate().display_name(), "Phạm Quốc Bảo");
    assert_eq!(
        signer.certificate_chain().len(),
        2,
        "the root is not sent along"
    );

    let docs = docs(5);
    let refs: Vec<&[u8]> = docs.iter().map(Vec::as_slice).collect();
    let signed = std::thread::scope(|scope| {
        let phone = scope.spawn(|| s.answer_next(true, Duration::from_secs(20)));
        let signed = sign_batch(&signer, &refs).unwrap();
        assert_eq!(
            phone.join().unwrap().unwrap(),
            5,
            "one confirmation for 5 hashes"
        );
        signed
    });
    assert_eq!(s.authorizations(), 1);
    assert_eq!(s.signatures(), 5);
    for d in &signed {
        let r = verify_file(d, &pki().trust_list());
        assert!(r.is_valid(), "{r}");
        assert_eq!(r.signatures[0].signer, "Phạm Quốc Bảo");
    }

    // The school's RSA credential signs after the leader, in order.
    let school = connect(&s, Some("cred-truong"), "123456").unwrap();
    let refs: Vec<&[u8]> = signed.iter().map(Vec::as_slice).collect();
    let twice = std::thread::scope(|scope| {
        let phone = scope.spawn(|| s.answer_next(true, Duration::from_secs(20)));
        let out = sign_batch(&school, &refs).unwrap();
        phone.join().unwrap().unwrap();
        out
    });
    for d in &twice {
        let mut r = verify_file(d, &pki().trust_list());
        r.expect_signers(&["Phạm Quốc Bảo", "Trường THPT Trần Phú"]);
        assert!(r.is_valid(), "{r}");
    }
}

#[test]
fn batches_beyond_multisign_need_one_confirmation_per_chunk() {
    let s = service(2);
    let signer = connect(&s, None, "123456").unwrap();
    let docs = docs(5);
    let refs: Vec<&[u8]> = docs.iter().map(Vec::as_slice).collect();
    std::thread::scope(|scope| {
        let phone = scope.spawn(|| {
            (0..3)
                .map(|_| s.answer_next(true, Duration::from_secs(20)).unwrap())
                .collect::<Vec<_>>()
        });
        sign_batch(&signer, &refs).unwrap();
        assert_eq!(phone.join().unwrap(), [2, 2, 1]);
    });
    assert_eq!(s.authorizations(), 3);
}

#[test]
fn refusal_timeout_wrong_pin_and_wrong_token() {
    let s = service(10);
    let x = sample_xml();
    let signer = connect(&s, None, "123456").unwrap();
    let err = std::thread::scope(|scope| {
        let phone = scope.spawn(|| s.answer_next(false, Duration::from_secs(20)));
        let err = sign_batch(&signer, &[&x]).unwrap_err();
        phone.join().unwrap().unwrap();
        err
    });
    assert!(matches!(err, SigningError::NotConfirmed(_)), "{err}");

    let mut slow = connect(&s, None, "123456").unwrap();
    slow.confirm_timeout = Duration::from_millis(300);
    slow.poll_interval = Duration::from_millis(50);
    let err = sign_batch(&slow, &[&x]).unwrap_err();
    assert!(err.to_string().contains("no confirmation"), "{err}");

    let wrong_pin = connect(&s, None, "000000").unwrap();
    let err = sign_batch(&wrong_pin, &[&x]).unwrap_err();
    assert!(err.to_string().contains("invalid_pin"), "{err}");

    let t = HttpTransport::new(&s.base_url(), "not-the-token").unwrap();
    let err = RemoteSigner::connect(Box::new(t), None, None).unwrap_err();
    assert!(err.to_string().contains("invalid_token"), "{err}");
    assert_eq!(s.signatures(), 0);
}
