//! CMS SignedData (RFC 5652), detached, one signer, as PAdES baseline B
//! needs it (EN 319 142-1 §6.3): signed attributes content-type,
//! message-digest and ESS signing-certificate-v2 (RFC 5035); no
//! signing-time attribute (the time goes in the signature dictionary's /M).

use crate::asn1::{self, Reader};
use crate::cert::{self, Certificate};
use crate::signer::{DigestBytes, SignatureAlgorithm};

const OID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
const OID_DATA: &str = "1.2.840.113549.1.7.1";
const OID_CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
const OID_MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
const OID_SIGNING_CERT_V2: &str = "1.2.840.113549.1.9.16.2.47";
const OID_SIGNING_CERT_V1: &str = "1.2.840.113549.1.9.16.2.12";
const OID_SHA256: &str = "2.16.840.1.101.3.4.2.1";
const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_SHA256_RSA: &str = "1.2.840.113549.1.1.11";
const OID_ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";

fn attribute(oid: &str, value: &[u8]) -> Vec<u8> {
    asn1::seq(&[&asn1::oid(oid), &asn1::set_of(vec![value.to_vec()])])
}

/// The parts of a CMS signature that depend only on the signer (its
/// certificates and algorithm), encoded once per batch: every document
/// signed in the batch differs only in the message digest and the value.
#[derive(Debug)]
pub(crate) struct SignerParts {
    algorithm: SignatureAlgorithm,
    /// The content-type attribute (data).
    content_type_attr: Vec<u8>,
    /// The ESS signing-certificate-v2 attribute.
    signing_cert_attr: Vec<u8>,
    /// `IssuerAndSerialNumber` of the signer.
    sid: Vec<u8>,
    /// `[0] IMPLICIT CertificateSet` with the chain.
    certificates: Vec<u8>,
    /// Constant encodings: the signature and digest algorithms, the
    /// message-digest attribute's OID, the encapsulated content info and the
    /// SignedData OID.
    signature_alg: Vec<u8>,
    sha256_alg: Vec<u8>,
    digest_algs: Vec<u8>,
    message_digest_oid: Vec<u8>,
    encap_content_info: Vec<u8>,
    signed_data_oid: Vec<u8>,
    /// The upper bound of the encoded size, to reserve the PDF's /Contents.
    size_bound: usize,
}

impl SignerParts {
    pub(crate) fn new(
        chain: &[Certificate],
        algorithm: SignatureAlgorithm,
    ) -> Result<Self, crate::SigningError> {
        let signer = chain
            .first()
            .ok_or_else(|| crate::SigningError::Cms("no signer certificate".into()))?;
        // ESSCertIDv2 with the default hash (SHA-256) and IssuerSerial.
        let (issuer, serial) = cert::issuer_and_serial_raw(signer.der())?;
        let general_names = asn1::seq(&[&asn1::tlv(asn1::ctx(4), &[&issuer])]);
        let issuer_serial = asn1::seq(&[&general_names, &serial]);
        let ess_cert_id = asn1::seq(&[&asn1::octets(&signer.sha256()), &issuer_serial]);
        let signing_cert_v2 = asn1::seq(&[&asn1::seq(&[&ess_cert_id])]);
        let certs: Vec<&[u8]> = chain.iter().map(Certificate::der).collect();
        Ok(SignerParts {
            algorithm,
            content_type_attr: attribute(OID_CONTENT_TYPE, &asn1::oid(OID_DATA)),
            signing_cert_attr: attribute(OID_SIGNING_CERT_V2, &signing_cert_v2),
            sid: asn1::seq(&[&issuer, &serial]),
            certificates: asn1::tlv(asn1::ctx(0), &certs),
            signature_alg: match algorithm {
                SignatureAlgorithm::RsaPkcs1Sha256 => asn1::alg_id(OID_RSA, true),
                SignatureAlgorithm::EcdsaP256Sha256 => asn1::alg_id(OID_ECDSA_SHA256, false),
            },
            sha256_alg: asn1::alg_id(OID_SHA256, false),
            digest_algs: asn1::set_of(vec![asn1::alg_id(OID_SHA256, false)]),
            message_digest_oid: asn1::oid(OID_MESSAGE_DIGEST),
            encap_content_info: asn1::seq(&[&asn1::oid(OID_DATA)]),
            signed_data_oid: asn1::oid(OID_SIGNED_DATA),
            size_bound: size_bound(chain),
        })
    }

    /// The DER `SET OF Attribute` that is signed (the `signedAttrs` with
    /// the universal SET tag, RFC 5652 §5.4).
    pub(crate) fn signed_attributes(&self, content_digest: &DigestBytes) -> Vec<u8> {
        let digest = asn1::octets(content_digest);
        let message_digest =
            asn1::seq(&[&self.message_digest_oid, &asn1::tlv(asn1::SET, &[&digest])]);
        asn1::set_of(vec![
            self.content_type_attr.clone(),
            message_digest,
            self.signing_cert_attr.clone(),
        ])
    }

