//! Hardware tokens (USB tokens of Vietnamese CAs, SoftHSM2 in tests)
//! through PKCS#11 v2.40 (the `cryptoki` crate).
//!
//! The token signs digests: RSA with `CKM_RSA_PKCS` over a DER `DigestInfo`
//! (RFC 8017 §9.2: the PKCS#1 v1.5 encoding of SHA-256), ECDSA with
//! `CKM_ECDSA` over the SHA-256 digest (the token returns `r || s`). A batch
//! opens one session and logs in once: one PIN entry.

use std::path::{Path, PathBuf};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, CertificateType, KeyType, ObjectClass};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;

use crate::asn1;
use crate::cert::{Certificate, OID_P256};
use crate::error::SigningError;
use crate::signer::{DigestBytes, SignatureAlgorithm, Signer, SignerKind};

/// `DigestInfo` prefix for SHA-256 (RFC 8017 §9.2, note 1).
const SHA256_DIGEST_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

fn token_err(context: &str, e: CkError) -> SigningError {
    match e {
        CkError::Pkcs11(RvError::PinIncorrect, _) => {
            SigningError::Token("wrong PIN (the token counts failed attempts)".into())
        }
        CkError::Pkcs11(RvError::PinLocked, _) => {
            SigningError::Token("the token's PIN is locked".into())
        }
        other => SigningError::Token(format!("{context}: {other}")),
    }
}

/// Where the module (the vendor's PKCS#11 library) usually lives for SoftHSM2.
pub fn softhsm_module() -> Option<PathBuf> {
    [
        "/usr/lib/softhsm/libsofthsm2.so",
        "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
        "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
        "/usr/local/lib/softhsm/libsofthsm2.so",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.is_file())
}

/// An open PKCS#11 module and the slot of one token.
pub struct Token {
    ctx: Pkcs11,
    slot: Slot,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token").field("slot", &self.slot).finish()
    }
}

impl Token {
    /// Loads `module` and finds the token labelled `label`.
    pub fn open(module: &Path, label: &str) -> Result<Self, SigningError> {
        let ctx = Pkcs11::new(module).map_err(|e| token_err("loading the PKCS#11 module", e))?;
        match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
            Ok(()) => {}
            Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
            Err(e) => return Err(token_err("initialising the module", e)),
        }
        let slots = ctx
            .get_slots_with_token()
            .map_err(|e| token_err("listing slots", e))?;
        let slot = slots
            .into_iter()
            .find(|s| {
                ctx.get_token_info(*s)
                    .map(|i| i.label().trim() == label)
                    .unwrap_or(false)
            })
            .ok_or_else(|| SigningError::Token(format!("no token labelled \"{label}\"")))?;
        Ok(Self { ctx, slot })
    }

    fn session(&self, pin: &str, rw: bool) -> Result<Session, SigningError> {
        let s = if rw {
            self.ctx.open_rw_session(self.slot)
        } else {
            self.ctx.open_ro_session(self.slot)
        }
        .map_err(|e| token_err("opening a session", e))?;
        s.login(UserType::User, Some(&AuthPin::from(pin.to_string())))
            .map_err(|e| token_err("logging in", e))?;
        Ok(s)
    }

    /// Generates a key pair on the token (the private key never leaves it)
    /// and returns the public key as `subjectPublicKey` content.
    pub fn generate_key_pair(
        &self,
        pin: &str,
        id: &[u8],
        label: &str,
        algorithm: SignatureAlgorithm,
    ) -> Result<Vec<u8>, SigningError> {
        let s = self.session(pin, true)?;
        let common = |private: bool| {
            vec![
                Attribute::Token(true),
                Attribute::Private(private),
                Attribute::Id(id.to_vec()),
                Attribute::Label(label.as_bytes().to_vec()),
            ]
        };
        let mut public_t = common(false);
        public_t.push(Attribute::Verify(true));
        let mut private_t = common(true);
        private_t.extend([Attribute::Sign(true), Attribute::Sensitive(true)]);
        let mechanism = match algorithm {
            SignatureAlgorithm::RsaPkcs1Sha256 => {
                public_t.extend([
                    Attribute::ModulusBits(2048.into()),
                    Attribute::PublicExponent(vec![1, 0, 1]),
                ]);
                Mechanism::RsaPkcsKeyPairGen
            }
            SignatureAlgorithm::EcdsaP256Sha256 => {
                public_t.push(Attribute::EcParams(asn1::oid(OID_P256)));
                Mechanism::EccKeyPairGen
            }
        };
        let (public, _private) = s
            .generate_key_pair(&mechanism, &public_t, &private_t)
            .map_err(|e| token_err("generating a key pair", e))?;
        let attrs = s
            .get_attributes(
                public,
                &[
                    AttributeType::Modulus,
                    AttributeType::PublicExponent,
                    AttributeType::EcPoint,
                ],
            )
            .map_err(|e| token_err("reading the public key", e))?;
        let (mut n, mut e, mut point) = (None, None, None);
        for a in attrs {
            match a {
                Attribute::Modulus(v) => n = Some(v),
                Attribute::PublicExponent(v) => e = Some(v),
                Attribute::EcPoint(v) => point = Some(v),
                _ => {}
            }
        }
        match algorithm {
            SignatureAlgorithm::RsaPkcs1Sha256 => {
                let (n, e) = n.zip(e).ok_or_else(|| {
                    SigningError::Token("the token did not return the RSA public key".into())
                })?;
                Ok(asn1::seq(&[&asn1::uint_bytes(&n), &asn1::uint_bytes(&e)]))
            }
            SignatureAlgorithm::EcdsaP256Sha256 => {
                let p = point.ok_or_else(|| {
                    SigningError::Token("the token did not return the EC point".into())
                })?;
                // CKA_EC_POINT is a DER OCTET STRING holding the point.
                Ok(match asn1::parse_one(&p) {
                    Ok(t) if t.tag == asn1::OCTET_STRING && t.content.len() == 65 => {
                        t.content.to_vec()
                    }
                    _ => p,
                })
            }
        }
    }

    /// Stores a certificate on the token next to the key with the same id.
    pub fn store_certificate(
        &self,
        pin: &str,
        id: &[u8],
        label: &str,
        cert: &Certificate,
    ) -> Result<(), SigningError> {
        let s = self.session(pin, true)?;
        s.create_object(&[
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::Id(id.to_vec()),
            Attribute::Label(label.as_bytes().to_vec()),
            Attribute::Subject(cert.subject_der()),
            Attribute::Value(cert.der().to_vec()),
        ])
        .map_err(|e| token_err("storing the certificate", e))?;
        Ok(())
    }

    /// The certificates stored on the token (any id).
    pub fn certificates(&self) -> Result<Vec<(Vec<u8>, Certificate)>, SigningError> {
        let s = self
            .ctx
            .open_ro_session(self.slot)
            .map_err(|e| token_err("opening a session", e))?;
        let handles = s
            .find_objects(&[Attribute::Class(ObjectClass::CERTIFICATE)])
            .map_err(|e| token_err("listing certificates", e))?;
        let mut out = Vec::new();
        for h in handles {
            let attrs = s
                .get_attributes(h, &[AttributeType::Id, AttributeType::Value])
                .map_err(|e| token_err("reading a certificate", e))?;
            let mut id = Vec::new();
            let mut value = None;
            for a in attrs {
                match a {
                    Attribute::Id(v) => id = v,
                    Attribute::Value(v) => value = Some(v),
                    _ => {}
                }
            }
            if let Some(v) = value {
                out.push((id, Certificate::from_der(&v)?));
            }
        }
        Ok(out)
    }
}

