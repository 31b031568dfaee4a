//! Signing accounts (tài khoản ký) of teachers and leaders, the school's
//! organisation certificate (chứng thư số tổ chức, `OrgCertificate`) and the
//! signing permissions of staff, as pure rules (seed 004 §II.2, §III.1).
//!
//! - A teacher or leader registers a personal signing account of kind
//!   [`SignerKind::Token`] (USB token, PKCS#11) or [`SignerKind::Remote`]
//!   (remote signing confirmed on a phone): state "Chờ duyệt". The school's
//!   administrator approves it ("Đã duyệt tài khoản") or rejects it with a
//!   reason ("Từ chối duyệt"). Only an approved account whose certificate is
//!   valid can sign ([`can_sign`]).
//! - The school registers its organisation certificate; the department or
//!   bureau approves it. Re-registering (with a reason) keeps the approved
//!   certificate usable until the new one is approved ([`active_org_request`]).
//! - "Lấy dữ liệu năm học trước" copies last year's approved accounts whose
//!   certificate is still valid ([`copy_decision`]).
//!
//! Certificates reach this module as [`CertificateFacts`] (read by
//! `hocba_signing::Certificate` in the web crate): this crate does no I/O and
//! no cryptography.

use hocba_text::{clean_input, fold};
use serde::Serialize;
use std::fmt;

/// Kinds of personal signing account (glossary: USB Token →
/// `SignerKind::Token`, Ký số từ xa → `SignerKind::Remote`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignerKind {
    Token,
    Remote,
}

impl SignerKind {
    pub const ALL: [SignerKind; 2] = [SignerKind::Token, SignerKind::Remote];

    pub fn code(self) -> &'static str {
        match self {
            SignerKind::Token => "token",
            SignerKind::Remote => "remote",
        }
    }

    pub fn from_code(code: &str) -> Option<SignerKind> {
        SignerKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// As the seed names them (§III.1 bước 2).
    pub fn label(self) -> &'static str {
        match self {
            SignerKind::Token => "USB Token",
            SignerKind::Remote => "Ký số từ xa (Remote Signing)",
        }
    }
}

/// Who a certificate belongs to, by the naming convention of Vietnamese CAs
/// (`UID=CCCD:` person, `UID=MST:`/`MNS:` organisation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Holder {
    Person,
    Organisation,
    Authority,
    Unknown,
}

/// What hocba needs to know of a certificate to register it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateFacts {
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub common_name: Option<String>,
    pub organisation: Option<String>,
    pub uid: Option<String>,
    pub holder: Holder,
    /// Validity, Unix milliseconds.
    pub not_before: i64,
    pub not_after: i64,
    /// SHA-256 of the DER, hex.
    pub fingerprint: String,
    /// The key usage allows signing documents.
    pub signs_documents: bool,
}

impl CertificateFacts {
    pub fn validity(&self) -> Validity {
        Validity {
            not_before: self.not_before,
            not_after: self.not_after,
        }
    }
}

/// A certificate's validity period, Unix milliseconds (both ends included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Validity {
    pub not_before: i64,
    pub not_after: i64,
}

impl Validity {
    pub fn contains(self, now: i64) -> bool {
        self.not_before <= now && now <= self.not_after
    }
}

/// Why a certificate cannot be registered. Each says why and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum CertificateRefusal {
    Expired {
        not_after: i64,
    },
    NotYetValid {
        not_before: i64,
    },
    /// A CA certificate, not a holder's.
    Authority,
    /// An organisation certificate offered as a personal one.
    NotPersonal,
    /// A personal certificate offered as the school's.
    NotOrganisation,
    CannotSignDocuments,
    /// The holder's name is not the person's (seed 004 §III.1: the account
    /// is "tài khoản chữ ký số cá nhân của mình").
    NameMismatch {
        certificate: String,
        person: String,
    },
}

impl CertificateRefusal {
    pub fn reason(&self) -> String {
        match self {
            CertificateRefusal::Expired { not_after } => format!(
                "Chứng thư số đã hết hạn ngày {}.",
                crate::date::vietnam_time(*not_after)
            ),
            CertificateRefusal::NotYetValid { not_before } => format!(
                "Chứng thư số chưa có hiệu lực: hiệu lực từ {}.",
                crate::date::vietnam_time(*not_before)
            ),
            CertificateRefusal::Authority => {
                "Tệp này là chứng thư số của tổ chức cấp chứng thư (CA), không phải chứng thư số của người ký.".into()
            }
            CertificateRefusal::NotPersonal => {
                "Đây là chứng thư số tổ chức (UID bắt đầu bằng MST: hoặc MNS:), không phải chứng thư số cá nhân.".into()
            }
            CertificateRefusal::NotOrganisation => {
                "Đây không phải chứng thư số tổ chức: nhà trường phải dùng chứng thư số tổ chức (UID bắt đầu bằng MST: hoặc MNS:), không dùng chứng thư số cá nhân.".into()
            }
            CertificateRefusal::CannotSignDocuments => {
                "Chứng thư số này không được dùng để ký văn bản (thuộc tính Key Usage không có chữ ký số).".into()
            }
            CertificateRefusal::NameMismatch {
                certificate,
                person,
            } => format!(
                "Chứng thư số mang tên “{certificate}”, không phải tên của bạn trong hồ sơ cán bộ (“{person}”)."
            ),
        }
    }

