//! A test PKI: root CA → issuing CA → personal and organisation
//! certificates, a CRL revoking one of them, PKCS#12 key files and a trust
//! list. Generated at run time (nothing private is committed); used by the
//! tests and the demo.

use std::path::Path;

use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DistinguishedName,
    DnType, IsCa, Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose, PublicKeyData, RevocationReason,
    RevokedCertParams, SerialNumber,
};
use time::{Duration, OffsetDateTime};

use crate::cert::{Certificate, to_pem};
use crate::error::SigningError;
use crate::signer::{KeyFileSigner, SignatureAlgorithm};
use crate::trust::TrustList;

/// Key types of the test PKI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    Rsa2048,
    EcdsaP256,
}

/// What a test identity is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    SubjectTeacher,
    HomeroomTeacher,
    Leader,
    /// The school's organisation certificate (issuance signature).
    School,
}

/// One holder of the test PKI with a key file.
pub struct Identity {
    /// File stem, e.g. `nguyen-thi-huong`.
    pub slug: String,
    pub name: String,
    pub role: Role,
    pub key_type: KeyType,
    pub certificate: Certificate,
    /// Leaf then issuing CA (the root is in the trust list).
    pub chain: Vec<Certificate>,
    /// The PKCS#12 file, protected by [`DemoPki::password`].
    pub pkcs12: Vec<u8>,
    pkcs8: Vec<u8>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("name", &self.name)
            .field("role", &self.role)
            .field("key_type", &self.key_type)
            .finish()
    }
}

impl Identity {
    /// A software signer for this identity.
    pub fn signer(&self) -> Result<KeyFileSigner, SigningError> {
        KeyFileSigner::from_pkcs8(&self.pkcs8, self.chain.clone())
    }

    /// The private key (PKCS#8 DER), e.g. to import into a token.
    pub fn private_key_pkcs8(&self) -> &[u8] {
        &self.pkcs8
    }
}

/// The generated test PKI.
pub struct DemoPki {
    pub root: Certificate,
    pub issuing_ca: Certificate,
    /// DER CRL of the issuing CA; revokes [`DemoPki::revoked`].
    pub crl: Vec<u8>,
    pub password: String,
    /// Two subject teachers, a homeroom teacher, a leader, the school.
    pub identities: Vec<Identity>,
    /// A teacher whose certificate is on the CRL.
    pub revoked: Identity,
    /// A teacher whose certificate expired before the documents are signed.
    pub expired: Identity,
    ca: Ca,
}

/// The issuing CA's key, kept to issue more certificates (tokens, remote).
struct Ca {
    key: KeyPair,
    params: CertificateParams,
    cert: Certificate,
    password: String,
}

impl std::fmt::Debug for DemoPki {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoPki")
            .field("root", &self.root)
            .field("issuing_ca", &self.issuing_ca)
            .field("identities", &self.identities)
            .finish()
    }
}

fn pki_err(e: impl std::fmt::Display) -> SigningError {
    SigningError::Pki(e.to_string())
}

fn new_key(t: KeyType) -> Result<KeyPair, SigningError> {
    match t {
        KeyType::Rsa2048 => {
            KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048)
        }
        KeyType::EcdsaP256 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256),
    }
    .map_err(pki_err)
}

fn dn(pairs: &[(DnType, &str)]) -> DistinguishedName {
    let mut d = DistinguishedName::new();
    for (t, v) in pairs {
        d.push(t.clone(), *v);
    }
    d
}

fn uid() -> DnType {
    DnType::CustomDnType(vec![0, 9, 2342, 19200300, 100, 1, 1])
}

/// Serial numbers: 16 random bytes, positive.
fn serial() -> Result<SerialNumber, SigningError> {
    let mut b = [0u8; 16];
    aws_lc_rs::rand::fill(&mut b)?;
    b[0] &= 0x7f;
    b[0] |= 0x01;
    Ok(SerialNumber::from_slice(&b))
}

