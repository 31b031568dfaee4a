//! Digital signatures on digital transcripts (học bạ số).
//!
//! - [`pki`]: a generated test PKI (root CA → issuing CA → teachers, leaders,
//!   schools; RSA-2048 and ECDSA P-256; a CRL; PKCS#12 key files).
//! - [`Signer`]: whoever holds the key — a key file ([`KeyFileSigner`]), a
//!   hardware token ([`pkcs11::TokenSigner`], `SignerKind::Token`) or a
//!   remote signing service ([`csc::RemoteSigner`], `SignerKind::Remote`).
//!   Signing is two-phase: hocba builds and hashes, the signer signs digests.
//! - [`xml`]: XAdES-BES on the XML data file (EN 319 132-1), several
//!   signatures in a fixed order, each covering the data and the earlier ones.
//! - [`pdf`]: PAdES baseline B (EN 319 142-1) on the PDF, one incremental
//!   update per signer.
//! - [`verify_file`]: checks every signature of an XML or PDF against a
//!   [`TrustList`] and returns a [`Report`].
//!
//! One crypto provider is used for our own signing and verification:
//! aws-lc-rs.

mod asn1;
pub mod bench;
mod cert;
mod cms;
#[cfg(feature = "csc")]
pub mod csc;
mod error;
pub mod pdf;
pub mod pkcs11;
pub mod pkcs12;
pub mod pki;
mod report;
mod signer;
mod trust;
pub mod xml;

pub use cert::{Certificate, HolderKind, OrgCertificate};
pub use error::SigningError;
pub use report::{DocumentKind, Report, SignatureReport, SignatureStatus, fmt_time};
pub use signer::{DigestBytes, KeyFileSigner, SignatureAlgorithm, Signer, SignerKind};
pub use trust::{Crl, TrustList};

use time::OffsetDateTime;

/// Options shared by XML and PDF signatures.
#[derive(Debug, Clone, Default)]
pub struct SignOptions {
    /// The claimed signing time; now if `None`.
    pub signing_time: Option<OffsetDateTime>,
    /// The signer's role, e.g. "Giáo viên chủ nhiệm" (XAdES `ClaimedRole`,
    /// PDF `/Reason`).
    pub role: Option<String>,
    /// Place of signing (PDF `/Location`), e.g. "Hà Nội".
    pub location: Option<String>,
}

impl SignOptions {
    fn xml(&self) -> xml::XmlSignOptions {
        xml::XmlSignOptions {
            signing_time: self.signing_time,
            role: self.role.clone(),
        }
    }

    fn pdf(&self) -> pdf::PdfSignOptions {
        pdf::PdfSignOptions {
            signing_time: self.signing_time,
            reason: self.role.clone(),
            location: self.location.clone(),
        }
    }
}

/// A signature built up to its value, for either kind of document.
#[derive(Debug)]
pub enum Prepared {
    Xml(xml::Prepared),
    Pdf(pdf::Prepared),
}

impl Prepared {
    /// Phase one: builds the next signature of `document` for a signer with
    /// this certificate chain and algorithm.
    pub fn new(
        document: &[u8],
        kind: DocumentKind,
        chain: &[Certificate],
        algorithm: SignatureAlgorithm,
        options: &SignOptions,
    ) -> Result<Self, SigningError> {
        Ok(match kind {
            DocumentKind::Xml => {
                Prepared::Xml(xml::prepare(document, chain, algorithm, &options.xml())?)
            }
            DocumentKind::Pdf => {
                Prepared::Pdf(pdf::prepare(document, chain, algorithm, &options.pdf())?)
            }
        })
    }

    /// The SHA-256 digest the signer must sign.
    pub fn digest(&self) -> &DigestBytes {
        match self {
            Prepared::Xml(p) => p.digest(),
            Prepared::Pdf(p) => p.digest(),
        }
    }

    /// Phase two: inserts the signature value; returns the signed document.
    pub fn finish(self, signature_value: &[u8]) -> Result<Vec<u8>, SigningError> {
        match self {
            Prepared::Xml(p) => Ok(p.finish(signature_value)),
            Prepared::Pdf(p) => p.finish(signature_value),
        }
    }
}

/// Signs one document (XML or PDF) with the signer's next signature.
pub fn sign_file(
    signer: &dyn Signer,
    input: &[u8],
    kind: DocumentKind,
) -> Result<Vec<u8>, SigningError> {
    sign_file_with(signer, input, kind, &SignOptions::default())
}

/// [`sign_file`] with options.
pub fn sign_file_with(
    signer: &dyn Signer,
    input: &[u8],
    kind: DocumentKind,
    options: &SignOptions,
) -> Result<Vec<u8>, SigningError> {
    let mut out = sign_batch_with(signer, &[(kind, input)], options)?;
    Ok(out.remove(0))
}

/// Signs a batch of documents (kinds detected from content) with one
/// authorisation of the signer: one PIN entry, one phone confirmation.
pub fn sign_batch(signer: &dyn Signer, docs: &[&[u8]]) -> Result<Vec<Vec<u8>>, SigningError> {
    let items = docs
        .iter()
        .map(|d| {
            DocumentKind::detect(d)
                .map(|k| (k, *d))
                .ok_or(SigningError::UnknownDocumentKind)
        })
        .collect::<Result<Vec<_>, _>>()?;
    sign_batch_with(signer, &items, &SignOptions::default())
}

/// [`sign_batch`] with explicit kinds and options.
pub fn sign_batch_with(
    signer: &dyn Signer,
    docs: &[(DocumentKind, &[u8])],
    options: &SignOptions,
) -> Result<Vec<Vec<u8>>, SigningError> {
    let chain = signer.certificate_chain();
    let algorithm = signer.algorithm();
    // What the signatures share (certificates, their digests) is computed
    // once per batch, not once per document.
    let mut xml_signer = None;
    let mut pdf_signer = None;
    let xml_options = options.xml();
    let pdf_options = options.pdf();
    let prepared = docs
        .iter()
        .map(|(kind, bytes)| match kind {
            DocumentKind::Xml => {
                let s = match &xml_signer {
                    Some(s) => s,
                    None => xml_signer.insert(xml::XmlSigner::new(chain, algorithm)?),
                };
                Ok(Prepared::Xml(xml::prepare_with(bytes, s, &xml_options)?))
            }
            DocumentKind::Pdf => {
                let s = match &pdf_signer {
                    Some(s) => s,
                    None => pdf_signer
                        .insert(std::sync::Arc::new(pdf::PdfSigner::new(chain, algorithm)?)),
                };
                Ok(Prepared::Pdf(pdf::prepare_with(bytes, s, &pdf_options)?))
            }
        })
        .collect::<Result<Vec<_>, SigningError>>()?;
    let digests: Vec<DigestBytes> = prepared.iter().map(|p| *p.digest()).collect();
    let values = signer.sign_digests(&digests)?;
    signer::check_batch(digests.len(), &values)?;
    prepared
        .into_iter()
        .zip(values)
        .map(|(p, v)| p.finish(&v))
        .collect()
}

/// Verifies every signature of an XML or PDF document (detected by content).
pub fn verify_file(bytes: &[u8], trust: &TrustList) -> Report {
    match DocumentKind::detect(bytes) {
        Some(DocumentKind::Pdf) => pdf::verify(bytes, trust),
        Some(DocumentKind::Xml) => xml::verify(bytes, trust),
        None => {
            let mut r = Report::new(DocumentKind::Xml);
            r.problems
                .push("the file is neither an XML nor a PDF document".into());
            r
        }
    }
}
