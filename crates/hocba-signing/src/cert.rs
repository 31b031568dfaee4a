//! X.509 certificates (RFC 5280) as this crate needs them: names with
//! Vietnamese text, validity, keys, and the raw DER pieces signatures refer to.

use std::fmt;

use aws_lc_rs::digest;
use der::{Decode, Encode};
use time::OffsetDateTime;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage};

use crate::asn1::{self, Reader};
use crate::error::SigningError;
use crate::signer::SignatureAlgorithm;

const OID_CN: &str = "2.5.4.3";
const OID_O: &str = "2.5.4.10";
const OID_OU: &str = "2.5.4.11";
const OID_TITLE: &str = "2.5.4.12";
const OID_C: &str = "2.5.4.6";
const OID_L: &str = "2.5.4.7";
const OID_ST: &str = "2.5.4.8";
const OID_UID: &str = "0.9.2342.19200300.100.1.1";
pub(crate) const OID_RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
pub(crate) const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
pub(crate) const OID_P256: &str = "1.2.840.10045.3.1.7";
pub(crate) const OID_P384: &str = "1.3.132.0.34";

/// Who a certificate belongs to, following the naming convention of
/// Vietnamese CAs: a personal certificate carries `UID=CCCD:<12-digit ID>`
/// (or `CMND:`), an organisation certificate `UID=MST:` (tax code) or `MNS:`
/// (budget-unit code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolderKind {
    Person,
    Organisation,
    Authority,
    Unknown,
}

/// A digital certificate (chứng thư số).
#[derive(Clone)]
pub struct Certificate {
    der: Vec<u8>,
    parsed: Box<x509_cert::Certificate>,
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.subject())
            .field("serial", &self.serial_hex())
            .finish()
    }
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}
impl Eq for Certificate {}

impl Certificate {
    pub fn from_der(der: &[u8]) -> Result<Self, SigningError> {
        let parsed = x509_cert::Certificate::from_der(der)
            .map_err(|e| SigningError::Certificate(e.to_string()))?;
        Ok(Self {
            der: der.to_vec(),
            parsed: Box::new(parsed),
        })
    }

    /// Reads every `CERTIFICATE` block of a PEM file.
    pub fn all_from_pem(pem: &str) -> Result<Vec<Self>, SigningError> {
        pem_blocks(pem, "CERTIFICATE")?
            .iter()
            .map(|d| Self::from_der(d))
            .collect()
    }

    pub fn der(&self) -> &[u8] {
        &self.der
    }

    pub fn to_pem(&self) -> String {
        to_pem("CERTIFICATE", &self.der)
    }

    fn tbs(&self) -> &x509_cert::TbsCertificate {
        &self.parsed.tbs_certificate
    }

    /// The subject as `CN=…, O=…, C=VN` (UTF-8, diacritics kept).
    pub fn subject(&self) -> String {
        name_to_string(&self.tbs().subject)
    }

    pub fn issuer(&self) -> String {
        name_to_string(&self.tbs().issuer)
    }

    pub fn common_name(&self) -> Option<String> {
        name_attr(&self.tbs().subject, OID_CN)
    }

    pub fn organisation(&self) -> Option<String> {
        name_attr(&self.tbs().subject, OID_O)
    }

    /// The `UID` attribute (`CCCD:…`, `MST:…`, `MNS:…`).
    pub fn uid(&self) -> Option<String> {
        name_attr(&self.tbs().subject, OID_UID)
    }

    /// The holder's display name: the common name, or the whole subject.
    pub fn display_name(&self) -> String {
        self.common_name().unwrap_or_else(|| self.subject())
    }

    pub fn holder_kind(&self) -> HolderKind {
        if self.is_ca() {
            return HolderKind::Authority;
        }
        match self.uid() {
            Some(u) if u.starts_with("CCCD:") || u.starts_with("CMND:") => HolderKind::Person,
            Some(u) if u.starts_with("MST:") || u.starts_with("MNS:") => HolderKind::Organisation,
            _ => HolderKind::Unknown,
        }
    }