/// Parameters of the demo holders: (slug, name, role, key, UID).
const PEOPLE: [(&str, &str, Role, KeyType, &str); 5] = [
    (
        "nguyen-thi-huong",
        "Nguyễn Thị Hương",
        Role::SubjectTeacher,
        KeyType::Rsa2048,
        "CCCD:001190012345",
    ),
    (
        "tran-van-duc",
        "Trần Văn Đức",
        Role::SubjectTeacher,
        KeyType::EcdsaP256,
        "CCCD:001088054321",
    ),
    (
        "le-thi-anh",
        "Lê Thị Ánh",
        Role::HomeroomTeacher,
        KeyType::EcdsaP256,
        "CCCD:036185000111",
    ),
    (
        "pham-quoc-bao",
        "Phạm Quốc Bảo",
        Role::Leader,
        KeyType::EcdsaP256,
        "CCCD:001075009999",
    ),
    (
        "truong-thpt-tran-phu",
        "Trường THPT Trần Phú",
        Role::School,
        KeyType::Rsa2048,
        "MNS:1012345",
    ),
];

const SCHOOL: &str = "Trường THPT Trần Phú";

impl DemoPki {
    /// Generates the whole PKI. Certificates are valid from 30 days ago for
    /// two years; the CRL is current.
    pub fn generate(password: &str) -> Result<Self, SigningError> {
        let now = OffsetDateTime::now_utc();
        let start = now - Duration::days(30);
        let end = now + Duration::days(730);

        // Root CA (RSA-2048) and issuing CA (P-256): both algorithms appear
        // in every chain check.
        let root_key = new_key(KeyType::Rsa2048)?;
        let mut root_params = CertificateParams::default();
        root_params.distinguished_name = dn(&[
            (DnType::CountryName, "VN"),
            (DnType::OrganizationName, "hocba – PKI thử nghiệm"),
            (
                DnType::CommonName,
                "hocba Test Root CA (Sở GD&ĐT Thử nghiệm)",
            ),
        ]);
        root_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(1));
        root_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        root_params.not_before = start;
        root_params.not_after = now + Duration::days(3650);
        root_params.serial_number = Some(serial()?);
        root_params.key_identifier_method = KeyIdMethod::Sha256;
        let root_cert = root_params.self_signed(&root_key).map_err(pki_err)?;
        let root_issuer = Issuer::new(root_params, root_key);

        let ca_key = new_key(KeyType::EcdsaP256)?;
        let mut ca_params = CertificateParams::default();
        ca_params.distinguished_name = dn(&[
            (DnType::CountryName, "VN"),
            (DnType::OrganizationName, "hocba – PKI thử nghiệm"),
            (DnType::CommonName, "hocba Test Issuing CA"),
        ]);
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        ca_params.not_before = start;
        ca_params.not_after = now + Duration::days(1825);
        ca_params.serial_number = Some(serial()?);
        ca_params.use_authority_key_identifier_extension = true;
        let ca_cert = ca_params
            .signed_by(&ca_key, &root_issuer)
            .map_err(pki_err)?;

        let root = Certificate::from_der(root_cert.der())?;
        let issuing_ca = Certificate::from_der(ca_cert.der())?;

        let ca = Ca {
            key: ca_key,
            params: ca_params,
            cert: issuing_ca.clone(),
            password: password.to_string(),
        };
        let mut identities = Vec::new();
        for (slug, name, role, key_type, uid_value) in PEOPLE {
            identities.push(ca.new_identity(slug, name, role, key_type, uid_value, start, end)?);
        }
        let revoked = ca.new_identity(
            "hoang-van-nam",
            "Hoàng Văn Nam",
            Role::SubjectTeacher,
            KeyType::EcdsaP256,
            "CCCD:001092077777",
            start,
            end,
        )?;
        let expired = ca.new_identity(
            "do-thi-lan",
            "Đỗ Thị Lan",
            Role::SubjectTeacher,
            KeyType::EcdsaP256,
            "CCCD:001080066666",
            now - Duration::days(400),
            now - Duration::days(35),
        )?;