    pub fn remedy(&self) -> &'static str {
        match self {
            CertificateRefusal::Expired { .. } | CertificateRefusal::NotYetValid { .. } => {
                "Hãy gia hạn hoặc xin cấp chứng thư số mới ở nhà cung cấp chữ ký số rồi đăng ký lại với chứng thư số còn hiệu lực."
            }
            CertificateRefusal::Authority | CertificateRefusal::CannotSignDocuments => {
                "Hãy xuất đúng chứng thư số của người ký từ USB Token (tệp .cer/.crt/.pem) rồi tải lên lại."
            }
            CertificateRefusal::NotPersonal => {
                "Tài khoản ký cá nhân dùng chứng thư số cá nhân của chính bạn; chứng thư số của trường do quản trị viên đăng ký ở mục Chứng thư số nhà trường."
            }
            CertificateRefusal::NotOrganisation => {
                "Hãy tải lên chứng thư số tổ chức của trường (chứng thư số cấp cho đơn vị); chứng thư số cá nhân dùng để đăng ký tài khoản ký cá nhân."
            }
            CertificateRefusal::NameMismatch { .. } => {
                "Mỗi người đăng ký bằng chứng thư số của chính mình. Nếu tên trong hồ sơ cán bộ sai, hãy nhờ quản trị viên sửa hồ sơ rồi đăng ký lại."
            }
        }
    }
}

impl fmt::Display for CertificateRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.reason(), self.remedy())
    }
}

/// A registration accepted with something to look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum CertificateWarning {
    /// The names differ only by accents (e.g. a CA that writes without
    /// diacritics: "NGUYEN THI HUONG").
    NameAccents { certificate: String, person: String },
    /// The same words in another order ("Hương Nguyễn Thị").
    NameOrder { certificate: String, person: String },
    /// The organisation certificate names another unit than the school.
    OrganisationName { certificate: String, school: String },
    /// The certificate carries no `UID` saying whose it is.
    UnknownHolder,
}

impl CertificateWarning {
    pub fn message(&self) -> String {
        match self {
            CertificateWarning::NameAccents { certificate, person } => format!(
                "Tên trên chứng thư số (“{certificate}”) khác tên trong hồ sơ (“{person}”) ở dấu thanh; đã chấp nhận, quản trị viên kiểm tra khi duyệt."
            ),
            CertificateWarning::NameOrder { certificate, person } => format!(
                "Tên trên chứng thư số (“{certificate}”) và tên trong hồ sơ (“{person}”) có cùng các chữ nhưng khác thứ tự; đã chấp nhận, quản trị viên kiểm tra khi duyệt."
            ),
            CertificateWarning::OrganisationName { certificate, school } => format!(
                "Chứng thư số mang tên “{certificate}”, khác tên trường (“{school}”); Phòng/Sở GD&ĐT kiểm tra khi duyệt."
            ),
            CertificateWarning::UnknownHolder => {
                "Chứng thư số không ghi số định danh của người giữ (UID CCCD:/MST:/MNS:); người duyệt cần kiểm tra kỹ.".into()
            }
        }
    }
}

/// How a name on a certificate compares with a person's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameMatch {
    Same,
    /// Equal once accents are folded away (and case).
    Accents,
    /// The same folded words in another order.
    Order,
    Different,
}

/// Compares names: equal (NFC, whitespace, case) → `Same`; equal without
/// accents → `Accents`; the same words in another order → `Order`.
pub fn compare_names(certificate: &str, person: &str) -> NameMatch {
    let exact = |s: &str| clean_input(s).to_lowercase();
    if exact(certificate) == exact(person) {
        return NameMatch::Same;
    }
    let (a, b) = (fold(certificate), fold(person));
    if a == b {
        return NameMatch::Accents;
    }
    let words = |s: &str| {
        let mut w: Vec<String> = s.split(' ').map(str::to_owned).collect();
        w.sort();
        w
    };
    if !a.is_empty() && words(&a) == words(&b) {
        return NameMatch::Order;
    }
    NameMatch::Different
}