    pub fn serial_hex(&self) -> String {
        hex(self.serial_bytes())
    }

    pub(crate) fn serial_bytes(&self) -> &[u8] {
        self.tbs().serial_number.as_bytes()
    }

    pub fn not_before(&self) -> OffsetDateTime {
        to_datetime(self.tbs().validity.not_before)
    }

    pub fn not_after(&self) -> OffsetDateTime {
        to_datetime(self.tbs().validity.not_after)
    }

    pub fn is_valid_at(&self, at: OffsetDateTime) -> bool {
        self.not_before() <= at && at <= self.not_after()
    }

    /// SHA-256 of the DER encoding (the certificate's fingerprint).
    pub fn sha256(&self) -> [u8; 32] {
        sha256(&self.der)
    }

    pub fn is_ca(&self) -> bool {
        matches!(self.tbs().get::<BasicConstraints>(), Ok(Some((_, bc))) if bc.ca)
    }

    /// Whether the key usage extension (if any) allows signing documents.
    pub fn allows_document_signing(&self) -> bool {
        match self.tbs().get::<KeyUsage>() {
            Ok(Some((_, ku))) => ku.digital_signature() || ku.non_repudiation(),
            Ok(None) => true,
            Err(_) => false,
        }
    }

    pub(crate) fn allows_cert_signing(&self) -> bool {
        match self.tbs().get::<KeyUsage>() {
            Ok(Some((_, ku))) => ku.key_cert_sign(),
            Ok(None) => true,
            Err(_) => false,
        }
    }

    pub(crate) fn allows_crl_signing(&self) -> bool {
        match self.tbs().get::<KeyUsage>() {
            Ok(Some((_, ku))) => ku.crl_sign(),
            Ok(None) => true,
            Err(_) => false,
        }
    }

    /// DER of the subject `Name`.
    pub(crate) fn subject_der(&self) -> Vec<u8> {
        self.tbs().subject.to_der().unwrap_or_default()
    }

    /// DER of the issuer `Name`.
    pub(crate) fn issuer_der(&self) -> Vec<u8> {
        self.tbs().issuer.to_der().unwrap_or_default()
    }

    /// The raw `TBSCertificate` bytes, exactly as signed.
    pub(crate) fn tbs_raw(&self) -> Result<&[u8], SigningError> {
        let outer = asn1::parse_one(&self.der)?;
        let mut r = outer.reader();
        Ok(r.next_tag(asn1::SEQUENCE)?.raw)
    }

    pub(crate) fn signature_algorithm_oid(&self) -> String {
        self.parsed.signature_algorithm.oid.to_string()
    }

    pub(crate) fn signature_bytes(&self) -> &[u8] {
        self.parsed.signature.raw_bytes()
    }

    /// The `subjectPublicKey` bits (an `RSAPublicKey` or an EC point).
    pub(crate) fn public_key_bits(&self) -> &[u8] {
        self.tbs()
            .subject_public_key_info
            .subject_public_key
            .raw_bytes()
    }

    /// Key type and curve, as `(algorithm OID, curve OID if EC)`.
    pub(crate) fn key_type(&self) -> (String, Option<String>) {
        let alg = &self.tbs().subject_public_key_info.algorithm;
        let curve = alg
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok())
            .map(|o| o.to_string());
        (alg.oid.to_string(), curve)
    }

    /// The document-signature algorithm that fits this certificate's key.
    pub fn signature_algorithm(&self) -> Option<SignatureAlgorithm> {
        match self.key_type() {
            (a, _) if a == OID_RSA_ENCRYPTION => Some(SignatureAlgorithm::RsaPkcs1Sha256),
            (a, Some(c)) if a == OID_EC_PUBLIC_KEY && c == OID_P256 => {
                Some(SignatureAlgorithm::EcdsaP256Sha256)
            }
            _ => None,
        }
    }

    /// Whether this certificate's signature verifies with `issuer`'s key.
    pub(crate) fn is_signed_by(&self, issuer: &Certificate) -> bool {
        let Ok(tbs) = self.tbs_raw() else {
            return false;
        };
        verify_with_cert_key(
            issuer,
            &self.signature_algorithm_oid(),
            tbs,
            self.signature_bytes(),
        )
    }
}