        // The CRL revokes Hoàng Văn Nam (key compromise, 10 days ago).
        let crl = CertificateRevocationListParams {
            this_update: now - Duration::days(1),
            next_update: now + Duration::days(30),
            crl_number: SerialNumber::from(1u64),
            issuing_distribution_point: None,
            revoked_certs: vec![RevokedCertParams {
                serial_number: SerialNumber::from_slice(revoked.certificate.serial_bytes()),
                revocation_time: now - Duration::days(10),
                reason_code: Some(RevocationReason::KeyCompromise),
                invalidity_date: None,
            }],
            key_identifier_method: KeyIdMethod::Sha256,
        }
        .signed_by(&ca.issuer())
        .map_err(pki_err)?;
        Ok(DemoPki {
            root,
            issuing_ca,
            crl: crl.der().to_vec(),
            password: password.to_string(),
            identities,
            revoked,
            expired,
            ca,
        })
    }

    /// Issues a personal certificate from the test issuing CA for a key held
    /// elsewhere (a token, a remote signing service). `public_key` is the
    /// `subjectPublicKey` content: an `RSAPublicKey` DER or an uncompressed
    /// P-256 point.
    pub fn issue_for_public_key(
        &self,
        public_key: &[u8],
        algorithm: SignatureAlgorithm,
        name: &str,
        uid_value: &str,
    ) -> Result<Certificate, SigningError> {
        let now = OffsetDateTime::now_utc();
        let key = ExternalKey {
            bits: public_key.to_vec(),
            alg: match algorithm {
                SignatureAlgorithm::RsaPkcs1Sha256 => &rcgen::PKCS_RSA_SHA256,
                SignatureAlgorithm::EcdsaP256Sha256 => &rcgen::PKCS_ECDSA_P256_SHA256,
            },
        };
        self.ca.issue(
            &key,
            name,
            Role::SubjectTeacher,
            uid_value,
            now - Duration::days(30),
            now + Duration::days(730),
        )
    }

    pub fn identity(&self, role: Role) -> &Identity {
        self.identities
            .iter()
            .find(|i| i.role == role)
            .expect("every role is generated")
    }

    /// The identities in signing order: subject teachers, homeroom teacher,
    /// leader, then the school's organisation certificate.
    pub fn signing_order(&self) -> Vec<&Identity> {
        let rank = |r: Role| match r {
            Role::SubjectTeacher => 0,
            Role::HomeroomTeacher => 1,
            Role::Leader => 2,
            Role::School => 3,
        };
        let mut v: Vec<&Identity> = self.identities.iter().collect();
        v.sort_by_key(|i| rank(i.role));
        v
    }

    /// The trust list: the root as anchor, the issuing CA's CRL.
    pub fn trust_list(&self) -> TrustList {
        let mut t = TrustList::new(vec![self.root.clone()]);
        t.add_crl_der(&self.crl).expect("own CRL parses");
        t
    }

    pub fn crl_pem(&self) -> String {
        to_pem("X509 CRL", &self.crl)
    }

    /// Writes the PKI to `dir`: `root-ca.pem`, `issuing-ca.pem`,
    /// `issuing-ca.crl` (DER) and `.crl.pem`, `trust-list.pem` (the root),
    /// and per holder `<slug>.pem` (certificate) and `<slug>.p12`
    /// (key + chain, protected by the password), plus `identities.txt`.
    pub fn write_to(&self, dir: &Path) -> Result<(), SigningError> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("root-ca.pem"), self.root.to_pem())?;
        std::fs::write(dir.join("trust-list.pem"), self.root.to_pem())?;
        std::fs::write(dir.join("issuing-ca.pem"), self.issuing_ca.to_pem())?;
        std::fs::write(dir.join("issuing-ca.crl"), &self.crl)?;
        std::fs::write(dir.join("issuing-ca.crl.pem"), self.crl_pem())?;
        let mut listing = String::from("# file stem | role | key | subject\n");
        for id in self.identities.iter().chain([&self.revoked, &self.expired]) {
            std::fs::write(
                dir.join(format!("{}.pem", id.slug)),
                id.certificate.to_pem(),
            )?;
            std::fs::write(dir.join(format!("{}.p12", id.slug)), &id.pkcs12)?;
            let note = if std::ptr::eq(id, &self.revoked) {
                " (revoked in issuing-ca.crl)"
            } else if std::ptr::eq(id, &self.expired) {
                " (expired)"
            } else {
                ""
            };
            listing.push_str(&format!(
                "{} | {:?} | {:?} | {}{}\n",
                id.slug,
                id.role,
                id.key_type,
                id.certificate.subject(),
                note
            ));
        }
        std::fs::write(dir.join("identities.txt"), listing)?;
        Ok(())
    }
}