fn check_validity(cert: &CertificateFacts, now: i64) -> Result<(), CertificateRefusal> {
    if now < cert.not_before {
        return Err(CertificateRefusal::NotYetValid {
            not_before: cert.not_before,
        });
    }
    if now > cert.not_after {
        return Err(CertificateRefusal::Expired {
            not_after: cert.not_after,
        });
    }
    Ok(())
}

/// Checks a personal certificate offered by `person` at `now` (seed 004
/// §III.1). Names that differ only by accents or word order are accepted
/// with a warning (CAs often write names without diacritics, or family name
/// last); any other name is refused.
pub fn check_personal_certificate(
    cert: &CertificateFacts,
    person: &str,
    now: i64,
) -> Result<Vec<CertificateWarning>, CertificateRefusal> {
    match cert.holder {
        Holder::Authority => return Err(CertificateRefusal::Authority),
        Holder::Organisation => return Err(CertificateRefusal::NotPersonal),
        Holder::Person | Holder::Unknown => {}
    }
    if !cert.signs_documents {
        return Err(CertificateRefusal::CannotSignDocuments);
    }
    check_validity(cert, now)?;
    let mut warnings = Vec::new();
    if cert.holder == Holder::Unknown {
        warnings.push(CertificateWarning::UnknownHolder);
    }
    let name = cert.common_name.clone().unwrap_or_default();
    let pair = || (name.clone(), person.to_owned());
    match compare_names(&name, person) {
        NameMatch::Same => {}
        NameMatch::Accents => {
            let (certificate, person) = pair();
            warnings.push(CertificateWarning::NameAccents {
                certificate,
                person,
            });
        }
        NameMatch::Order => {
            let (certificate, person) = pair();
            warnings.push(CertificateWarning::NameOrder {
                certificate,
                person,
            });
        }
        NameMatch::Different => {
            let (certificate, person) = pair();
            return Err(CertificateRefusal::NameMismatch {
                certificate,
                person,
            });
        }
    }
    Ok(warnings)
}

/// Checks the school's organisation certificate (seed 004 §II.2 mục 1:
/// "phải có chứng thư số tổ chức (không dùng chứng thư số cá nhân)"). A
/// name other than the school's is only a warning: official names vary
/// ("Trường THPT Trần Phú" / "THPT Trần Phú - Hải Phòng") and the
/// department checks it when it approves.
pub fn check_org_certificate(
    cert: &CertificateFacts,
    school: &str,
    now: i64,
) -> Result<Vec<CertificateWarning>, CertificateRefusal> {
    match cert.holder {
        Holder::Organisation => {}
        Holder::Authority => return Err(CertificateRefusal::Authority),
        Holder::Person | Holder::Unknown => return Err(CertificateRefusal::NotOrganisation),
    }
    if !cert.signs_documents {
        return Err(CertificateRefusal::CannotSignDocuments);
    }
    check_validity(cert, now)?;
    let name = cert
        .common_name
        .clone()
        .or_else(|| cert.organisation.clone())
        .unwrap_or_default();
    let (a, b) = (fold(&name), fold(school));
    if a.is_empty() || !(a.contains(&b) || b.contains(&a)) {
        return Ok(vec![CertificateWarning::OrganisationName {
            certificate: name,
            school: school.to_owned(),
        }]);
    }
    Ok(Vec::new())
}

/// The states of a personal signing account (seed 004 §II.2 mục 2.1).
/// No account at all is "Chưa đăng ký tài khoản" (`Option::None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountState {
    /// Chờ duyệt.
    Pending,
    /// Đã duyệt tài khoản.
    Approved,
    /// Từ chối duyệt.
    Rejected,
}

/// Label of "no account yet".
pub const NOT_REGISTERED: &str = "Chưa đăng ký tài khoản";

impl AccountState {
    pub const ALL: [AccountState; 3] = [
        AccountState::Pending,
        AccountState::Approved,
        AccountState::Rejected,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AccountState::Pending => "pending",
            AccountState::Approved => "approved",
            AccountState::Rejected => "rejected",
        }
    }

    pub fn from_code(code: &str) -> Option<AccountState> {
        AccountState::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            AccountState::Pending => "Chờ duyệt",
            AccountState::Approved => "Đã duyệt tài khoản",
            AccountState::Rejected => "Từ chối duyệt",
        }
    }
}

/// What can happen to a signing account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountEvent {
    /// The holder registers (again): new certificate or provider details.
    Register,
    /// The administrator approves ("Duyệt tài khoản đăng ký").
    Approve,
    /// The administrator rejects, with the reason the holder will read.
    Reject { reason: String },
}

