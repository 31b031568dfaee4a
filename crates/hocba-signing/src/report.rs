//! What verification found, per signature and for the whole document.

use std::fmt;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::cert::{Certificate, HolderKind};
use crate::signer::SignatureAlgorithm;

/// The kind of a signed document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// The transcript data file: XAdES-BES signatures.
    Xml,
    /// The printable transcript: PAdES-B signatures.
    Pdf,
}

impl DocumentKind {
    /// Detects the kind from the content (`%PDF-` or an XML start).
    pub fn detect(bytes: &[u8]) -> Option<Self> {
        let head = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        if head.starts_with(b"%PDF-") {
            return Some(Self::Pdf);
        }
        let trimmed = head
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .map(|i| &head[i..])?;
        trimmed.starts_with(b"<").then_some(Self::Xml)
    }
}

/// The verdict on one signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureStatus {
    /// Signature value, digests, chain, validity, revocation and order hold.
    Valid,
    /// The document or the signature was altered, or the signature is
    /// malformed, out of order or does not cover what it must.
    Invalid,
    /// No path from the signer's certificate to the trust list.
    Untrusted,
    /// The signer's certificate (or a CA's) is on a CRL.
    Revoked,
    /// A certificate of the path was not valid at the signing time.
    NotValidAtSigningTime,
    /// Required information (e.g. revocation) is missing.
    Indeterminate,
}

impl SignatureStatus {
    /// The status as shown to Vietnamese users.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Valid => "Hợp lệ",
            Self::Invalid => "Không hợp lệ",
            Self::Untrusted => "Chứng thư số không được tin cậy",
            Self::Revoked => "Chứng thư số đã bị thu hồi",
            Self::NotValidAtSigningTime => "Chứng thư số hết hiệu lực tại thời điểm ký",
            Self::Indeterminate => "Chưa xác định",
        }
    }
}

impl fmt::Display for SignatureStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Self::Valid => "valid",
            Self::Invalid => "invalid",
            Self::Untrusted => "untrusted",
            Self::Revoked => "revoked",
            Self::NotValidAtSigningTime => "not valid at signing time",
            Self::Indeterminate => "indeterminate",
        };
        f.write_str(s)
    }
}

/// One signature of a document, in signing order.
#[derive(Debug, Clone)]
pub struct SignatureReport {
    /// 1-based position in signing order.
    pub index: usize,
    /// The signature's `Id` (XML) or field name (PDF).
    pub id: String,
    /// The signer's name (certificate common name), if a certificate was found.
    pub signer: String,
    pub holder: Option<HolderKind>,
    pub algorithm: Option<SignatureAlgorithm>,
    /// The claimed signing time (XAdES `SigningTime`, PDF `/M`).
    pub signing_time: Option<OffsetDateTime>,
    /// The claimed role (XAdES `ClaimedRole`, PDF `/Reason`).
    pub role: Option<String>,
    pub status: SignatureStatus,
    /// Why the status is not valid; for a valid signature, notes (may be empty).
    pub reason: String,
    pub certificate: Option<Certificate>,
}

impl SignatureReport {
    pub(crate) fn new(index: usize, id: String) -> Self {
        Self {
            index,
            id,
            signer: String::new(),
            holder: None,
            algorithm: None,
            signing_time: None,
            role: None,
            status: SignatureStatus::Invalid,
            reason: String::new(),
            certificate: None,
        }
    }

    pub(crate) fn fail(&mut self, status: SignatureStatus, reason: impl Into<String>) {
        self.status = status;
        self.reason = reason.into();
    }

    pub fn is_valid(&self) -> bool {
        self.status == SignatureStatus::Valid
    }
}

/// The verification report of a document.
#[derive(Debug, Clone)]
pub struct Report {
    pub kind: DocumentKind,
    pub signatures: Vec<SignatureReport>,
    /// Problems of the document as a whole (structure, content not covered
    /// by any signature, unexpected signing order).
    pub problems: Vec<String>,
}

impl Report {
    pub(crate) fn new(kind: DocumentKind) -> Self {
        Self {
            kind,
            signatures: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// True when the document has signatures, all valid, and no problem.
    pub fn is_valid(&self) -> bool {
        self.problems.is_empty()
            && !self.signatures.is_empty()
            && self.signatures.iter().all(SignatureReport::is_valid)
    }

    /// Checks the signers' names against the expected signing order, adding
    /// a problem if they differ.
    pub fn expect_signers(&mut self, names: &[&str]) {
        let actual: Vec<&str> = self.signatures.iter().map(|s| s.signer.as_str()).collect();
        if actual != names {
            self.problems.push(format!(
                "signing order is [{}], expected [{}]",
                actual.join(", "),
                names.join(", ")
            ));
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:?} document: {} signature(s), {}",
            self.kind,
            self.signatures.len(),
            if self.is_valid() {
                "VALID"
            } else {
                "NOT VALID"
            }
        )?;
        for s in &self.signatures {
            write!(
                f,
                "  #{} {} [{}] {}",
                s.index,
                if s.signer.is_empty() { "?" } else { &s.signer },
                s.signing_time.map(fmt_time).unwrap_or_else(|| "-".into()),
                s.status
            )?;
            if !s.reason.is_empty() {
                write!(f, ": {}", s.reason)?;
            }
            writeln!(f)?;
        }
        for p in &self.problems {
            writeln!(f, "  problem: {p}")?;
        }
        Ok(())
    }
}

/// RFC 3339 in UTC, seconds precision (`2026-11-22T08:30:00Z`).
pub fn fmt_time(t: OffsetDateTime) -> String {
    let t = t
        .to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_default()
}

pub(crate) fn parse_time(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s.trim(), &Rfc3339).ok()
}
