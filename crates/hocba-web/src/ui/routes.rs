//! The UI's routes as data: method, path, the access decision the handler
//! makes first, and a summary. The UI access-matrix test
//! (`crates/hocba/tests/ui_access_matrix.rs`) walks these tables (every route
//! × every role × own school / another school), and the unit test below
//! proves they list exactly the routes of `ui::routes()`, so a page added
//! without an entry here fails the build's tests.

use hocba_domain::access::{Action, UnitAction};

/// The access decision a UI handler makes before it reads or writes data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (the login page; `/` sends strangers to it).
    Public,
    /// Any signed-in user, about their own session or account.
    SignedIn,
    /// `hocba_domain::access::authorise` on the school of the path.
    School(Action),
    /// `hocba_domain::access::authorise_unit` on the unit of the path.
    Unit(UnitAction),
}

/// Which class the decision is scoped to (`Target::class`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassScope {
    /// No class: the decision is about the whole school.
    School,
    /// The `{class}` of the path.
    PathClass,
    /// The class of the path's `{student}` in the current school year (a
    /// homeroom teacher may edit only the students of their class).
    StudentClass,
    /// The `{class}`, `{subject}` and `{semester}` of the path: one
    /// gradebook (a subject teacher sees only what they are assigned).
    Gradebook,
    /// The `{class}` and `{subject}` of the path and the semester of its
    /// `{milestone}`: one subject of a primary class (TT27).
    PrimarySubject,
}

/// What a POST carries besides the CSRF token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// A GET: nothing.
    None,
    /// `application/x-www-form-urlencoded` (`SubmittedForm`).
    Urlencoded,
    /// `multipart/form-data` with a file (`Upload`).
    Multipart,
}

#[derive(Debug, Clone, Copy)]
pub struct UiRoute {
    pub method: &'static str,
    pub path: &'static str,
    /// The decisive access decision: the one whose refusal the handler
    /// returns. (`save_student` first asks `ViewStudents` for the school,
    /// then `EditStudent` for the student's class; whoever may do the
    /// second may do the first, so the second decides.)
    pub access: Access,
    pub class: ClassScope,
    pub form: Form,
    pub summary: &'static str,
}

impl UiRoute {
    /// The school action, for the routes of [`SCHOOL_UI_ROUTES`].
    pub fn action(&self) -> Option<Action> {
        match self.access {
            Access::School(action) => Some(action),
            _ => None,
        }
    }
}

const fn route(
    method: &'static str,
    path: &'static str,
    access: Access,
    class: ClassScope,
    summary: &'static str,
) -> UiRoute {
    let form = if matches!(method.as_bytes(), b"GET") {
        Form::None
    } else {
        Form::Urlencoded
    };
    UiRoute {
        method,
        path,
        access,
        class,
        form,
        summary,
    }
}

const fn upload(path: &'static str, action: Action, summary: &'static str) -> UiRoute {
    UiRoute {
        method: "POST",
        path,
        access: Access::School(action),
        class: ClassScope::School,
        form: Form::Multipart,
        summary,
    }
}

use Access::{Public, School, SignedIn, Unit};
use Action::*;
use ClassScope::{Gradebook, PathClass, PrimarySubject, StudentClass};
use UnitAction::{ApproveOrgCertificate, ManageUnit, ViewUnit};

const NONE: ClassScope = ClassScope::School;