/// A transition the rules forbid, with why and what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum TransitionRefused {
    #[error("Người này chưa đăng ký tài khoản ký nên chưa có gì để duyệt hay từ chối.")]
    NotRegistered,
    #[error("Tài khoản ký này đã được duyệt rồi.")]
    AlreadyApproved,
    #[error("Tài khoản ký này đã bị từ chối; không duyệt được đăng ký đã bị từ chối.")]
    ApproveRejected,
    #[error("Tài khoản ký này đã bị từ chối rồi.")]
    AlreadyRejected,
    #[error("Tài khoản ký này đã được duyệt nên không từ chối được nữa.")]
    RejectApproved,
    #[error("Từ chối duyệt cần ghi lý do.")]
    ReasonRequired,
}

impl TransitionRefused {
    pub fn remedy(self) -> &'static str {
        match self {
            TransitionRefused::NotRegistered => {
                "Giáo viên, cán bộ quản lý tự đăng ký tài khoản ký ở mục Tài khoản ký của tôi; sau đó quản trị viên duyệt."
            }
            TransitionRefused::AlreadyApproved => {
                "Không cần làm gì thêm: người này đã ký được học bạ số."
            }
            TransitionRefused::ApproveRejected | TransitionRefused::AlreadyRejected => {
                "Người đăng ký sửa lại thông tin và đăng ký lại; đăng ký mới sẽ ở trạng thái Chờ duyệt để quản trị viên duyệt."
            }
            TransitionRefused::RejectApproved => {
                "Nếu chứng thư số thay đổi, người giữ tài khoản đăng ký lại (tài khoản về trạng thái Chờ duyệt) rồi quản trị viên duyệt lại."
            }
            TransitionRefused::ReasonRequired => {
                "Hãy ghi lý do để người đăng ký biết cần sửa gì (ví dụ: chứng thư số không đúng người)."
            }
        }
    }

    /// Reason and remedy, as shown to users.
    pub fn message(self) -> String {
        format!("{self} {}", self.remedy())
    }
}

/// The state machine of a signing account (seed 004 §II.2 mục 2.1, §III.1):
///
/// | from \ event | Register | Approve | Reject(reason) |
/// |---|---|---|---|
/// | none | Pending | refused | refused |
/// | Pending | Pending | Approved | Rejected |
/// | Approved | Pending (must be approved again) | refused | refused |
/// | Rejected | Pending | refused | refused |
pub fn transition(
    from: Option<AccountState>,
    event: &AccountEvent,
) -> Result<AccountState, TransitionRefused> {
    use AccountState::*;
    match (from, event) {
        (_, AccountEvent::Register) => Ok(Pending),
        (None, _) => Err(TransitionRefused::NotRegistered),
        (Some(Pending), AccountEvent::Approve) => Ok(Approved),
        (Some(Pending), AccountEvent::Reject { reason }) => {
            if clean_input(reason).is_empty() {
                Err(TransitionRefused::ReasonRequired)
            } else {
                Ok(Rejected)
            }
        }
        (Some(Approved), AccountEvent::Approve) => Err(TransitionRefused::AlreadyApproved),
        (Some(Approved), AccountEvent::Reject { .. }) => Err(TransitionRefused::RejectApproved),
        (Some(Rejected), AccountEvent::Approve) => Err(TransitionRefused::ApproveRejected),
        (Some(Rejected), AccountEvent::Reject { .. }) => Err(TransitionRefused::AlreadyRejected),
    }
}

/// Why an account cannot sign now (used by transcript signing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum CannotSign {
    #[error("Bạn chưa đăng ký tài khoản ký năm học này.")]
    NotRegistered,
    #[error("Tài khoản ký của bạn đang chờ quản trị viên duyệt.")]
    Pending,
    #[error("Tài khoản ký của bạn đã bị từ chối duyệt.")]
    Rejected,
    #[error("Chứng thư số của tài khoản ký đã hết hạn.")]
    Expired,
    #[error("Chứng thư số của tài khoản ký chưa có hiệu lực.")]
    NotYetValid,
}

impl CannotSign {
    pub fn remedy(&self) -> &'static str {
        match self {
            CannotSign::NotRegistered | CannotSign::Rejected => {
                "Hãy đăng ký (lại) tài khoản ký ở mục Tài khoản ký của tôi, rồi chờ quản trị viên duyệt."
            }
            CannotSign::Pending => "Hãy nhờ quản trị viên của trường duyệt tài khoản ký.",
            CannotSign::Expired | CannotSign::NotYetValid => {
                "Hãy đăng ký lại với chứng thư số còn hiệu lực, rồi chờ quản trị viên duyệt."
            }
        }
    }
}