/// An organisation certificate (chứng thư số tổ chức) of a school: the one
/// that signs last, at issuance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgCertificate(Certificate);

impl OrgCertificate {
    pub fn certificate(&self) -> &Certificate {
        &self.0
    }
}

impl TryFrom<Certificate> for OrgCertificate {
    type Error = SigningError;
    fn try_from(c: Certificate) -> Result<Self, Self::Error> {
        if c.holder_kind() == HolderKind::Organisation {
            Ok(Self(c))
        } else {
            Err(SigningError::Certificate(format!(
                "{} is not an organisation certificate (UID must start with MST: or MNS:)",
                c.subject()
            )))
        }
    }
}

/// Verifies `signature` over `message` with the public key of `cert`, for the
/// X.509 signature algorithm `alg_oid` (certificates and CRLs).
pub(crate) fn verify_with_cert_key(
    cert: &Certificate,
    alg_oid: &str,
    message: &[u8],
    signature: &[u8],
) -> bool {
    use aws_lc_rs::signature as sig;
    let (key_alg, curve) = cert.key_type();
    let algorithm: &dyn sig::VerificationAlgorithm = match (alg_oid, key_alg.as_str()) {
        ("1.2.840.113549.1.1.11", OID_RSA_ENCRYPTION) => &sig::RSA_PKCS1_2048_8192_SHA256,
        ("1.2.840.113549.1.1.12", OID_RSA_ENCRYPTION) => &sig::RSA_PKCS1_2048_8192_SHA384,
        ("1.2.840.113549.1.1.13", OID_RSA_ENCRYPTION) => &sig::RSA_PKCS1_2048_8192_SHA512,
        ("1.2.840.10045.4.3.2", OID_EC_PUBLIC_KEY) => match curve.as_deref() {
            Some(OID_P256) => &sig::ECDSA_P256_SHA256_ASN1,
            Some(OID_P384) => &sig::ECDSA_P384_SHA256_ASN1,
            _ => return false,
        },
        ("1.2.840.10045.4.3.3", OID_EC_PUBLIC_KEY) => match curve.as_deref() {
            Some(OID_P256) => &sig::ECDSA_P256_SHA384_ASN1,
            Some(OID_P384) => &sig::ECDSA_P384_SHA384_ASN1,
            _ => return false,
        },
        _ => return false,
    };
    sig::UnparsedPublicKey::new(algorithm, cert.public_key_bits())
        .verify(message, signature)
        .is_ok()
}

fn to_datetime(t: x509_cert::time::Time) -> OffsetDateTime {
    let secs = t.to_unix_duration().as_secs() as i64;
    OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

pub(crate) fn x509_time(t: x509_cert::time::Time) -> OffsetDateTime {
    to_datetime(t)
}

fn attr_value(v: &der::Any) -> Option<String> {
    use der::{Tag, Tagged};
    match v.tag() {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::TeletexString => {
            String::from_utf8(v.value().to_vec()).ok()
        }
        Tag::BmpString => {
            let units: Vec<u16> = v
                .value()
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).ok()
        }
        _ => None,
    }
}

fn name_attr(name: &x509_cert::name::Name, oid: &str) -> Option<String> {
    name.0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .find(|atv| atv.oid.to_string() == oid)
        .and_then(|atv| attr_value(&atv.value))
}

