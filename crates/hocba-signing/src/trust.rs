//! Trust lists and certificate path validation (RFC 5280 §6, simplified to
//! what a closed community of school CAs needs): a path from the signer's
//! certificate to a configured root, every certificate valid at the signing
//! time, CA flags and key usages, and revocation from configured CRLs.

use der::Decode;
use time::OffsetDateTime;

use crate::cert::{self, Certificate, x509_time};
use crate::error::SigningError;
use crate::report::SignatureStatus;

/// A certificate revocation list (RFC 5280 §5).
#[derive(Clone)]
pub struct Crl {
    der: Vec<u8>,
    parsed: Box<x509_cert::crl::CertificateList>,
}

impl std::fmt::Debug for Crl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Crl")
            .field("issuer", &self.issuer())
            .field("entries", &self.revoked_count())
            .finish()
    }
}

impl Crl {
    pub fn from_der(der: &[u8]) -> Result<Self, SigningError> {
        let parsed = x509_cert::crl::CertificateList::from_der(der)
            .map_err(|e| SigningError::Certificate(format!("CRL: {e}")))?;
        Ok(Self {
            der: der.to_vec(),
            parsed: Box::new(parsed),
        })
    }

    pub fn issuer(&self) -> String {
        cert::name_to_string(&self.parsed.tbs_cert_list.issuer)
    }

    pub fn revoked_count(&self) -> usize {
        self.parsed
            .tbs_cert_list
            .revoked_certificates
            .as_ref()
            .map_or(0, Vec::len)
    }

    pub fn this_update(&self) -> OffsetDateTime {
        x509_time(self.parsed.tbs_cert_list.this_update)
    }

    fn issuer_der(&self) -> Vec<u8> {
        use der::Encode;
        self.parsed
            .tbs_cert_list
            .issuer
            .to_der()
            .unwrap_or_default()
    }

    fn is_signed_by(&self, issuer: &Certificate) -> bool {
        let Ok(outer) = crate::asn1::parse_one(&self.der) else {
            return false;
        };
        let mut r = outer.reader();
        let Ok(tbs) = r.next_tag(crate::asn1::SEQUENCE) else {
            return false;
        };
        cert::verify_with_cert_key(
            issuer,
            &self.parsed.signature_algorithm.oid.to_string(),
            tbs.raw,
            self.parsed.signature.raw_bytes(),
        )
    }

    /// The revocation date if `serial` is listed.
    fn revocation_of(&self, serial: &[u8]) -> Option<OffsetDateTime> {
        self.parsed
            .tbs_cert_list
            .revoked_certificates
            .as_ref()?
            .iter()
            .find(|r| r.serial_number.as_bytes() == serial)
            .map(|r| x509_time(r.revocation_date))
    }
}

/// The roots a verifier trusts, and the CRLs it knows.
#[derive(Debug, Clone, Default)]
pub struct TrustList {
    anchors: Vec<Certificate>,
    crls: Vec<Crl>,
    /// Refuse signatures whose revocation status cannot be checked.
    pub require_revocation_info: bool,
}

/// A validated path.
#[derive(Debug, Clone)]
pub(crate) struct ValidPath {
    /// Leaf first, the trust anchor last.
    #[allow(dead_code)]
    pub path: Vec<Certificate>,
    /// Notes for the report (e.g. no CRL for an issuer).
    pub notes: Vec<String>,
}

/// Why a path did not validate.
#[derive(Debug, Clone)]
pub(crate) struct PathProblem {
    pub status: SignatureStatus,
    pub reason: String,
}

fn problem(status: SignatureStatus, reason: impl Into<String>) -> PathProblem {
    PathProblem {
        status,
        reason: reason.into(),
    }
}

const MAX_DEPTH: usize = 6;

impl TrustList {
    pub fn new(anchors: Vec<Certificate>) -> Self {
        Self {
            anchors,
            crls: Vec::new(),
            require_revocation_info: false,
        }
    }

    /// A trust list from a PEM file of root certificates.
    pub fn from_pem(pem: &str) -> Result<Self, SigningError> {
        let anchors = Certificate::all_from_pem(pem)?;
        if anchors.is_empty() {
            return Err(SigningError::Certificate(
                "the trust list holds no certificate".into(),
            ));
        }
        Ok(Self::new(anchors))
    }

    pub fn anchors(&self) -> &[Certificate] {
        &self.anchors
    }

    pub fn crls(&self) -> &[Crl] {
        &self.crls
    }