/// Whether an account may sign at `now`: approved, with a certificate
/// valid then (seed 004 §II.2 mục 2.1: "Tài khoản chưa được duyệt sẽ không
/// thể ký học bạ số").
pub fn can_sign(state: Option<AccountState>, cert: Validity, now: i64) -> Result<(), CannotSign> {
    match state {
        None => Err(CannotSign::NotRegistered),
        Some(AccountState::Pending) => Err(CannotSign::Pending),
        Some(AccountState::Rejected) => Err(CannotSign::Rejected),
        Some(AccountState::Approved) if now < cert.not_before => Err(CannotSign::NotYetValid),
        Some(AccountState::Approved) if now > cert.not_after => Err(CannotSign::Expired),
        Some(AccountState::Approved) => Ok(()),
    }
}

/// Why last year's account is not copied into this year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum CopySkip {
    NotApproved {
        state: AccountState,
    },
    Expired {
        not_after: i64,
    },
    /// This year already has an account (registered or copied).
    AlreadyThisYear {
        state: AccountState,
    },
}

impl CopySkip {
    pub fn message(&self) -> String {
        match self {
            CopySkip::NotApproved { state } => format!(
                "năm học trước tài khoản ở trạng thái “{}”, chỉ sao chép tài khoản đã duyệt; người này cần đăng ký tài khoản ký năm nay",
                state.label()
            ),
            CopySkip::Expired { not_after } => format!(
                "chứng thư số đã hết hạn ngày {}; người này cần đăng ký lại với chứng thư số mới",
                crate::date::vietnam_time(*not_after)
            ),
            CopySkip::AlreadyThisYear { state } => format!(
                "năm học này đã có tài khoản ký (“{}”), giữ nguyên",
                state.label()
            ),
        }
    }
}

/// "Lấy dữ liệu năm học trước" (seed 004 §II.2 mục 2.1, lưu ý): last
/// year's approval is copied when it was approved, its certificate is still
/// valid at `now`, and this year has no account for the person yet.
pub fn copy_decision(
    last_year: AccountState,
    cert: Validity,
    this_year: Option<AccountState>,
    now: i64,
) -> Result<(), CopySkip> {
    if let Some(state) = this_year {
        return Err(CopySkip::AlreadyThisYear { state });
    }
    if last_year != AccountState::Approved {
        return Err(CopySkip::NotApproved { state: last_year });
    }
    if !cert.contains(now) {
        return Err(CopySkip::Expired {
            not_after: cert.not_after,
        });
    }
    Ok(())
}

/// The states of a request to register the school's organisation
/// certificate (seed 004 §II.2 mục 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgRequestState {
    /// Chờ duyệt đăng ký.
    Pending,
    /// Đã duyệt: the certificate the school issues with.
    Approved,
    /// Từ chối duyệt.
    Rejected,
    /// Đã thay thế: approved once, replaced by a newer approved one.
    Superseded,
}

impl OrgRequestState {
    pub const ALL: [OrgRequestState; 4] = [
        OrgRequestState::Pending,
        OrgRequestState::Approved,
        OrgRequestState::Rejected,
        OrgRequestState::Superseded,
    ];

    pub fn code(self) -> &'static str {
        match self {
            OrgRequestState::Pending => "pending",
            OrgRequestState::Approved => "approved",
            OrgRequestState::Rejected => "rejected",
            OrgRequestState::Superseded => "superseded",
        }
    }

    pub fn from_code(code: &str) -> Option<OrgRequestState> {
        OrgRequestState::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            OrgRequestState::Pending => "Chờ duyệt đăng ký",
            OrgRequestState::Approved => "Đã duyệt",
            OrgRequestState::Rejected => "Từ chối duyệt",
            OrgRequestState::Superseded => "Đã thay thế",
        }
    }
}

/// A department's answer to an organisation-certificate request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrgDecision {
    Approve,
    Reject { reason: String },
}

/// Why an organisation-certificate request cannot be made or decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum OrgRefusal {
    #[error("Trường đang có một yêu cầu đăng ký chứng thư số chờ Phòng/Sở GD&ĐT duyệt.")]
    PendingExists,
    #[error("Trường đã có chứng thư số được duyệt: đăng ký lại cần ghi lý do.")]
    ReasonRequired,
    #[error("Yêu cầu này đã được xử lý (không còn ở trạng thái Chờ duyệt đăng ký).")]
    NotPending,
    #[error("Từ chối duyệt cần ghi lý do.")]
    RejectReasonRequired,
}