impl Ca {
    fn issuer(&self) -> Issuer<'_, &KeyPair> {
        Issuer::from_params(&self.params, &self.key)
    }

    #[allow(clippy::too_many_arguments)]
    fn new_identity(
        &self,
        slug: &str,
        name: &str,
        role: Role,
        key_type: KeyType,
        uid_value: &str,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> Result<Identity, SigningError> {
        let key = new_key(key_type)?;
        let cert = self.issue(&key, name, role, uid_value, not_before, not_after)?;
        let pkcs8 = key.serialize_der();
        let chain = vec![cert.clone(), self.cert.clone()];
        let pkcs12 = crate::pkcs12::write(&pkcs8, &chain, name, &self.password)?;
        Ok(Identity {
            slug: slug.to_string(),
            name: name.to_string(),
            role,
            key_type,
            certificate: cert,
            chain,
            pkcs12,
            pkcs8,
        })
    }

    fn issue(
        &self,
        public_key: &impl PublicKeyData,
        name: &str,
        role: Role,
        uid_value: &str,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> Result<Certificate, SigningError> {
        let mut params = CertificateParams::default();
        let mut pairs = vec![(DnType::CountryName, "VN")];
        let title = match role {
            Role::SubjectTeacher => Some("Giáo viên bộ môn"),
            Role::HomeroomTeacher => Some("Giáo viên chủ nhiệm"),
            Role::Leader => Some("Hiệu trưởng"),
            Role::School => None,
        };
        pairs.push((DnType::StateOrProvinceName, "Hà Nội"));
        pairs.push((DnType::OrganizationName, SCHOOL));
        if let Some(t) = title {
            pairs.push((DnType::CustomDnType(vec![2, 5, 4, 12]), t));
        }
        pairs.push((DnType::CommonName, name));
        pairs.push((uid(), uid_value));
        params.distinguished_name = dn(&pairs);
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::ContentCommitment,
        ];
        params.not_before = not_before;
        params.not_after = not_after;
        params.serial_number = Some(serial()?);
        params.use_authority_key_identifier_extension = true;
        let cert = params
            .signed_by(public_key, &self.issuer())
            .map_err(pki_err)?;
        Certificate::from_der(cert.der())
    }
}

/// Generates the demo PKI and writes it to `dir` (see [`DemoPki::write_to`]).
pub fn write_demo(dir: &Path, password: &str) -> Result<DemoPki, SigningError> {
    let pki = DemoPki::generate(password)?;
    pki.write_to(dir)?;
    Ok(pki)
}

struct ExternalKey {
    bits: Vec<u8>,
    alg: &'static rcgen::SignatureAlgorithm,
}

impl PublicKeyData for ExternalKey {
    fn der_bytes(&self) -> &[u8] {
        &self.bits
    }
    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        self.alg
    }
}