    /// Assembles the `ContentInfo` once the signature value is known.
    /// `signature_value` is in the crate's format (ECDSA as `r || s`).
    pub(crate) fn signed_data(&self, signed_attrs: &[u8], signature_value: &[u8]) -> Vec<u8> {
        let der_ecdsa;
        let sig = match self.algorithm {
            SignatureAlgorithm::RsaPkcs1Sha256 => signature_value,
            SignatureAlgorithm::EcdsaP256Sha256 => {
                der_ecdsa = asn1::ecdsa_fixed_to_der(signature_value);
                &der_ecdsa
            }
        };
        // signedAttrs is [0] IMPLICIT SET OF Attribute.
        let mut implicit_attrs = signed_attrs.to_vec();
        implicit_attrs[0] = asn1::ctx(0);
        let signer_info = asn1::seq(&[
            &asn1::uint(1),
            &self.sid,
            &self.sha256_alg,
            &implicit_attrs,
            &self.signature_alg,
            &asn1::octets(sig),
        ]);
        let signed_data = asn1::seq(&[
            &asn1::uint(1),
            &self.digest_algs,
            &self.encap_content_info,
            &self.certificates,
            &asn1::tlv(asn1::SET, &[&signer_info]),
        ]);
        asn1::seq(&[
            &self.signed_data_oid,
            &asn1::tlv(asn1::ctx(0), &[&signed_data]),
        ])
    }

    pub(crate) fn size_bound(&self) -> usize {
        self.size_bound
    }
}

/// An upper bound of the encoded size, to reserve the PDF's /Contents:
/// the certificates, the issuer name twice (signer identifier and ESS
/// IssuerSerial), a signature of up to 4096 bits, and the fixed parts.
fn size_bound(chain: &[Certificate]) -> usize {
    let certs: usize = chain.iter().map(|c| c.der().len() + 8).sum();
    let issuer = chain.first().map_or(0, |c| c.issuer_der().len() + 32);
    certs + 2 * issuer + 512 + 512
}

/// What verification needs from a CMS signature.
#[derive(Debug)]
pub(crate) struct ParsedSignature {
    pub certificates: Vec<Certificate>,
    pub signer: Certificate,
    /// The signed attributes as a DER SET (what the signature covers).
    pub signed_attrs: Vec<u8>,
    pub message_digest: Vec<u8>,
    pub signature_alg: String,
    pub signature: Vec<u8>,
}