pub(crate) fn name_to_string(name: &x509_cert::name::Name) -> String {
    let mut parts = Vec::new();
    for rdn in name.0.iter().rev() {
        for atv in rdn.0.iter() {
            let oid = atv.oid.to_string();
            let label = match oid.as_str() {
                OID_CN => "CN",
                OID_O => "O",
                OID_OU => "OU",
                OID_TITLE => "T",
                OID_C => "C",
                OID_L => "L",
                OID_ST => "ST",
                OID_UID => "UID",
                _ => oid.as_str(),
            }
            .to_string();
            let value = attr_value(&atv.value).unwrap_or_else(|| "#?".into());
            parts.push(format!("{label}={value}"));
        }
    }
    parts.join(", ")
}

pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    let d = digest::digest(&digest::SHA256, data);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

/// Lowercase hexadecimal.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut out = vec![0u8; 2 * bytes.len()];
    hex_to_slice(bytes, &mut out);
    String::from_utf8(out).expect("hex digits are ASCII")
}

/// Writes lowercase hexadecimal into `out` (exactly twice as long), with
/// no allocation per byte: a PDF's CMS signature is a few kilobytes.
pub(crate) fn hex_to_slice(bytes: &[u8], out: &mut [u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    assert_eq!(out.len(), 2 * bytes.len(), "hex output length");
    for (b, pair) in bytes.iter().zip(out.chunks_exact_mut(2)) {
        pair[0] = DIGITS[usize::from(b >> 4)];
        pair[1] = DIGITS[usize::from(b & 0xf)];
    }
}

pub(crate) fn to_pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// Every block of the given label in a PEM text, decoded.
pub(crate) fn pem_blocks(pem: &str, label: &str) -> Result<Vec<Vec<u8>>, SigningError> {
    use base64::Engine;
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let mut out = Vec::new();
    let mut rest = pem;
    while let Some(start) = rest.find(&begin) {
        let after = &rest[start + begin.len()..];
        let stop = after
            .find(&end)
            .ok_or_else(|| SigningError::Certificate(format!("unterminated PEM {label}")))?;
        let body: String = after[..stop].split_whitespace().collect();
        out.push(
            base64::engine::general_purpose::STANDARD
                .decode(body)
                .map_err(|e| SigningError::Certificate(format!("bad PEM base64: {e}")))?,
        );
        rest = &after[stop + end.len()..];
    }
    Ok(out)
}

/// Orders `certs` into a chain starting at `leaf`, following issuer names.
pub(crate) fn order_chain(leaf: Certificate, mut others: Vec<Certificate>) -> Vec<Certificate> {
    let mut chain = vec![leaf];
    while let Some(last) = chain.last() {
        if last.issuer_der() == last.subject_der() {
            break;
        }
        let Some(pos) = others
            .iter()
            .position(|c| c.subject_der() == last.issuer_der())
        else {
            break;
        };
        chain.push(others.remove(pos));
    }
    chain
}

/// Reads the raw `(issuer Name, serial INTEGER content)` of a certificate DER
/// without a full parse (used for CMS `IssuerAndSerialNumber` matching).
pub(crate) fn issuer_and_serial_raw(cert_der: &[u8]) -> Result<(Vec<u8>, Vec<u8>), SigningError> {
    let outer = asn1::parse_one(cert_der)?;
    let mut r = outer.reader();
    let tbs = r.next_tag(asn1::SEQUENCE)?;
    let mut t: Reader<'_> = tbs.reader();
    t.optional(asn1::ctx(0))?;
    let serial = t.next_tag(asn1::INTEGER)?;
    t.next_tag(asn1::SEQUENCE)?;
    let issuer = t.next_tag(asn1::SEQUENCE)?;
    Ok((issuer.raw.to_vec(), serial.raw.to_vec()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex_is_lowercase_two_digits_per_byte() {
        let bytes: Vec<u8> = (0..=255u8).chain([0, 0x0f, 0xf0, 0xff]).collect();
        let expected: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(super::hex(&bytes), expected);
        assert_eq!(super::hex(&[]), "");
    }
}