impl OrgRefusal {
    pub fn remedy(self) -> &'static str {
        match self {
            OrgRefusal::PendingExists => {
                "Hãy chờ Phòng/Sở GD&ĐT duyệt hoặc từ chối yêu cầu đó (xem Lịch sử yêu cầu đăng ký), rồi mới gửi yêu cầu mới."
            }
            OrgRefusal::ReasonRequired => {
                "Ghi lý do đăng ký lại (ví dụ: chứng thư số cũ sắp hết hạn). Chứng thư số cũ vẫn dùng để ký phát hành cho đến khi chứng thư mới được duyệt."
            }
            OrgRefusal::NotPending => "Xem Lịch sử yêu cầu đăng ký để biết kết quả đã xử lý.",
            OrgRefusal::RejectReasonRequired => {
                "Hãy ghi lý do để nhà trường biết cần sửa gì rồi đăng ký lại."
            }
        }
    }

    pub fn message(self) -> String {
        format!("{self} {}", self.remedy())
    }
}

/// Whether the school may send a new request, given the states of its
/// requests this year: never while one is pending; with a reason when one
/// is already approved (seed 004 §II.2 mục 1, "Gửi yêu cầu đăng ký lại").
pub fn check_org_registration(
    existing: &[OrgRequestState],
    reason: Option<&str>,
) -> Result<(), OrgRefusal> {
    if existing.contains(&OrgRequestState::Pending) {
        return Err(OrgRefusal::PendingExists);
    }
    let has_reason = reason.is_some_and(|r| !clean_input(r).is_empty());
    if existing.contains(&OrgRequestState::Approved) && !has_reason {
        return Err(OrgRefusal::ReasonRequired);
    }
    Ok(())
}

/// The department's decision on one request. On approval, the previously
/// approved request (if any) becomes [`OrgRequestState::Superseded`]; until
/// then it stays approved and usable ("trạng thái chứng thư số vẫn hiển thị
/// Đã duyệt … có thể thực hiện ký phát hành trên chứng thư cũ").
pub fn decide_org_request(
    state: OrgRequestState,
    decision: &OrgDecision,
) -> Result<OrgRequestState, OrgRefusal> {
    if state != OrgRequestState::Pending {
        return Err(OrgRefusal::NotPending);
    }
    match decision {
        OrgDecision::Approve => Ok(OrgRequestState::Approved),
        OrgDecision::Reject { reason } if clean_input(reason).is_empty() => {
            Err(OrgRefusal::RejectReasonRequired)
        }
        OrgDecision::Reject { .. } => Ok(OrgRequestState::Rejected),
    }
}

/// The request whose certificate the school issues with: the approved one
/// (at most one is approved at a time; the index into `requests`).
pub fn active_org_request(requests: &[OrgRequestState]) -> Option<usize> {
    requests
        .iter()
        .position(|s| *s == OrgRequestState::Approved)
}

/// Signing permissions the administrator grants to staff (seed 004 §II.2
/// mục 2.2; glossary: Nhân sự ký phát hành, Người đóng dấu, Ký thay hiệu
/// trưởng).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Signs the issuance signature with the school's organisation certificate.
    IssueSign,
    /// Stamps the seal.
    Seal,
    /// Signs on behalf of the principal.
    Delegate,
}