/// Every school-scoped page and form of the UI (`/schools/{school}/…`).
#[rustfmt::skip]
pub const SCHOOL_UI_ROUTES: &[UiRoute] = &[
    route("GET", "/schools/{school}", School(ViewSchool), NONE, "Tổng quan trường"),
    route("GET", "/schools/{school}/profile", School(ViewSchool), NONE, "Thông tin trường"),
    route("POST", "/schools/{school}/profile", School(ManageSchool), NONE, "Sửa thông tin trường"),
    route("GET", "/schools/{school}/years", School(ViewSchool), NONE, "Năm học"),
    route("POST", "/schools/{school}/years", School(ManageSchool), NONE, "Tạo năm học"),
    route("POST", "/schools/{school}/years/{year}/rollover", School(ManageSchool), NONE, "Kết chuyển sang năm học mới"),
    route("GET", "/schools/{school}/subjects", School(ViewSchool), NONE, "Môn học theo khối"),
    route("POST", "/schools/{school}/subjects/{subject}", School(ManageSchool), NONE, "Sửa số tiết, hình thức đánh giá"),
    route("GET", "/schools/{school}/campuses", School(ViewSchool), NONE, "Điểm trường phụ"),
    route("POST", "/schools/{school}/campuses", School(ManageSchool), NONE, "Thêm hoặc sửa điểm trường"),
    route("POST", "/schools/{school}/campuses/{campus}/delete", School(ManageSchool), NONE, "Xóa điểm trường"),
    route("GET", "/schools/{school}/classes", School(ViewSchool), NONE, "Danh sách lớp"),
    route("POST", "/schools/{school}/classes", School(ManageSchool), NONE, "Thêm lớp"),
    route("GET", "/schools/{school}/classes/{class}", School(ViewStudents), PathClass, "Một lớp và danh sách học sinh"),
    route("POST", "/schools/{school}/classes/{class}/edit", School(ManageSchool), NONE, "Sửa lớp"),
    route("POST", "/schools/{school}/classes/{class}/remove", School(ManageSchool), NONE, "Giải thể hoặc xóa lớp (lớp trống)"),
    route("GET", "/schools/{school}/classes/{class}/assignments", School(ViewSchool), NONE, "Phân công giảng dạy và chủ nhiệm của lớp"),
    route("POST", "/schools/{school}/classes/{class}/assignments", School(ManageSchool), NONE, "Lưu phân công giảng dạy và chủ nhiệm"),
    route("GET", "/schools/{school}/students", School(ViewStudents), NONE, "Tìm học sinh"),
    route("GET", "/schools/{school}/students/new", School(ManageStudents), NONE, "Biểu mẫu thêm học sinh"),
    route("POST", "/schools/{school}/students/new", School(ManageStudents), NONE, "Thêm học sinh (hoặc tiếp nhận chuyển đến)"),
    route("GET", "/schools/{school}/students/{student}", School(ViewStudents), NONE, "Hồ sơ học sinh"),
    route("POST", "/schools/{school}/students/{student}", School(EditStudent), StudentClass, "Sửa hồ sơ học sinh"),
    route("POST", "/schools/{school}/students/{student}/move", School(ManageStudents), NONE, "Chuyển lớp"),
    route("POST", "/schools/{school}/students/{student}/transfer-out", School(ManageStudents), NONE, "Chuyển đi"),
    route("POST", "/schools/{school}/students/{student}/decision", School(ManageStudents), NONE, "Xét lên lớp / ở lại lớp"),
    route("POST", "/schools/{school}/students/{student}/delete", School(ManageStudents), NONE, "Xóa học sinh"),
    route("GET", "/schools/{school}/students/import", School(ManageStudents), NONE, "Trang nhập học sinh từ Excel"),
    upload("/schools/{school}/students/import", ManageStudents, "Nhập học sinh từ Excel"),
    route("GET", "/schools/{school}/students.xlsx", School(ManageStudents), NONE, "Tệp Excel học sinh (có sẵn dữ liệu)"),
    route("GET", "/schools/{school}/staff", School(ViewSchool), NONE, "Cán bộ, giáo viên"),
    route("GET", "/schools/{school}/staff/new", School(ManageStaff), NONE, "Biểu mẫu thêm cán bộ"),
    route("POST", "/schools/{school}/staff/new", School(ManageStaff), NONE, "Thêm cán bộ"),
    route("GET", "/schools/{school}/staff/{staff}", School(ViewSchool), NONE, "Hồ sơ cán bộ"),
    route("POST", "/schools/{school}/staff/{staff}", School(ManageStaff), NONE, "Sửa hồ sơ cán bộ"),
    upload("/schools/{school}/staff/import", ManageStaff, "Nhập cán bộ từ Excel"),
    route("GET", "/schools/{school}/staff.xlsx", School(ManageStaff), NONE, "Tệp Excel cán bộ (có sẵn dữ liệu)"),
    route("GET", "/schools/{school}/accounts", School(ManageAccounts), NONE, "Tài khoản của trường"),
    route("POST", "/schools/{school}/accounts", School(ManageAccounts), NONE, "Tạo tài khoản"),
    route("POST", "/schools/{school}/accounts/{user}/reset", School(ManageAccounts), NONE, "Đặt lại mật khẩu"),
    route("GET", "/schools/{school}/audit", School(ViewAudit), NONE, "Nhật ký thay đổi"),
    route("GET", "/schools/{school}/classes/{class}/gradebook", School(ViewSchool), NONE, "Sổ điểm của lớp: môn × học kỳ, đã hay chưa khai báo số cột, tiến độ nhập"),
    route("GET", "/schools/{school}/gradebook/{class}/{subject}/{semester}", School(ViewGradebook), Gradebook, "Sổ điểm (bảng nhập điểm) của lớp × môn × học kỳ"),
    route("GET", "/schools/{school}/classes/{class}/gradebook/{semester}/excel", School(EnterScores), PathClass, "Sổ điểm cả lớp bằng Excel: các môn có trong tệp, các môn không có và lý do, tải về"),
    UiRoute { method: "POST", path: "/schools/{school}/classes/{class}/gradebook/{semester}/excel", access: School(EnterScores), class: PathClass, form: Form::Multipart, summary: "Nhập sổ điểm cả lớp từ Excel: tất cả hoặc không, bảng lỗi theo trang tính, dòng, cột" },
    route("GET", "/schools/{school}/classes/{class}/primary/{milestone}", School(ViewGradebook), PathClass, "Đánh giá tiểu học (Thông tư 27/2020) của lớp ở một thời điểm: bảng nhập mức đạt được, điểm kiểm tra, phẩm chất, năng lực, nhận xét và tổng hợp với lý do từng học sinh"),
    route("POST", "/schools/{school}/classes/{class}/primary/{milestone}", School(EnterConduct), PathClass, "Lưu đánh giá tiểu học của lớp (giáo viên chủ nhiệm), tất cả hoặc không"),
    route("GET", "/schools/{school}/classes/{class}/primary/{milestone}/subjects/{subject}", School(ViewGradebook), PrimarySubject, "Đánh giá tiểu học một môn của lớp ở một thời điểm: mức đạt được và điểm kiểm tra (giáo viên bộ môn)"),
    route("POST", "/schools/{school}/classes/{class}/primary/{milestone}/subjects/{subject}", School(EnterScores), PrimarySubject, "Lưu mức đạt được và điểm kiểm tra của một môn (giáo viên được phân công), tất cả hoặc không"),
    route("POST", "/schools/{school}/classes/{class}/primary/{milestone}/close", School(EnterConduct), PathClass, "Xác nhận hoàn thành đánh giá tiểu học (cuối học kỳ I, cuối năm học), khóa sổ"),
    route("POST", "/schools/{school}/classes/{class}/primary/{milestone}/reopen", School(ManageGradebook), PathClass, "Mở lại sổ tiểu học đã khóa (có lý do)"),
    // Exams and the sync into the gradebook (seed 000).
    route("GET", "/schools/{school}/exams", School(ViewExams), NONE, "Kỳ thi cấp trường của năm học, liên kết với sổ điểm"),
    route("POST", "/schools/{school}/exams", School(ManageExams), NONE, "Tạo kỳ thi"),
    route("POST", "/schools/{school}/exam-settings", School(ManageExams), NONE, "Bật/tắt liên kết khảo thí với sổ điểm"),
    route("GET", "/schools/{school}/exams/{exam}", School(ViewExams), NONE, "Một kỳ thi: các đề thi, thêm đề, sửa, xóa"),
    route("POST", "/schools/{school}/exams/{exam}", School(ManageExams), NONE, "Sửa kỳ thi"),
    route("POST", "/schools/{school}/exams/{exam}/delete", School(ManageExams), NONE, "Xóa kỳ thi"),
    upload("/schools/{school}/exams/{exam}/papers", ManageExams, "Thêm đề thi (môn, các lớp)"),
    route("GET", "/schools/{school}/exam-papers/{paper}", School(ViewExams), NONE, "Bảng điểm của đề thi, biểu tượng khiên với điểm đã đồng bộ"),
    route("POST", "/schools/{school}/exam-papers/{paper}/scores", School(ManageExams), NONE, "Lưu bảng điểm, tất cả hoặc không"),
    route("POST", "/schools/{school}/exam-papers/{paper}/final", School(ManageExams), NONE, "Chốt điểm hoặc mở chốt"),
    route("POST", "/schools/{school}/exam-papers/{paper}/delete", School(ManageExams), NONE, "Xóa đề thi"),
    upload("/schools/{school}/exam-papers/{paper}/import", ManageExams, "Nhập bảng điểm từ Excel"),
    route("GET", "/schools/{school}/exam-papers/{paper}/sync", School(SyncExamScores), NONE, "Đồng bộ điểm: cột chọn được của từng lớp, lý do lớp, cột, học sinh bị bỏ qua; kết quả đồng bộ"),
    route("POST", "/schools/{school}/exam-papers/{paper}/sync", School(SyncExamScores), NONE, "Đồng bộ điểm sang sổ điểm (một lần cho mỗi đề thi)"),
    route("GET", "/schools/{school}/exam-papers/{paper}/sync/progress", School(SyncExamScores), NONE, "Tiến độ đồng bộ từng lớp (JSON, trang đồng bộ đọc liên tục)"),
    route("POST", "/schools/{school}/exam-papers/{paper}/sync/resume", School(SyncExamScores), NONE, "Tiếp tục lần đồng bộ bị gián đoạn"),
    // Signing accounts (seed 004 §II.2, §III.1).
    route("GET", "/schools/{school}/signing-account", School(RegisterSigningAccount), NONE, "Tài khoản ký của tôi: trạng thái, đăng ký USB Token hoặc ký số từ xa"),
    upload("/schools/{school}/signing-account", RegisterSigningAccount, "Đăng ký tài khoản ký USB Token (tải lên chứng thư số)"),
    route("POST", "/schools/{school}/signing-account/remote", School(RegisterSigningAccount), NONE, "Đăng ký tài khoản ký số từ xa"),
    // Learning systems (LMS) writing through OneRoster 1.2 Gradebook.
    route("GET", "/schools/{school}/lms-clients", School(ManageLmsClients), NONE, "Ứng dụng LMS: danh sách, cấp mới (mã bí mật hiện một lần), thu hồi"),
    route("POST", "/schools/{school}/lms-clients", School(ManageLmsClients), NONE, "Cấp ứng dụng LMS"),
    route("POST", "/schools/{school}/lms-clients/revoke", School(ManageLmsClients), NONE, "Thu hồi ứng dụng LMS"),
    route("GET", "/schools/{school}/signing", School(ViewSigningAccounts), NONE, "Duyệt tài khoản ký, phân quyền ký, chứng thư số nhà trường và lịch sử yêu cầu"),
    route("POST", "/schools/{school}/signing-accounts/{staff}/approve", School(ManageSigningAccounts), NONE, "Duyệt tài khoản đăng ký"),
    route("POST", "/schools/{school}/signing-accounts/{staff}/reject", School(ManageSigningAccounts), NONE, "Từ chối tài khoản (có lý do)"),
    route("POST", "/schools/{school}/signing-accounts/copy-previous-year", School(ManageSigningAccounts), NONE, "Lấy dữ liệu năm học trước"),
    route("POST", "/schools/{school}/signing-permissions/{staff}", School(ManageSigningAccounts), NONE, "Phân quyền ký (ký phát hành, đóng dấu, ký thay hiệu trưởng)"),
    upload("/schools/{school}/org-certificates", RegisterOrgCertificate, "Đăng ký (lại) chứng thư số nhà trường"),
    route("GET", "/schools/{school}/summaries", School(ViewGradebook), NONE, "Tổng kết toàn trường (?semester=1|2): các lớp, khóa sổ, thống kê, danh sách xét lên lớp, tiến độ nhập điểm"),
    route("POST", "/schools/{school}/summaries", School(ManageGradebook), NONE, "Tổng kết toàn trường, tất cả hoặc không (semester: 1 hoặc 2)"),
    route("GET", "/schools/{school}/classes/{class}/summary/{semester}", School(ViewGradebook), PathClass, "Tổng kết của lớp: kết quả và lý do từng học sinh, biểu đồ phân bố điểm"),
    route("POST", "/schools/{school}/classes/{class}/summary/{semester}", School(EnterConduct), PathClass, "Tổng kết lớp (tính và lưu)"),
    route("POST", "/schools/{school}/classes/{class}/summary/{semester}/close", School(EnterConduct), PathClass, "Xác nhận hoàn thành tổng kết, khóa sổ"),
    route("POST", "/schools/{school}/classes/{class}/summary/{semester}/reopen", School(ManageGradebook), PathClass, "Mở lại sổ đã khóa (có lý do)"),
    // After the year, per student, from the class summary.
    route("GET", "/schools/{school}/classes/{class}/students/{student}/after-year", School(EnterConduct), PathClass, "Sau năm học: số buổi nghỉ, rèn luyện hè, kiểm tra lại, điểm mang từ trường cũ và kết quả tính lại"),
    route("POST", "/schools/{school}/classes/{class}/students/{student}/year-record", School(EnterConduct), PathClass, "Lưu số buổi nghỉ và kết quả rèn luyện trong hè, tổng kết lại"),
    route("POST", "/schools/{school}/classes/{class}/students/{student}/retests", School(ManageGradebook), PathClass, "Lưu kết quả kiểm tra lại, tổng kết lại"),
    route("POST", "/schools/{school}/classes/{class}/students/{student}/transferred-averages", School(ManageGradebook), PathClass, "Lưu điểm trung bình mang từ trường cũ, tổng kết lại"),
];

