//! Signers: whoever holds the private key. The server builds, canonicalises
//! and hashes; a signer only turns SHA-256 digests into signature values
//! (two-phase, "external" signing), so the key may live in a file, on a
//! hardware token or at a remote signing service.

use aws_lc_rs::digest::{self, Digest};
use aws_lc_rs::signature::{self as sig, EcdsaKeyPair, KeyPair, RsaKeyPair};

use crate::cert::Certificate;
use crate::error::SigningError;

/// A SHA-256 digest to be signed.
pub type DigestBytes = [u8; 32];

/// The signature algorithms hocba signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    /// RSA PKCS#1 v1.5 with SHA-256.
    RsaPkcs1Sha256,
    /// ECDSA on P-256 with SHA-256.
    EcdsaP256Sha256,
}

impl SignatureAlgorithm {
    /// `SignatureMethod` URI (RFC 6931 §2.3.2 / §2.3.6).
    pub fn xml_uri(self) -> &'static str {
        match self {
            Self::RsaPkcs1Sha256 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            Self::EcdsaP256Sha256 => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
        }
    }

    pub fn from_xml_uri(uri: &str) -> Option<Self> {
        [Self::RsaPkcs1Sha256, Self::EcdsaP256Sha256]
            .into_iter()
            .find(|a| a.xml_uri() == uri)
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::RsaPkcs1Sha256 => "RSA PKCS#1 v1.5 SHA-256",
            Self::EcdsaP256Sha256 => "ECDSA P-256 SHA-256",
        }
    }

    /// Verifies a signature value in this crate's format (RSA: PKCS#1 v1.5
    /// bytes; ECDSA: fixed `r || s`) over a message.
    pub(crate) fn verify(self, public_key_bits: &[u8], message: &[u8], signature: &[u8]) -> bool {
        let alg: &dyn sig::VerificationAlgorithm = match self {
            Self::RsaPkcs1Sha256 => &sig::RSA_PKCS1_2048_8192_SHA256,
            Self::EcdsaP256Sha256 => &sig::ECDSA_P256_SHA256_FIXED,
        };
        sig::UnparsedPublicKey::new(alg, public_key_bits)
            .verify(message, signature)
            .is_ok()
    }
}

/// Where a signer's key lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignerKind {
    /// A software key file (PKCS#12), for development and tests.
    KeyFile,
    /// A hardware token (USB token) reached through PKCS#11.
    Token,
    /// Remote signing (ký số từ xa) through the Cloud Signature Consortium
    /// API, confirmed by the holder on a phone.
    Remote,
}

/// Whoever holds the private key.
///
/// Signature values are returned in one format whatever the key: RSA
/// PKCS#1 v1.5 bytes, or ECDSA as fixed-size `r || s` (the XMLDSig form,
/// RFC 4051 §3.3; CMS gets the DER form from the caller).
pub trait Signer: Send + Sync {
    fn kind(&self) -> SignerKind;

    /// The signer's certificate first, then its issuers (without the root).
    fn certificate_chain(&self) -> &[Certificate];

    fn algorithm(&self) -> SignatureAlgorithm;

    /// Signs a batch of SHA-256 digests with one authorisation: one PIN
    /// entry on a token, one confirmation on the phone for remote signing.
    fn sign_digests(&self, digests: &[DigestBytes]) -> Result<Vec<Vec<u8>>, SigningError>;

    /// Signs one digest.
    fn sign_digest(&self, digest: &DigestBytes) -> Result<Vec<u8>, SigningError> {
        let mut out = self.sign_digests(std::slice::from_ref(digest))?;
        match out.len() {
            1 => Ok(out.remove(0)),
            got => Err(SigningError::BatchMismatch { expected: 1, got }),
        }
    }

    /// The signer's own certificate.
    fn certificate(&self) -> &Certificate {
        &self.certificate_chain()[0]
    }
}

impl<S: Signer + ?Sized> Signer for &S {
    fn kind(&self) -> SignerKind {
        (**self).kind()
    }
    fn certificate_chain(&self) -> &[Certificate] {
        (**self).certificate_chain()
    }
    fn algorithm(&self) -> SignatureAlgorithm {
        (**self).algorithm()
    }
    fn sign_digests(&self, digests: &[DigestBytes]) -> Result<Vec<Vec<u8>>, SigningError> {
        (**self).sign_digests(digests)
    }
}