/// Parses a detached SignedData with one signer and checks its attributes
/// (content type data, SHA-256 digests, signing-certificate-v2 matching the
/// signer's certificate).
pub(crate) fn parse(der: &[u8]) -> Result<ParsedSignature, String> {
    let e = |x: asn1::Asn1Error| x.to_string();
    let (ci, _padding) = asn1::read_tlv(der).map_err(e)?;
    let mut r = ci.expect(asn1::SEQUENCE).map_err(e)?.reader();
    if r.next_oid().map_err(e)? != OID_SIGNED_DATA {
        return Err("the signature is not a CMS SignedData".into());
    }
    let sd_outer = r.next_tag(asn1::ctx(0)).map_err(e)?;
    let sd = asn1::parse_one(sd_outer.content)
        .and_then(|t| t.expect(asn1::SEQUENCE))
        .map_err(e)?;
    let mut s = sd.reader();
    s.next_u64().map_err(e)?;
    let digest_algs = s.next_tag(asn1::SET).map_err(e)?;
    let mut da = digest_algs.reader();
    while !da.is_empty() {
        let alg = da.next_tag(asn1::SEQUENCE).map_err(e)?;
        if alg.reader().next_oid().map_err(e)? != OID_SHA256 {
            return Err("only SHA-256 is accepted as digest algorithm".into());
        }
    }
    let eci = s.next_tag(asn1::SEQUENCE).map_err(e)?;
    let mut er = eci.reader();
    if er.next_oid().map_err(e)? != OID_DATA {
        return Err("the encapsulated content type is not data".into());
    }
    if !er.is_empty() {
        return Err("the CMS signature is not detached".into());
    }
    let mut certificates = Vec::new();
    if let Some(certs) = s.optional(asn1::ctx(0)).map_err(e)? {
        let mut cr = certs.reader();
        while !cr.is_empty() {
            let c = cr.next().map_err(e)?;
            if c.tag == asn1::SEQUENCE {
                certificates.push(Certificate::from_der(c.raw).map_err(|x| x.to_string())?);
            }
        }
    }
    s.optional(asn1::ctx(1)).map_err(e)?; // CRLs
    let signer_infos = s.next_tag(asn1::SET).map_err(e)?;
    let mut si_set = signer_infos.reader();
    let si = si_set.next_tag(asn1::SEQUENCE).map_err(e)?;
    if !si_set.is_empty() {
        return Err("exactly one signer per PDF signature is expected".into());
    }
    let mut sr: Reader<'_> = si.reader();
    sr.next_u64().map_err(e)?;
    let sid = sr
        .next_tag(asn1::SEQUENCE)
        .map_err(|_| "the signer must be identified by issuer and serial number".to_string())?;
    let mut sid_r = sid.reader();
    let sid_issuer = sid_r.next_tag(asn1::SEQUENCE).map_err(e)?.raw;
    let sid_serial = sid_r.next_tag(asn1::INTEGER).map_err(e)?.raw;
    let signer = certificates
        .iter()
        .find(|c| {
            cert::issuer_and_serial_raw(c.der())
                .is_ok_and(|(i, s)| i == sid_issuer && s == sid_serial)
        })
        .cloned()
        .ok_or("the signer's certificate is not included in the signature")?;
    let dalg = sr.next_tag(asn1::SEQUENCE).map_err(e)?;
    if dalg.reader().next_oid().map_err(e)? != OID_SHA256 {
        return Err("only SHA-256 is accepted as digest algorithm".into());
    }
    let attrs = sr
        .optional(asn1::ctx(0))
        .map_err(e)?
        .ok_or("signed attributes are required (PAdES)")?;
    let mut signed_attrs = attrs.raw.to_vec();
    signed_attrs[0] = asn1::SET;
    let sig_alg = sr.next_tag(asn1::SEQUENCE).map_err(e)?;
    let signature_alg = sig_alg.reader().next_oid().map_err(e)?;
    let signature = sr.next_tag(asn1::OCTET_STRING).map_err(e)?.content.to_vec();

    let mut message_digest = None;
    let mut content_type_ok = false;
    let mut signing_cert_ok = None;
    let mut ar = attrs.reader();
    while !ar.is_empty() {
        let a = ar.next_tag(asn1::SEQUENCE).map_err(e)?;
        let mut a_r = a.reader();
        let oid = a_r.next_oid().map_err(e)?;
        let values = a_r.next_tag(asn1::SET).map_err(e)?;
        let mut vr = values.reader();
        let value = vr.next().map_err(e)?;
        if !vr.is_empty() {
            return Err(format!("attribute {oid} has several values"));
        }
        match oid.as_str() {
            OID_CONTENT_TYPE => {
                content_type_ok = asn1::decode_oid(value.expect(asn1::OID).map_err(e)?.content)
                    .map_err(e)?
                    == OID_DATA;
            }
            OID_MESSAGE_DIGEST => {
                message_digest = Some(value.expect(asn1::OCTET_STRING).map_err(e)?.content);
            }
            OID_SIGNING_CERT_V2 => {
                // SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, … }
                let mut certs = value
                    .expect(asn1::SEQUENCE)
                    .map_err(e)?
                    .reader()
                    .next_tag(asn1::SEQUENCE)
                    .map_err(e)?
                    .reader();
                let first = certs.next_tag(asn1::SEQUENCE).map_err(e)?;
                let mut fr = first.reader();
                if fr.peek_tag() == Some(asn1::SEQUENCE) {
                    let alg = fr.next().map_err(e)?;
                    if alg.reader().next_oid().map_err(e)? != OID_SHA256 {
                        return Err("signing-certificate-v2 must use SHA-256".into());
                    }
                }
                let hash = fr.next_tag(asn1::OCTET_STRING).map_err(e)?.content;
                signing_cert_ok = Some(hash == signer.sha256().as_slice());
            }
            OID_SIGNING_CERT_V1 => {
                return Err("signing-certificate (v1, SHA-1) is not accepted".into());
            }
            _ => {}
        }
    }
    if !content_type_ok {
        return Err("the content-type attribute is missing or not data".into());
    }
    match signing_cert_ok {
        None => return Err("the signing-certificate-v2 attribute is missing (PAdES B-B)".into()),
        Some(false) => {
            return Err("signing-certificate-v2 does not name the signer's certificate".into());
        }
        Some(true) => {}
    }
    let message_digest = message_digest
        .ok_or("the message-digest attribute is missing")?
        .to_vec();
    Ok(ParsedSignature {
        certificates,
        signer,
        signed_attrs,
        message_digest,
        signature_alg,
        signature,
    })
}

