//! Typed errors of the signing crate.

use crate::asn1::Asn1Error;

/// Everything that can go wrong while signing or reading signing material.
///
/// Verification problems of a *document* are not errors: they are reported per
/// signature in a [`crate::Report`]. These errors mean an operation could not be
/// carried out at all.
#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    #[error("certificate could not be read: {0}")]
    Certificate(String),
    #[error("key file (PKCS#12) could not be opened: {0}")]
    KeyFile(String),
    #[error("wrong password for the key file")]
    WrongPassword,
    #[error("test PKI could not be generated: {0}")]
    Pki(String),
    #[error("XML document cannot be signed: {0}")]
    Xml(String),
    #[error("PDF document cannot be signed: {0}")]
    Pdf(String),
    #[error("CMS signature could not be built: {0}")]
    Cms(String),
    #[error("hardware token (PKCS#11): {0}")]
    Token(String),
    #[error("remote signing service (CSC): {0}")]
    Remote(String),
    #[error("the signer's confirmation was refused or timed out: {0}")]
    NotConfirmed(String),
    #[error("cryptographic operation failed: {0}")]
    Crypto(String),
    #[error("document is neither XML nor PDF")]
    UnknownDocumentKind,
    #[error("signer returned {got} signatures for {expected} digests")]
    BatchMismatch { expected: usize, got: usize },
    #[error("{0}")]
    Asn1(#[from] Asn1Error),
    #[error("file system: {0}")]
    Io(#[from] std::io::Error),
}

impl From<aws_lc_rs::error::Unspecified> for SigningError {
    fn from(_: aws_lc_rs::error::Unspecified) -> Self {
        SigningError::Crypto("aws-lc reported an unspecified error".into())
    }
}