impl Permission {
    pub const ALL: [Permission; 3] = [
        Permission::IssueSign,
        Permission::Seal,
        Permission::Delegate,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Permission::IssueSign => "issue_sign",
            Permission::Seal => "seal",
            Permission::Delegate => "delegate",
        }
    }

    pub fn from_code(code: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Permission::IssueSign => "Nhân sự ký phát hành",
            Permission::Seal => "Người đóng dấu",
            Permission::Delegate => "Ký thay hiệu trưởng",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;
    const NOW: i64 = 1_780_000_000_000;

    fn cert(name: &str, holder: Holder) -> CertificateFacts {
        CertificateFacts {
            subject: format!("CN={name}"),
            issuer: "CN=hocba Test Issuing CA".into(),
            serial: "01".into(),
            common_name: Some(name.into()),
            organisation: Some("Trường THPT Trần Phú".into()),
            uid: Some("CCCD:001190012345".into()),
            holder,
            not_before: NOW - 30 * DAY,
            not_after: NOW + 700 * DAY,
            fingerprint: "00".into(),
            signs_documents: true,
        }
    }

    /// The whole table of [`transition`], written out by hand.
    #[test]
    fn the_account_state_machine_follows_the_table() {
        use AccountState::*;
        let reject = AccountEvent::Reject {
            reason: "Chứng thư không đúng người".into(),
        };
        let blank_reject = AccountEvent::Reject {
            reason: "  \t".into(),
        };
        let register = AccountEvent::Register;
        let approve = AccountEvent::Approve;
        type Row<'a> = (
            Option<AccountState>,
            &'a AccountEvent,
            Result<AccountState, TransitionRefused>,
        );
        let table: Vec<Row> = vec![
            (None, &register, Ok(Pending)),
            (None, &approve, Err(TransitionRefused::NotRegistered)),
            (None, &reject, Err(TransitionRefused::NotRegistered)),
            (Some(Pending), &register, Ok(Pending)),
            (Some(Pending), &approve, Ok(Approved)),
            (Some(Pending), &reject, Ok(Rejected)),
            (
                Some(Pending),
                &blank_reject,
                Err(TransitionRefused::ReasonRequired),
            ),
            (Some(Approved), &register, Ok(Pending)),
            (
                Some(Approved),
                &approve,
                Err(TransitionRefused::AlreadyApproved),
            ),
            (
                Some(Approved),
                &reject,
                Err(TransitionRefused::RejectApproved),
            ),
            (Some(Rejected), &register, Ok(Pending)),
            (
                Some(Rejected),
                &approve,
                Err(TransitionRefused::ApproveRejected),
            ),
            (
                Some(Rejected),
                &reject,
                Err(TransitionRefused::AlreadyRejected),
            ),
        ];
        for (from, event, expected) in table {
            assert_eq!(transition(from, event), expected, "{from:?} {event:?}");
        }
        // Every refusal says why and what to do, in Vietnamese.
        for refusal in [
            TransitionRefused::NotRegistered,
            TransitionRefused::AlreadyApproved,
            TransitionRefused::ApproveRejected,
            TransitionRefused::AlreadyRejected,
            TransitionRefused::RejectApproved,
            TransitionRefused::ReasonRequired,
        ] {
            let message = refusal.message();
            assert!(
                message.chars().count() > 60 && message.ends_with('.'),
                "{message}"
            );
        }
    }

    #[test]
    fn only_approved_accounts_with_a_valid_certificate_sign() {
        let c = cert("Nguyễn Thị Hương", Holder::Person);
        let table: Vec<(Option<AccountState>, i64, Result<(), CannotSign>)> = vec![
            (None, NOW, Err(CannotSign::NotRegistered)),
            (Some(AccountState::Pending), NOW, Err(CannotSign::Pending)),
            (Some(AccountState::Rejected), NOW, Err(CannotSign::Rejected)),
            (Some(AccountState::Approved), NOW, Ok(())),
            (
                Some(AccountState::Approved),
                NOW + 701 * DAY,
                Err(CannotSign::Expired),
            ),
            (
                Some(AccountState::Approved),
                NOW - 31 * DAY,
                Err(CannotSign::NotYetValid),
            ),
        ];
        for (state, at, expected) in table {
            assert_eq!(
                can_sign(state, c.validity(), at),
                expected,
                "{state:?} at {at}"
            );
        }
    }

    #[test]
    fn personal_certificates_are_checked_against_the_person() {
        let person = "Nguyễn Thị Hương";
        let ok = |name: &str, holder| check_personal_certificate(&cert(name, holder), person, NOW);
        assert_eq!(ok("Nguyễn Thị Hương", Holder::Person), Ok(vec![]));
        assert_eq!(ok("NGUYỄN  THỊ HƯƠNG", Holder::Person), Ok(vec![]));
        assert!(matches!(
            ok("NGUYEN THI HUONG", Holder::Person).unwrap()[..],
            [CertificateWarning::NameAccents { .. }]
        ));
        assert!(matches!(
            ok("Hương Nguyễn Thị", Holder::Person).unwrap()[..],
            [CertificateWarning::NameOrder { .. }]
        ));
        assert!(matches!(
            ok("Trần Văn Đức", Holder::Person),
            Err(CertificateRefusal::NameMismatch { .. })
        ));
        assert!(matches!(
            ok("Nguyễn Thị Hường Anh", Holder::Person),
            Err(CertificateRefusal::NameMismatch { .. })
        ));
        assert_eq!(
            ok("Nguyễn Thị Hương", Holder::Organisation),
            Err(CertificateRefusal::NotPersonal)
        );
        assert_eq!(
            ok("Nguyễn Thị Hương", Holder::Authority),
            Err(CertificateRefusal::Authority)
        );
        assert!(matches!(
            ok("Nguyễn Thị Hương", Holder::Unknown).unwrap()[..],
            [CertificateWarning::UnknownHolder]
        ));
        let c = cert(person, Holder::Person);
        assert!(matches!(
            check_personal_certificate(&c, person, NOW + 800 * DAY),
            Err(CertificateRefusal::Expired { .. })
        ));
        assert!(matches!(
            check_personal_certificate(&c, person, NOW - 40 * DAY),
            Err(CertificateRefusal::NotYetValid { .. })
        ));
        let refusal = check_personal_certificate(&c, person, NOW + 800 * DAY).unwrap_err();
        assert!(refusal.to_string().contains("hết hạn"), "{refusal}");
        assert!(refusal.remedy().contains("đăng ký lại"), "{refusal}");
    }

    #[test]
    fn organisation_certificates_must_be_organisations() {
        let school = "Trường THPT Trần Phú";
        let org = cert("Trường THPT Trần Phú", Holder::Organisation);
        assert_eq!(check_org_certificate(&org, school, NOW), Ok(vec![]));
        assert_eq!(
            check_org_certificate(&org, "THPT Trần Phú", NOW),
            Ok(vec![])
        );
        assert!(matches!(
            check_org_certificate(&org, "Trường THCS Lê Lợi", NOW).unwrap()[..],
            [CertificateWarning::OrganisationName { .. }]
        ));
        assert_eq!(
            check_org_certificate(&cert("Nguyễn Thị Hương", Holder::Person), school, NOW),
            Err(CertificateRefusal::NotOrganisation)
        );
    }

    #[test]
    fn copying_last_year_keeps_only_valid_approvals() {
        let valid = cert("Lê Thị Ánh", Holder::Person).validity();
        let expired = Validity {
            not_after: NOW - DAY,
            ..valid
        };
        use AccountState::*;
        assert_eq!(copy_decision(Approved, valid, None, NOW), Ok(()));
        assert!(matches!(
            copy_decision(Approved, expired, None, NOW),
            Err(CopySkip::Expired { .. })
        ));
        assert_eq!(
            copy_decision(Pending, valid, None, NOW),
            Err(CopySkip::NotApproved { state: Pending })
        );
        assert_eq!(
            copy_decision(Approved, valid, Some(Pending), NOW),
            Err(CopySkip::AlreadyThisYear { state: Pending })
        );
        let message = CopySkip::Expired { not_after: NOW }.message();
        assert!(message.contains("hết hạn"), "{message}");
    }

    #[test]
    fn organisation_requests_keep_the_old_certificate_until_approval() {
        use OrgRequestState::*;
        // Registration: table of (existing, reason, expected).
        type Row<'a> = (
            &'a [OrgRequestState],
            Option<&'a str>,
            Result<(), OrgRefusal>,
        );
        let table: Vec<Row> = vec![
            (&[], None, Ok(())),
            (&[Rejected], None, Ok(())),
            (&[Approved], None, Err(OrgRefusal::ReasonRequired)),
            (&[Approved], Some(" "), Err(OrgRefusal::ReasonRequired)),
            (&[Approved], Some("Chứng thư cũ sắp hết hạn"), Ok(())),
            (
                &[Approved, Pending],
                Some("lần nữa"),
                Err(OrgRefusal::PendingExists),
            ),
            (&[Superseded, Approved], Some("đổi token"), Ok(())),
        ];
        for (existing, reason, expected) in table {
            assert_eq!(
                check_org_registration(existing, reason),
                expected,
                "{existing:?} {reason:?}"
            );
        }
        // Decisions: only pending requests are decided.
        let reject = OrgDecision::Reject {
            reason: "Sai đơn vị".into(),
        };
        for state in OrgRequestState::ALL {
            let expected_approve = if state == Pending {
                Ok(Approved)
            } else {
                Err(OrgRefusal::NotPending)
            };
            assert_eq!(
                decide_org_request(state, &OrgDecision::Approve),
                expected_approve
            );
            let expected_reject = if state == Pending {
                Ok(Rejected)
            } else {
                Err(OrgRefusal::NotPending)
            };
            assert_eq!(decide_org_request(state, &reject), expected_reject);
        }
        assert_eq!(
            decide_org_request(
                Pending,
                &OrgDecision::Reject {
                    reason: String::new()
                }
            ),
            Err(OrgRefusal::RejectReasonRequired)
        );
        // While the new one waits, the old one is the active one.
        assert_eq!(
            active_org_request(&[Superseded, Approved, Pending]),
            Some(1)
        );
        assert_eq!(active_org_request(&[Pending]), None);
    }

    #[test]
    fn codes_round_trip() {
        for p in Permission::ALL {
            assert_eq!(Permission::from_code(p.code()), Some(p));
        }
        for s in AccountState::ALL {
            assert_eq!(AccountState::from_code(s.code()), Some(s));
        }
        for s in OrgRequestState::ALL {
            assert_eq!(OrgRequestState::from_code(s.code()), Some(s));
        }
        for k in SignerKind::ALL {
            assert_eq!(SignerKind::from_code(k.code()), Some(k));
        }
    }
}