/// Verifies the signer's signature over the signed attributes.
pub(crate) fn verify_signature(p: &ParsedSignature) -> Result<SignatureAlgorithm, String> {
    let key_alg = p
        .signer
        .signature_algorithm()
        .ok_or("the signer's key type is not supported")?;
    let ok = match (p.signature_alg.as_str(), key_alg) {
        (OID_RSA | OID_SHA256_RSA, SignatureAlgorithm::RsaPkcs1Sha256) => {
            key_alg.verify(p.signer.public_key_bits(), &p.signed_attrs, &p.signature)
        }
        (OID_ECDSA_SHA256, SignatureAlgorithm::EcdsaP256Sha256) => {
            let fixed = asn1::ecdsa_der_to_fixed(&p.signature, 32).map_err(|x| x.to_string())?;
            key_alg.verify(p.signer.public_key_bits(), &p.signed_attrs, &fixed)
        }
        (other, _) => {
            return Err(format!(
                "signature algorithm {other} does not fit the signer's key"
            ));
        }
    };
    if ok {
        Ok(key_alg)
    } else {
        Err("the CMS signature value does not verify with the signer's key".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Signer as _;

    /// The encoders before the per-signer parts, verbatim.
    fn legacy_signed_attributes(content_digest: &DigestBytes, signer: &Certificate) -> Vec<u8> {
        let (issuer, serial) = cert::issuer_and_serial_raw(signer.der()).unwrap();
        let general_names = asn1::seq(&[&asn1::tlv(asn1::ctx(4), &[&issuer])]);
        let issuer_serial = asn1::seq(&[&general_names, &serial]);
        let ess_cert_id = asn1::seq(&[&asn1::octets(&signer.sha256()), &issuer_serial]);
        let signing_cert_v2 = asn1::seq(&[&asn1::seq(&[&ess_cert_id])]);
        asn1::set_of(vec![
            attribute(OID_CONTENT_TYPE, &asn1::oid(OID_DATA)),
            attribute(OID_MESSAGE_DIGEST, &asn1::octets(content_digest)),
            attribute(OID_SIGNING_CERT_V2, &signing_cert_v2),
        ])
    }

    fn legacy_signed_data(
        chain: &[Certificate],
        signed_attrs: &[u8],
        algorithm: SignatureAlgorithm,
        signature_value: &[u8],
    ) -> Vec<u8> {
        let signer = &chain[0];
        let (issuer, serial) = cert::issuer_and_serial_raw(signer.der()).unwrap();
        let (sig_alg, sig) = match algorithm {
            SignatureAlgorithm::RsaPkcs1Sha256 => {
                (asn1::alg_id(OID_RSA, true), signature_value.to_vec())
            }
            SignatureAlgorithm::EcdsaP256Sha256 => (
                asn1::alg_id(OID_ECDSA_SHA256, false),
                asn1::ecdsa_fixed_to_der(signature_value),
            ),
        };
        let mut implicit_attrs = signed_attrs.to_vec();
        implicit_attrs[0] = asn1::ctx(0);
        let sha256 = asn1::alg_id(OID_SHA256, false);
        let signer_info = asn1::seq(&[
            &asn1::uint(1),
            &asn1::seq(&[&issuer, &serial]),
            &sha256,
            &implicit_attrs,
            &sig_alg,
            &asn1::octets(&sig),
        ]);
        let certs: Vec<&[u8]> = chain.iter().map(Certificate::der).collect();
        let signed_data = asn1::seq(&[
            &asn1::uint(1),
            &asn1::set_of(vec![sha256.clone()]),
            &asn1::seq(&[&asn1::oid(OID_DATA)]),
            &asn1::tlv(asn1::ctx(0), &certs),
            &asn1::tlv(asn1::SET, &[&signer_info]),
        ]);
        asn1::seq(&[
            &asn1::oid(OID_SIGNED_DATA),
            &asn1::tlv(asn1::ctx(0), &[&signed_data]),
        ])
    }

    #[test]
    fn per_signer_parts_encode_as_before() {
        let pki = crate::pki::DemoPki::generate("x").unwrap();
        let mut seen = std::collections::HashSet::new();
        for identity in pki.signing_order() {
            let signer = identity.signer().unwrap();
            let chain = signer.certificate_chain();
            let algorithm = signer.algorithm();
            seen.insert(format!("{algorithm:?}"));
            let parts = SignerParts::new(chain, algorithm).unwrap();
            for d in [[0u8; 32], [0xff; 32], crate::cert::sha256(b"pdf")] {
                let attrs = parts.signed_attributes(&d);
                assert_eq!(attrs, legacy_signed_attributes(&d, &chain[0]));
                let value = signer.sign_digest(&crate::cert::sha256(&attrs)).unwrap();
                let cms = parts.signed_data(&attrs, &value);
                assert_eq!(cms, legacy_signed_data(chain, &attrs, algorithm, &value));
                let parsed = parse(&cms).unwrap();
                assert_eq!(parsed.message_digest, d.to_vec());
                assert_eq!(verify_signature(&parsed).unwrap(), algorithm);
                assert!(cms.len() <= parts.size_bound());
            }
        }
        assert_eq!(seen.len(), 2, "RSA and ECDSA signers");
    }
}