    pub fn add_anchor(&mut self, c: Certificate) {
        self.anchors.push(c);
    }

    pub fn add_crl_der(&mut self, der: &[u8]) -> Result<(), SigningError> {
        self.crls.push(Crl::from_der(der)?);
        Ok(())
    }

    /// Adds every `X509 CRL` block of a PEM text, or a DER CRL.
    pub fn add_crl_file(&mut self, bytes: &[u8]) -> Result<(), SigningError> {
        if bytes.starts_with(b"-----") {
            let text = std::str::from_utf8(bytes)
                .map_err(|_| SigningError::Certificate("CRL PEM is not UTF-8".into()))?;
            for der in cert::pem_blocks(text, "X509 CRL")? {
                self.add_crl_der(&der)?;
            }
            Ok(())
        } else {
            self.add_crl_der(bytes)
        }
    }

    /// Validates the path from `leaf` (helped by `intermediates`) to a trust
    /// anchor at time `at` (the signing time).
    pub(crate) fn validate(
        &self,
        leaf: &Certificate,
        intermediates: &[Certificate],
        at: OffsetDateTime,
    ) -> Result<ValidPath, PathProblem> {
        let mut path = vec![leaf.clone()];
        loop {
            let current = path.last().expect("non-empty");
            if let Some(anchor) = self
                .anchors
                .iter()
                .find(|a| a.subject_der() == current.issuer_der() && current.is_signed_by(a))
            {
                path.push(anchor.clone());
                break;
            }
            if path.len() >= MAX_DEPTH {
                return Err(problem(
                    SignatureStatus::Untrusted,
                    "certificate path too long",
                ));
            }
            let next = intermediates.iter().find(|c| {
                c.subject_der() == current.issuer_der()
                    && !path.contains(c)
                    && current.is_signed_by(c)
            });
            match next {
                Some(c) => path.push(c.clone()),
                None => {
                    return Err(problem(
                        SignatureStatus::Untrusted,
                        format!(
                            "no path to a trusted root: issuer \"{}\" of \"{}\" is not in the \
                             signature or the trust list",
                            current.issuer(),
                            current.display_name()
                        ),
                    ));
                }
            }
        }

        for c in &path {
            if !c.is_valid_at(at) {
                return Err(problem(
                    SignatureStatus::NotValidAtSigningTime,
                    format!(
                        "certificate \"{}\" is valid from {} to {}, not at the signing time {}",
                        c.display_name(),
                        crate::report::fmt_time(c.not_before()),
                        crate::report::fmt_time(c.not_after()),
                        crate::report::fmt_time(at)
                    ),
                ));
            }
        }
        for c in &path[1..] {
            if !c.is_ca() || !c.allows_cert_signing() {
                return Err(problem(
                    SignatureStatus::Untrusted,
                    format!("\"{}\" is not a certificate authority", c.display_name()),
                ));
            }
        }
        if !leaf.allows_document_signing() {
            return Err(problem(
                SignatureStatus::Invalid,
                format!(
                    "the key usage of \"{}\" does not allow signing documents",
                    leaf.display_name()
                ),
            ));
        }

        let mut notes = Vec::new();
        for pair in path.windows(2) {
            let (subject, issuer) = (&pair[0], &pair[1]);
            let crls: Vec<&Crl> = self
                .crls
                .iter()
                .filter(|crl| {
                    crl.issuer_der() == issuer.subject_der()
                        && issuer.allows_crl_signing()
                        && crl.is_signed_by(issuer)
                })
                .collect();
            if crls.is_empty() {
                let note = format!(
                    "revocation of \"{}\" not checked: no CRL from \"{}\"",
                    subject.display_name(),
                    issuer.display_name()
                );
                if self.require_revocation_info {
                    return Err(problem(SignatureStatus::Indeterminate, note));
                }
                // Certificates issued directly by a root are the CAs
                // themselves; only note leaves.
                if std::ptr::eq(subject, &path[0]) {
                    notes.push(note);
                }
                continue;
            }
            if let Some(date) = crls
                .iter()
                .find_map(|crl| crl.revocation_of(subject.serial_bytes()))
            {
                return Err(problem(
                    SignatureStatus::Revoked,
                    format!(
                        "certificate \"{}\" (serial {}) was revoked on {} (CRL of \"{}\")",
                        subject.display_name(),
                        subject.serial_hex(),
                        crate::report::fmt_time(date),
                        issuer.display_name()
                    ),
                ));
            }
        }
        Ok(ValidPath { path, notes })
    }
}