/// A signer whose key is on a hardware token (`SignerKind::Token`).
pub struct TokenSigner {
    token: Token,
    pin: AuthPin,
    key_id: Vec<u8>,
    chain: Vec<Certificate>,
    algorithm: SignatureAlgorithm,
}

impl std::fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSigner")
            .field("certificate", &self.chain.first())
            .field("pin", &"<redacted>")
            .finish()
    }
}

impl TokenSigner {
    /// A signer for the key with `key_id` on `token`. The certificate is
    /// read from the token (same id); `issuers` completes the chain (the
    /// issuing CA; the root is not needed).
    pub fn new(
        token: Token,
        pin: &str,
        key_id: &[u8],
        issuers: Vec<Certificate>,
    ) -> Result<Self, SigningError> {
        let certs = token.certificates()?;
        let leaf = certs
            .into_iter()
            .find(|(id, _)| id == key_id)
            .map(|(_, c)| c)
            .ok_or_else(|| {
                SigningError::Token("no certificate on the token for this key id".into())
            })?;
        let algorithm = leaf.signature_algorithm().ok_or_else(|| {
            SigningError::Token("the certificate's key type is not supported".into())
        })?;
        let mut chain = vec![leaf];
        chain.extend(issuers);
        let signer = Self {
            token,
            pin: AuthPin::from(pin.to_string()),
            key_id: key_id.to_vec(),
            chain,
            algorithm,
        };
        Ok(signer)
    }
}

impl Signer for TokenSigner {
    fn kind(&self) -> SignerKind {
        SignerKind::Token
    }

    fn certificate_chain(&self) -> &[Certificate] {
        &self.chain
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    fn sign_digests(&self, digests: &[DigestBytes]) -> Result<Vec<Vec<u8>>, SigningError> {
        let s = self
            .token
            .ctx
            .open_ro_session(self.token.slot)
            .map_err(|e| token_err("opening a session", e))?;
        // One login (one PIN entry) for the whole batch.
        s.login(UserType::User, Some(&self.pin))
            .map_err(|e| token_err("logging in", e))?;
        let key = s
            .find_objects(&[
                Attribute::Class(ObjectClass::PRIVATE_KEY),
                Attribute::Id(self.key_id.clone()),
            ])
            .map_err(|e| token_err("finding the private key", e))?
            .into_iter()
            .next()
            .ok_or_else(|| SigningError::Token("the private key is not on the token".into()))?;
        let key_type = s
            .get_attributes(key, &[AttributeType::KeyType])
            .map_err(|e| token_err("reading the key type", e))?;
        let expected = match self.algorithm {
            SignatureAlgorithm::RsaPkcs1Sha256 => KeyType::RSA,
            SignatureAlgorithm::EcdsaP256Sha256 => KeyType::EC,
        };
        if !key_type.contains(&Attribute::KeyType(expected)) {
            return Err(SigningError::Token(
                "the key on the token does not match the certificate".into(),
            ));
        }
        let mut out = Vec::with_capacity(digests.len());
        for d in digests {
            let sig = match self.algorithm {
                SignatureAlgorithm::RsaPkcs1Sha256 => {
                    let mut info = SHA256_DIGEST_INFO.to_vec();
                    info.extend_from_slice(d);
                    s.sign(&Mechanism::RsaPkcs, key, &info)
                }
                SignatureAlgorithm::EcdsaP256Sha256 => s.sign(&Mechanism::Ecdsa, key, d),
            }
            .map_err(|e| token_err("signing", e))?;
            out.push(sig);
        }
        let _ = s.logout();
        Ok(out)
    }
}