/// The routes not tied to one school: the session's own pages, and the
/// organisation tree (`authorise_unit`).
#[rustfmt::skip]
pub const GENERAL_UI_ROUTES: &[UiRoute] = &[
    route("GET", "/", Public, NONE, "Trang chủ theo vai trò (người chưa đăng nhập: sang trang đăng nhập)"),
    route("GET", "/login", Public, NONE, "Trang đăng nhập"),
    route("POST", "/login", Public, NONE, "Đăng nhập: {username, password} → cookie phiên"),
    route("POST", "/logout", SignedIn, NONE, "Đăng xuất (hủy phiên)"),
    route("GET", "/password", SignedIn, NONE, "Trang đổi mật khẩu"),
    route("POST", "/password", SignedIn, NONE, "Đổi mật khẩu của mình"),
    route("GET", "/units/{unit}", Unit(ViewUnit), NONE, "Đơn vị và các đơn vị, trường trực thuộc"),
    route("POST", "/units/{unit}/bureaus", Unit(ManageUnit), NONE, "Thêm Phòng GD&ĐT"),
    route("POST", "/units/{unit}/schools", Unit(ManageUnit), NONE, "Thêm trường với tài khoản quản trị đầu tiên"),
    route("GET", "/assets/grid.js", Public, NONE, "Mã JavaScript của bảng nhập điểm (của hocba, không dùng thư viện ngoài)"),
    route("GET", "/units/{unit}/org-certificates", Unit(ApproveOrgCertificate), NONE, "Duyệt chứng thư số nhà trường của các trường thuộc đơn vị"),
    route("POST", "/units/{unit}/org-certificates", Unit(ApproveOrgCertificate), NONE, "Duyệt hoặc từ chối (có lý do) chứng thư số nhà trường"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Every `.route("/…", get(…).post(…))` under `src/ui/`, as (method, path).
    fn routes_in_sources() -> BTreeSet<(String, String)> {
        let mut found = BTreeSet::new();
        let mut files = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/ui")];
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(
                    std::fs::read_dir(&path)
                        .unwrap()
                        .map(|entry| entry.unwrap().path()),
                );
                continue;
            }
            if path.ends_with("routes.rs") || path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            // Join lines so that a route split by rustfmt reads as one.
            let source: String = source
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .replace("( ", "(");
            for call in source.split(".route(\"").skip(1) {
                let Some((path, rest)) = call.split_once('"') else {
                    continue;
                };
                if !path.starts_with('/') {
                    continue;
                }
                // The arguments of this `.route(`: up to its closing parenthesis.
                let mut depth = 1;
                let end = rest
                    .char_indices()
                    .find(|&(_, c)| {
                        match c {
                            '(' => depth += 1,
                            ')' => depth -= 1,
                            _ => {}
                        }
                        depth == 0
                    })
                    .map_or(rest.len(), |(at, _)| at);
                let arguments = &rest[..end];
                for method in ["get", "post", "put", "delete", "patch"] {
                    let called = arguments
                        .match_indices(&format!("{method}("))
                        .any(|(at, _)| {
                            !arguments[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_')
                        });
                    if called {
                        found.insert((method.to_uppercase(), path.to_owned()));
                    }
                }
            }
        }
        found
    }

    #[test]
    fn the_tables_list_exactly_the_routes_the_ui_serves() {
        let all: Vec<(String, String)> = SCHOOL_UI_ROUTES
            .iter()
            .chain(GENERAL_UI_ROUTES)
            .map(|r| (r.method.to_owned(), r.path.to_owned()))
            .collect();
        let table: BTreeSet<(String, String)> = all.iter().cloned().collect();
        assert_eq!(table.len(), all.len(), "a route is listed twice");
        let served = routes_in_sources();
        assert!(
            served.len() > 40,
            "the source scan found too few routes: {served:?}"
        );
        let missing: Vec<_> = served.difference(&table).collect();
        let stale: Vec<_> = table.difference(&served).collect();
        assert!(
            missing.is_empty(),
            "served but not in ui/routes.rs (so not in the UI access matrix): {missing:?}"
        );
        assert!(
            stale.is_empty(),
            "in ui/routes.rs but not served: {stale:?}"
        );
    }

    #[test]
    fn school_routes_are_under_the_school_and_name_their_action() {
        for route in SCHOOL_UI_ROUTES {
            assert!(
                route.path.starts_with("/schools/{school}"),
                "{} {} belongs in GENERAL_UI_ROUTES",
                route.method,
                route.path
            );
            assert!(
                matches!(route.access, Access::School(_)),
                "{} {} must name its school action",
                route.method,
                route.path
            );
            let scoped = match route.class {
                ClassScope::School => true,
                ClassScope::PathClass => route.path.contains("{class}"),
                ClassScope::StudentClass => route.path.contains("{student}"),
                ClassScope::PrimarySubject => ["{class}", "{subject}", "{milestone}"]
                    .iter()
                    .all(|id| route.path.contains(id)),
                ClassScope::Gradebook => ["{class}", "{subject}", "{semester}"]
                    .iter()
                    .all(|id| route.path.contains(id)),
            };
            assert!(
                scoped,
                "{} {}: its class scope needs the id in the path",
                route.method, route.path
            );
        }
        for route in GENERAL_UI_ROUTES {
            assert!(
                !route.path.starts_with("/schools/"),
                "{} {} belongs in SCHOOL_UI_ROUTES",
                route.method,
                route.path
            );
            assert_eq!(
                matches!(route.access, Access::Unit(_)),
                route.path.starts_with("/units/{unit}"),
                "{} {}: the unit routes ask authorise_unit",
                route.method,
                route.path
            );
        }
    }

    /// The API route doing what each UI route does (UI path and API path
    /// without their `/schools/{school}` and `/api/v1/schools/{school}`).
    #[rustfmt::skip]
    const SAME_AS_API: &[(&str, &str, &str, &str)] = &[
        ("GET", "", "GET", ""),
        ("GET", "/profile", "GET", ""),
        ("POST", "/profile", "PUT", ""),
        ("GET", "/years", "GET", "/years"),
        ("POST", "/years", "POST", "/years"),
        ("POST", "/years/{year}/rollover", "POST", "/years/{year}/rollover"),
        ("GET", "/subjects", "GET", "/subjects"),
        ("POST", "/subjects/{subject}", "PUT", "/subjects/{subject}"),
        ("GET", "/campuses", "GET", "/campuses"),
        ("POST", "/campuses", "POST", "/campuses"),
        ("POST", "/campuses", "PUT", "/campuses/{campus}"),
        ("POST", "/campuses/{campus}/delete", "DELETE", "/campuses/{campus}"),
        ("GET", "/classes", "GET", "/classes"),
        ("POST", "/classes", "POST", "/classes"),
        ("GET", "/classes/{class}", "GET", "/classes/{class}/students"),
        ("POST", "/classes/{class}/edit", "PUT", "/classes/{class}"),
        ("POST", "/classes/{class}/remove", "DELETE", "/classes/{class}"),
        ("POST", "/classes/{class}/remove", "POST", "/classes/{class}/dissolve"),
        ("GET", "/classes/{class}/assignments", "GET", "/assignments"),
        ("POST", "/classes/{class}/assignments", "PUT", "/assignments/teaching"),
        ("POST", "/classes/{class}/assignments", "PUT", "/assignments/homeroom"),
        ("GET", "/students", "GET", "/students"),
        ("GET", "/students/new", "POST", "/students"),
        ("POST", "/students/new", "POST", "/students"),
        ("GET", "/students/{student}", "GET", "/students/{student}"),
        ("POST", "/students/{student}", "PUT", "/students/{student}"),
        ("POST", "/students/{student}/move", "POST", "/students/{student}/move"),
        ("POST", "/students/{student}/transfer-out", "POST", "/students/{student}/transfer-out"),
        ("POST", "/students/{student}/decision", "POST", "/students/{student}/decision"),
        ("POST", "/students/{student}/delete", "DELETE", "/students/{student}"),
        ("GET", "/students/import", "POST", "/students/import"),
        ("POST", "/students/import", "POST", "/students/import"),
        ("GET", "/students.xlsx", "GET", "/students.xlsx"),
        ("GET", "/staff", "GET", "/staff"),
        ("GET", "/staff/new", "POST", "/staff"),
        ("POST", "/staff/new", "POST", "/staff"),
        ("GET", "/staff/{staff}", "GET", "/staff/{staff}"),
        ("POST", "/staff/{staff}", "PUT", "/staff/{staff}"),
        ("POST", "/staff/import", "POST", "/staff/import"),
        ("GET", "/staff.xlsx", "GET", "/staff.xlsx"),
        ("GET", "/accounts", "GET", "/accounts"),
        ("POST", "/accounts", "POST", "/accounts"),
        ("POST", "/accounts/{user}/reset", "POST", "/accounts/{user}/reset-password"),
        ("GET", "/audit", "GET", "/audit"),
        ("GET", "/classes/{class}/gradebook", "GET", "/column-plans"),
        ("GET", "/gradebook/{class}/{subject}/{semester}", "GET", "/gradebook/{class}/{subject}/{semester}"),
        ("GET", "/classes/{class}/primary/{milestone}", "GET", "/classes/{class}/primary/{milestone}"),
        ("POST", "/classes/{class}/primary/{milestone}", "PUT", "/classes/{class}/primary/{milestone}"),
        ("GET", "/classes/{class}/primary/{milestone}/subjects/{subject}", "GET", "/classes/{class}/primary/{milestone}/subjects/{subject}"),
        ("POST", "/classes/{class}/primary/{milestone}/subjects/{subject}", "PUT", "/classes/{class}/primary/{milestone}/subjects/{subject}"),
        ("POST", "/classes/{class}/primary/{milestone}/close", "POST", "/classes/{class}/primary/{milestone}/close"),
        ("POST", "/classes/{class}/primary/{milestone}/reopen", "POST", "/classes/{class}/summary/{semester}/reopen"),
        ("GET", "/signing-account", "GET", "/signing-accounts/mine"),
        ("POST", "/signing-account", "POST", "/signing-accounts"),
        ("POST", "/signing-account/remote", "POST", "/signing-accounts"),
        ("GET", "/signing", "GET", "/signing-accounts"),
        ("GET", "/lms-clients", "GET", "/lms-clients"),
        ("POST", "/lms-clients", "POST", "/lms-clients"),
        ("POST", "/lms-clients/revoke", "POST", "/lms-clients/revoke"),
        ("GET", "/signing", "GET", "/org-certificates"),
        ("POST", "/signing-accounts/{staff}/approve", "POST", "/signing-accounts/{staff}/approve"),
        ("POST", "/signing-accounts/{staff}/reject", "POST", "/signing-accounts/{staff}/reject"),
        ("POST", "/signing-accounts/copy-previous-year", "POST", "/signing-accounts/copy-previous-year"),
        ("POST", "/signing-permissions/{staff}", "PUT", "/signing-permissions/{staff}"),
        ("POST", "/org-certificates", "POST", "/org-certificates"),
        ("GET", "/summaries", "GET", "/summaries/{semester}"),
        ("POST", "/summaries", "POST", "/summaries/{semester}"),
        ("GET", "/classes/{class}/summary/{semester}", "GET", "/classes/{class}/summary/{semester}"),
        ("POST", "/classes/{class}/summary/{semester}", "POST", "/classes/{class}/summary/{semester}"),
        ("POST", "/classes/{class}/summary/{semester}/close", "POST", "/classes/{class}/summary/{semester}/close"),
        ("POST", "/classes/{class}/summary/{semester}/reopen", "POST", "/classes/{class}/summary/{semester}/reopen"),
        ("GET", "/classes/{class}/gradebook/{semester}/excel", "GET", "/classes/{class}/gradebook/{semester}/workbook.xlsx"),
        ("POST", "/classes/{class}/gradebook/{semester}/excel", "POST", "/classes/{class}/gradebook/{semester}/import"),
        ("GET", "/classes/{class}/students/{student}/after-year", "PUT", "/classes/{class}/students/{student}/year-record"),
        ("POST", "/classes/{class}/students/{student}/year-record", "PUT", "/classes/{class}/students/{student}/year-record"),
        ("POST", "/classes/{class}/students/{student}/retests", "PUT", "/classes/{class}/students/{student}/retests"),
        ("POST", "/classes/{class}/students/{student}/transferred-averages", "PUT", "/classes/{class}/students/{student}/transferred-averages"),
        ("GET", "/exams", "GET", "/exams"),
        ("POST", "/exams", "POST", "/exams"),
        ("POST", "/exam-settings", "PUT", "/exam-settings"),
        ("GET", "/exams/{exam}", "GET", "/exams/{exam}"),
        ("POST", "/exams/{exam}", "PUT", "/exams/{exam}"),
        ("POST", "/exams/{exam}/delete", "DELETE", "/exams/{exam}"),
        ("POST", "/exams/{exam}/papers", "POST", "/exams/{exam}/papers"),
        ("GET", "/exam-papers/{paper}", "GET", "/exam-papers/{paper}"),
        ("POST", "/exam-papers/{paper}/scores", "PUT", "/exam-papers/{paper}/scores"),
        ("POST", "/exam-papers/{paper}/final", "POST", "/exam-papers/{paper}/final"),
        ("POST", "/exam-papers/{paper}/delete", "DELETE", "/exam-papers/{paper}"),
        ("POST", "/exam-papers/{paper}/import", "POST", "/exam-papers/{paper}/import"),
        ("GET", "/exam-papers/{paper}/sync", "GET", "/exam-papers/{paper}/sync"),
        ("POST", "/exam-papers/{paper}/sync", "POST", "/exam-papers/{paper}/sync"),
        ("GET", "/exam-papers/{paper}/sync/progress", "GET", "/exam-papers/{paper}/sync"),
        ("POST", "/exam-papers/{paper}/sync/resume", "POST", "/exam-papers/{paper}/sync/resume"),
    ];

    /// A check independent of reading the UI handlers: each UI route asks
    /// the action that the API asks for the same operation (a page that
    /// shows a form asks what submitting it asks).
    #[test]
    fn each_ui_route_asks_what_the_api_asks_for_the_same_thing() {
        let api = |method: &str, path: &str| {
            let path = format!("/api/v1/schools/{{school}}{path}");
            crate::routes::SCHOOL_ROUTES
                .iter()
                .find(|r| r.method == method && r.path == path)
                .unwrap_or_else(|| panic!("no API route {method} {path}"))
                .action
        };
        for route in SCHOOL_UI_ROUTES {
            let tail = route.path.trim_start_matches("/schools/{school}");
            let pairs: Vec<_> = SAME_AS_API
                .iter()
                .filter(|(m, p, _, _)| *m == route.method && *p == tail)
                .collect();
            assert!(
                !pairs.is_empty(),
                "{} {}: name the API route that does the same in SAME_AS_API",
                route.method,
                route.path
            );
            for (_, _, api_method, api_path) in pairs {
                assert_eq!(
                    route.action(),
                    api(api_method, api_path),
                    "{} {} asks another action than {api_method} /api/v1/schools/{{school}}{api_path}",
                    route.method,
                    route.path
                );
            }
        }
    }

    #[test]
    fn the_ui_sources_do_not_serve_the_api() {
        assert!(
            routes_in_sources()
                .iter()
                .all(|(_, path)| !path.starts_with("/api/")),
            "API routes belong in crate::routes"
        );
    }
}