/// Checks a signer's output count against the batch (a misbehaving token or
/// service must not make us pair signatures with the wrong documents).
pub(crate) fn check_batch(expected: usize, got: &[Vec<u8>]) -> Result<(), SigningError> {
    if got.len() == expected {
        Ok(())
    } else {
        Err(SigningError::BatchMismatch {
            expected,
            got: got.len(),
        })
    }
}

enum SoftKey {
    Rsa(RsaKeyPair),
    Ecdsa(EcdsaKeyPair),
}

/// A software key (from a PKCS#12 file), signing with aws-lc-rs.
pub struct KeyFileSigner {
    key: SoftKey,
    chain: Vec<Certificate>,
    algorithm: SignatureAlgorithm,
}

impl std::fmt::Debug for KeyFileSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyFileSigner")
            .field("certificate", &self.chain.first())
            .field("algorithm", &self.algorithm)
            .finish()
    }
}

impl KeyFileSigner {
    /// Opens a PKCS#12 key file with its password.
    pub fn from_pkcs12(p12: &[u8], password: &str) -> Result<Self, SigningError> {
        let contents = crate::pkcs12::read(p12, password)?;
        Self::from_pkcs8(&contents.private_key_pkcs8, contents.certificates)
    }

    /// A signer from a PKCS#8 private key and certificates (any order; the
    /// one matching the key becomes the leaf).
    pub fn from_pkcs8(pkcs8: &[u8], certificates: Vec<Certificate>) -> Result<Self, SigningError> {
        let (key, public) = if let Ok(k) = RsaKeyPair::from_pkcs8(pkcs8) {
            let public = k.public_key().as_ref().to_vec();
            (SoftKey::Rsa(k), public)
        } else if let Ok(k) = EcdsaKeyPair::from_pkcs8(&sig::ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8)
        {
            let public = k.public_key().as_ref().to_vec();
            (SoftKey::Ecdsa(k), public)
        } else {
            return Err(SigningError::KeyFile(
                "private key is neither RSA nor ECDSA P-256".into(),
            ));
        };
        let pos = certificates
            .iter()
            .position(|c| c.public_key_bits() == public.as_slice())
            .ok_or_else(|| {
                SigningError::KeyFile("no certificate in the file matches the private key".into())
            })?;
        let mut others = certificates;
        let leaf = others.remove(pos);
        let algorithm = leaf.signature_algorithm().ok_or_else(|| {
            SigningError::KeyFile("the certificate's key type is not supported".into())
        })?;
        // The root is not sent along in signatures; verifiers bring their own.
        let chain: Vec<Certificate> = crate::cert::order_chain(leaf, others)
            .into_iter()
            .filter(|c| c.subject_der() != c.issuer_der())
            .collect();
        Ok(Self {
            key,
            chain,
            algorithm,
        })
    }

    /// Signs a message directly (the whole hash-then-sign in aws-lc).
    pub fn sign_message(&self, message: &[u8]) -> Result<Vec<u8>, SigningError> {
        let d = digest::digest(&digest::SHA256, message);
        let mut buf = [0u8; 32];
        buf.copy_from_slice(d.as_ref());
        self.sign_digest(&buf)
    }
}

impl Signer for KeyFileSigner {
    fn kind(&self) -> SignerKind {
        SignerKind::KeyFile
    }

    fn certificate_chain(&self) -> &[Certificate] {
        &self.chain
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    fn sign_digests(&self, digests: &[DigestBytes]) -> Result<Vec<Vec<u8>>, SigningError> {
        let mut out = Vec::with_capacity(digests.len());
        for d in digests {
            let d = Digest::import_less_safe(d, &digest::SHA256)?;
            out.push(match &self.key {
                SoftKey::Rsa(k) => {
                    let mut s = vec![0u8; k.public_modulus_len()];
                    k.sign_digest(&sig::RSA_PKCS1_SHA256, &d, &mut s)?;
                    s
                }
                SoftKey::Ecdsa(k) => k.sign_digest(&d)?.as_ref().to_vec(),
            });
        }
        Ok(out)
    }
}
