//! The API's routes as data: method, path, the access action the handler
//! asks for, and a summary. The OpenAPI document is generated from this
//! table, and the access-matrix test walks it (every route × every role ×
//! own school / another school), so a route missing here is visible.

use hocba_domain::access::Action;

#[derive(Debug, Clone, Copy)]
pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
    /// `None`: only a signed-in user is needed.
    pub action: Option<Action>,
    pub summary: &'static str,
    /// The body it takes: a record of a registry, or another JSON shape.
    pub body: Body,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    Empty,
    Json,
    SchoolProfile,
    CampusProfile,
    StaffProfile,
    StudentProfile,
    Xlsx,
}

const fn route(
    method: &'static str,
    path: &'static str,
    action: Option<Action>,
    summary: &'static str,
    body: Body,
) -> RouteSpec {
    RouteSpec {
        method,
        path,
        action,
        summary,
        body,
    }
}

use Action::*;
use Body::*;

/// Every school-scoped API route. `{school}` and the other ids are path parameters.
#[rustfmt::skip]
pub const SCHOOL_ROUTES: &[RouteSpec] = &[
    route("GET", "/api/v1/schools/{school}", Some(ViewSchool), "Thông tin trường", Empty),
    route("PUT", "/api/v1/schools/{school}", Some(ManageSchool), "Sửa thông tin trường", SchoolProfile),
    route("GET", "/api/v1/schools/{school}/campuses", Some(ViewSchool), "Điểm trường phụ", Empty),
    route("POST", "/api/v1/schools/{school}/campuses", Some(ManageSchool), "Thêm điểm trường", CampusProfile),
    route("PUT", "/api/v1/schools/{school}/campuses/{campus}", Some(ManageSchool), "Sửa điểm trường", CampusProfile),
    route("DELETE", "/api/v1/schools/{school}/campuses/{campus}", Some(ManageSchool), "Xóa điểm trường", Empty),
    route("GET", "/api/v1/schools/{school}/years", Some(ViewSchool), "Năm học", Empty),
    route("POST", "/api/v1/schools/{school}/years", Some(ManageSchool), "Tạo năm học", Json),
    route("POST", "/api/v1/schools/{school}/years/{year}/rollover", Some(ManageSchool), "Kết chuyển sang năm học mới", Empty),
    route("GET", "/api/v1/schools/{school}/classes", Some(ViewSchool), "Danh sách lớp", Empty),
    route("POST", "/api/v1/schools/{school}/classes", Some(ManageSchool), "Thêm lớp", Json),
    route("GET", "/api/v1/schools/{school}/classes/{class}", Some(ViewSchool), "Một lớp", Empty),
    route("PUT", "/api/v1/schools/{school}/classes/{class}", Some(ManageSchool), "Sửa lớp", Json),
    route("DELETE", "/api/v1/schools/{school}/classes/{class}", Some(ManageSchool), "Xóa lớp (lớp trống)", Empty),
    route("POST", "/api/v1/schools/{school}/classes/{class}/dissolve", Some(ManageSchool), "Giải thể lớp (lớp trống)", Empty),
    route("GET", "/api/v1/schools/{school}/classes/{class}/students", Some(ViewStudents), "Danh sách học sinh của lớp, theo thứ tự tiếng Việt", Empty),
    route("GET", "/api/v1/schools/{school}/subjects", Some(ViewSchool), "Môn học theo khối", Empty),
    route("PUT", "/api/v1/schools/{school}/subjects/{subject}", Some(ManageSchool), "Sửa số tiết, hình thức đánh giá", Json),
    route("GET", "/api/v1/schools/{school}/staff", Some(ViewSchool), "Cán bộ, giáo viên", Empty),
    route("POST", "/api/v1/schools/{school}/staff", Some(ManageStaff), "Thêm cán bộ", StaffProfile),
    route("GET", "/api/v1/schools/{school}/staff/{staff}", Some(ViewSchool), "Hồ sơ cán bộ", Empty),
    route("PUT", "/api/v1/schools/{school}/staff/{staff}", Some(ManageStaff), "Sửa hồ sơ cán bộ", StaffProfile),
    route("GET", "/api/v1/schools/{school}/staff.xlsx", Some(ManageStaff), "Tệp Excel cán bộ (có sẵn dữ liệu)", Empty),
    route("POST", "/api/v1/schools/{school}/staff/import", Some(ManageStaff), "Nhập cán bộ từ Excel", Xlsx),
    route("GET", "/api/v1/schools/{school}/students", Some(ViewStudents), "Tìm học sinh", Empty),
    route("POST", "/api/v1/schools/{school}/students", Some(ManageStudents), "Thêm học sinh (hoặc tiếp nhận chuyển đến)", StudentProfile),
    route("GET", "/api/v1/schools/{school}/students/{student}", Some(ViewStudents), "Hồ sơ học sinh", Empty),
    route("PUT", "/api/v1/schools/{school}/students/{student}", Some(EditStudent), "Sửa hồ sơ học sinh", StudentProfile),
    route("DELETE", "/api/v1/schools/{school}/students/{student}", Some(ManageStudents), "Xóa học sinh", Empty),
    route("POST", "/api/v1/schools/{school}/students/{student}/move", Some(ManageStudents), "Chuyển lớp", Json),
    route("POST", "/api/v1/schools/{school}/students/{student}/transfer-out", Some(ManageStudents), "Chuyển đi", Json),
    route("POST", "/api/v1/schools/{school}/students/{student}/decision", Some(ManageStudents), "Xét lên lớp / ở lại lớp", Json),
    route("GET", "/api/v1/schools/{school}/students.xlsx", Some(ManageStudents), "Tệp Excel học sinh (có sẵn dữ liệu)", Empty),
    route("POST", "/api/v1/schools/{school}/students/import", Some(ManageStudents), "Nhập học sinh từ Excel", Xlsx),
    route("GET", "/api/v1/schools/{school}/assignments", Some(ViewSchool), "Phân công giảng dạy và chủ nhiệm", Empty),
    route("PUT", "/api/v1/schools/{school}/assignments/teaching", Some(ManageSchool), "Phân công giảng dạy", Json),
    route("PUT", "/api/v1/schools/{school}/assignments/homeroom", Some(ManageSchool), "Phân công chủ nhiệm", Json),
    route("GET", "/api/v1/schools/{school}/accounts", Some(ManageAccounts), "Tài khoản của trường", Empty),
    route("POST", "/api/v1/schools/{school}/accounts", Some(ManageAccounts), "Tạo tài khoản", Json),
    route("POST", "/api/v1/schools/{school}/accounts/{user}/reset-password", Some(ManageAccounts), "Đặt lại mật khẩu", Json),
    route("GET", "/api/v1/schools/{school}/audit", Some(ViewAudit), "Nhật ký thay đổi", Empty),
    // Gradebook (sổ điểm): `{semester}` is 1 or 2.
    route("GET", "/api/v1/schools/{school}/column-plans", Some(ViewSchool), "Khai báo số cột điểm: mỗi lớp × môn × học kỳ, đã hay chưa khai báo (?year, semester, class)", Empty),
    route("POST", "/api/v1/schools/{school}/column-plans/defaults", Some(ManageGradebook), "Khai báo số cột mặc định (TT22 Điều 6) cho mọi lớp × môn chưa khai báo: {semester?, class?, year?}", Json),
    route("PUT", "/api/v1/schools/{school}/column-plans/{class}/{subject}/{semester}", Some(ManageGradebook), "Khai báo hoặc sửa số cột ĐĐGtx: {regular?, version?}", Json),
    route("GET", "/api/v1/schools/{school}/entry-windows", Some(ViewSchool), "Đợt nhập điểm và trạng thái (?year)", Empty),
    route("POST", "/api/v1/schools/{school}/entry-windows", Some(ManageGradebook), "Mở đợt nhập điểm: {grade, semester, opens_at, closes_at} (Unix ms)", Json),
    route("DELETE", "/api/v1/schools/{school}/entry-windows/{window}", Some(ManageGradebook), "Xóa đợt nhập điểm", Empty),
    route("GET", "/api/v1/schools/{school}/gradebook/{class}/{subject}/{semester}", Some(ViewGradebook), "Sổ điểm: cột, khóa, học sinh theo thứ tự tiếng Việt, điểm, điểm trung bình môn học kỳ, quyền nhập", Empty),
    route("PUT", "/api/v1/schools/{school}/gradebook/{class}/{subject}/{semester}/cells", Some(EnterScores), "Lưu một ô: {student_id, column, value, version, missed_make_up?, reason?, override?}", Json),
    route("POST", "/api/v1/schools/{school}/gradebook/{class}/{subject}/{semester}/cells/batch", Some(EnterScores), "Lưu nhiều ô (dán một cột), tất cả hoặc không: {cells: [...], reason?, override?}", Json),
    route("PUT", "/api/v1/schools/{school}/gradebook/{class}/{subject}/{semester}/locks", Some(ManageGradebook), "Khóa hoặc mở khóa cột điểm: {column | \"all\", locked, reason}", Json),
    route("GET", "/api/v1/schools/{school}/gradebook/{class}/{subject}/{semester}/history", Some(ViewGradebook), "Lịch sử sửa điểm (?student)", Empty),
    route("GET", "/api/v1/schools/{school}/conduct/{class}/{semester}", Some(ViewGradebook), "Kết quả rèn luyện và nhận xét của giáo viên chủ nhiệm", Empty),
    route("PUT", "/api/v1/schools/{school}/conduct/{class}/{semester}", Some(EnterConduct), "Nhập kết quả rèn luyện và nhận xét: {student_id, training_result, comment, version}", Json),
    // Primary (TT27): `{milestone}` is mid_S1, end_S1, mid_S2 or end_of_year.
    route("GET", "/api/v1/schools/{school}/classes/{class}/primary/{milestone}", Some(ViewGradebook), "Đánh giá tiểu học của lớp ở một thời điểm: mức đạt được, điểm kiểm tra định kỳ, phẩm chất, năng lực, nhận xét và tổng hợp (cuối năm: kết quả giáo dục, khen thưởng, lên lớp) với lý do từng học sinh", Empty),
    route("PUT", "/api/v1/schools/{school}/classes/{class}/primary/{milestone}", Some(EnterConduct), "Nhập đánh giá của lớp (giáo viên chủ nhiệm), tất cả hoặc không: {students: [{student_id, version, levels: {subject_id: T|H|C|M}, tests: {subject_id: 0–10|M}, ratings: {patriotism…: T|Đ|C}, comment, outstanding}], override?}", Json),
    route("GET", "/api/v1/schools/{school}/classes/{class}/primary/{milestone}/subjects/{subject}", Some(ViewGradebook), "Đánh giá một môn của lớp ở một thời điểm (giáo viên bộ môn)", Empty),
    route("PUT", "/api/v1/schools/{school}/classes/{class}/primary/{milestone}/subjects/{subject}", Some(EnterScores), "Nhập mức đạt được và điểm kiểm tra của một môn (giáo viên được phân công): {students: [{student_id, version, level, test}], override?}", Json),
    route("GET", "/api/v1/schools/{school}/classes/{class}/primary/{milestone}/sheet.xlsx", Some(ViewGradebook), "Bảng tổng hợp kết quả đánh giá giáo dục của lớp ở một thời điểm (.xlsx): mức đạt được, điểm KTĐK, phẩm chất, năng lực, cuối năm kết quả giáo dục, khen thưởng, lên lớp, tổng số", Empty),
    route("GET", "/api/v1/schools/{school}/classes/{class}/primary/{milestone}/sheet.pdf", Some(ViewGradebook), "Bảng tổng hợp kết quả đánh giá giáo dục của lớp ở một thời điểm (PDF, A4 ngang)", Empty),
    route("POST", "/api/v1/schools/{school}/classes/{class}/primary/{milestone}/close", Some(EnterConduct), "Xác nhận hoàn thành đánh giá (cuối học kỳ I, cuối năm học), khóa sổ học kỳ: {confirm: true}; mở lại: POST …/summary/{semester}/reopen", Json),
    // Exams, score sheets and the sync into the gradebook (seed 000).
    route("GET", "/api/v1/schools/{school}/exam-settings", Some(ViewExams), "Liên kết khảo thí với sổ điểm: {gradebook_linked}", Empty),
    route("PUT", "/api/v1/schools/{school}/exam-settings", Some(ManageExams), "Bật/tắt liên kết khảo thí với sổ điểm: {gradebook_linked: true|false}", Json),
    route("GET", "/api/v1/schools/{school}/exams", Some(ViewExams), "Kỳ thi của năm học (?year), kèm đề thi", Empty),
    route("POST", "/api/v1/schools/{school}/exams", Some(ManageExams), "Tạo kỳ thi: {name, kind: regular|free, semester, school_year_id?}", Json),
    route("GET", "/api/v1/schools/{school}/exams/{exam}", Some(ViewExams), "Một kỳ thi và các đề thi", Empty),
    route("PUT", "/api/v1/schools/{school}/exams/{exam}", Some(ManageExams), "Sửa kỳ thi (không sửa được khi đã có đề thi đồng bộ): {name, kind, semester, version}", Json),
    route("DELETE", "/api/v1/schools/{school}/exams/{exam}", Some(ManageExams), "Xóa kỳ thi (không xóa được khi đã có đề thi đồng bộ)", Empty),
    route("POST", "/api/v1/schools/{school}/exams/{exam}/papers", Some(ManageExams), "Thêm đề thi: {subject_id, name, classes: [class_id]}", Json),
    route("GET", "/api/v1/schools/{school}/exam-papers/{paper}", Some(ViewExams), "Bảng điểm của đề thi: học sinh các lớp, điểm, biểu tượng khiên (đã đồng bộ)", Empty),
    route("PUT", "/api/v1/schools/{school}/exam-papers/{paper}", Some(ManageExams), "Sửa đề thi (không sửa được khi đã đồng bộ): {subject_id, name, classes, version}", Json),
    route("DELETE", "/api/v1/schools/{school}/exam-papers/{paper}", Some(ManageExams), "Xóa đề thi (không xóa được khi đã đồng bộ)", Empty),
    route("PUT", "/api/v1/schools/{school}/exam-papers/{paper}/scores", Some(ManageExams), "Nhập điểm vào bảng điểm, tất cả hoặc không: {scores: [{student_id, value, expected_version?}]}", Json),
    route("GET", "/api/v1/schools/{school}/exam-papers/{paper}/scores.xlsx", Some(ViewExams), "Bảng điểm ra Excel (có sẵn điểm)", Empty),
    route("POST", "/api/v1/schools/{school}/exam-papers/{paper}/import", Some(ManageExams), "Nhập bảng điểm từ Excel: tất cả hoặc không, bảng lỗi theo dòng và cột", Xlsx),
    route("POST", "/api/v1/schools/{school}/exam-papers/{paper}/final", Some(ManageExams), "Chốt điểm ({final: true}) hoặc mở chốt ({final: false})", Json),
    route("GET", "/api/v1/schools/{school}/exam-papers/{paper}/sync", Some(SyncExamScores), "Đồng bộ điểm: từng lớp với các cột chọn được (và lý do cột không chọn được), học sinh bị bỏ qua và lý do; tiến độ của lần đồng bộ", Empty),
    route("POST", "/api/v1/schools/{school}/exam-papers/{paper}/sync", Some(SyncExamScores), "Đồng bộ điểm sang sổ điểm, một lần cho mỗi đề thi: {classes: [{class_id, column}]}", Json),
    route("POST", "/api/v1/schools/{school}/exam-papers/{paper}/sync/resume", Some(SyncExamScores), "Tiếp tục lần đồng bộ bị gián đoạn (các lớp còn chờ)", Empty),
    // Signing accounts and the organisation certificate (seed 004 §II.2, §III.1).
    route("GET", "/api/v1/schools/{school}/signing-accounts", Some(ViewSigningAccounts), "Duyệt tài khoản ký: mọi cán bộ với tài khoản ký năm học hiện tại (hoặc Chưa đăng ký tài khoản) và quyền ký", Empty),
    route("POST", "/api/v1/schools/{school}/signing-accounts", Some(RegisterSigningAccount), "Đăng ký tài khoản ký của mình → Chờ duyệt: {kind: \"token\", certificate: PEM hoặc DER base64} | {kind: \"remote\", provider_url, username, access_token, credential_id?}", Json),
    route("GET", "/api/v1/schools/{school}/signing-accounts/mine", Some(RegisterSigningAccount), "Tài khoản ký của tôi: trạng thái và ký được hay chưa (lý do)", Empty),
    route("POST", "/api/v1/schools/{school}/signing-accounts/copy-previous-year", Some(ManageSigningAccounts), "Lấy dữ liệu năm học trước: sao chép tài khoản đã duyệt còn hiệu lực (và chứng thư số nhà trường), kèm danh sách bỏ qua và lý do", Empty),
    route("POST", "/api/v1/schools/{school}/signing-accounts/{staff}/approve", Some(ManageSigningAccounts), "Duyệt tài khoản đăng ký → Đã duyệt tài khoản", Empty),
    route("POST", "/api/v1/schools/{school}/signing-accounts/{staff}/reject", Some(ManageSigningAccounts), "Từ chối tài khoản: {reason} → Từ chối duyệt", Json),
    route("GET", "/api/v1/schools/{school}/signing-permissions", Some(ViewSigningAccounts), "Phân quyền ký: ký phát hành, đóng dấu, ký thay hiệu trưởng", Empty),
    route("PUT", "/api/v1/schools/{school}/signing-permissions/{staff}", Some(ManageSigningAccounts), "Phân quyền ký cho một cán bộ: {permissions: [\"issue_sign\", \"seal\", \"delegate\"]}", Json),
    route("GET", "/api/v1/schools/{school}/org-certificates", Some(ViewSigningAccounts), "Chứng thư số nhà trường: chứng thư đang dùng và lịch sử yêu cầu đăng ký", Empty),
    route("POST", "/api/v1/schools/{school}/org-certificates", Some(RegisterOrgCertificate), "Đăng ký (lại) chứng thư số nhà trường → Chờ duyệt đăng ký: {certificate, reason?}", Json),
    // Term summary (tổng kết), closing the book, after the year, Excel per gradebook.
    route("GET", "/api/v1/schools/{school}/summaries/{semester}", Some(ViewGradebook), "Tổng kết toàn trường: mỗi lớp đã tổng kết chưa, đã khóa sổ chưa, số học sinh theo kết quả (?year)", Empty),
    route("POST", "/api/v1/schools/{school}/summaries/{semester}", Some(ManageGradebook), "Tổng kết toàn trường (mọi lớp THCS, THPT), tất cả hoặc không (?year)", Empty),
    route("GET", "/api/v1/schools/{school}/promotion-list", Some(ViewGradebook), "Danh sách lên lớp / ở lại lớp / kiểm tra lại / rèn luyện hè (?year)", Empty),
    route("GET", "/api/v1/schools/{school}/progress/{semester}", Some(ViewGradebook), "Tiến độ nhập điểm theo lớp và theo giáo viên: số ô đã nhập / số ô khai báo (?year)", Empty),
    route("GET", "/api/v1/schools/{school}/classes/{class}/summary/{semester}", Some(ViewGradebook), "Tổng kết của lớp: từng học sinh với điểm trung bình môn, kết quả học tập, rèn luyện, khen thưởng, lên lớp và lý do", Empty),
    route("POST", "/api/v1/schools/{school}/classes/{class}/summary/{semester}", Some(EnterConduct), "Tổng kết lớp (tính và lưu)", Empty),
    route("GET", "/api/v1/schools/{school}/classes/{class}/summary/{semester}/sheet.xlsx", Some(ViewGradebook), "Bảng tổng hợp kết quả đánh giá của lớp (.xlsx)", Empty),
    route("GET", "/api/v1/schools/{school}/classes/{class}/summary/{semester}/sheet.pdf", Some(ViewGradebook), "Bảng tổng hợp kết quả đánh giá của lớp (PDF, A4 ngang)", Empty),
    route("GET", "/api/v1/schools/{school}/classes/{class}/summary/{semester}/chart.svg", Some(ViewGradebook), "Biểu đồ phân bố điểm trung bình môn của lớp (SVG)", Empty),
    route("POST", "/api/v1/schools/{school}/classes/{class}/summary/{semester}/close", Some(EnterConduct), "Xác nhận hoàn thành tổng kết, khóa sổ: {confirm: true}", Json),
    route("POST", "/api/v1/schools/{school}/classes/{class}/summary/{semester}/reopen", Some(ManageGradebook), "Mở lại sổ đã khóa: {reason}", Json),
    route("PUT", "/api/v1/schools/{school}/classes/{class}/students/{student}/year-record", Some(EnterConduct), "Số buổi nghỉ cả năm và kết quả rèn luyện trong hè: {absences, summer_training}", Json),
    route("PUT", "/api/v1/schools/{school}/classes/{class}/students/{student}/retests", Some(ManageGradebook), "Kết quả kiểm tra lại trong hè: {scores: {subject_id: giá trị}}", Json),
    route("PUT", "/api/v1/schools/{school}/classes/{class}/students/{student}/transferred-averages", Some(ManageGradebook), "Điểm trung bình học kỳ mang từ trường cũ (học sinh chuyển đến): {semester, from_school, averages: {subject_id: giá trị}}", Json),
    // Learning systems (LMS) writing through OneRoster 1.2 Gradebook (`crate::oneroster`).
    route("GET", "/api/v1/schools/{school}/lms-clients", Some(ManageLmsClients), "Ứng dụng LMS được cấp quyền ghi điểm (OAuth 2.0 client credentials) và các quyền OneRoster", Empty),
    route("POST", "/api/v1/schools/{school}/lms-clients", Some(ManageLmsClients), "Cấp ứng dụng LMS: {name, scopes: [URI]} → client_id và client_secret (chỉ hiện một lần)", Json),
    route("POST", "/api/v1/schools/{school}/lms-clients/revoke", Some(ManageLmsClients), "Thu hồi ứng dụng LMS: {client_id}; token của ứng dụng ngừng hoạt động ngay", Json),
    route("GET", "/api/v1/schools/{school}/gradebook/{class}/{subject}/{semester}/sheet.xlsx", Some(ViewGradebook), "Sổ điểm của lớp × môn × học kỳ ra Excel (có sẵn điểm)", Empty),
    route("POST", "/api/v1/schools/{school}/gradebook/{class}/{subject}/{semester}/import", Some(EnterScores), "Nhập sổ điểm từ Excel: tất cả hoặc không, bảng lỗi từng ô (?override)", Xlsx),
    route("GET", "/api/v1/schools/{school}/classes/{class}/gradebook/{semester}/workbook.xlsx", Some(EnterScores), "Sổ điểm cả lớp ra Excel: mỗi môn một trang tính (có sẵn điểm); giáo viên chỉ nhận các môn mình được phân công", Empty),
    route("POST", "/api/v1/schools/{school}/classes/{class}/gradebook/{semester}/import", Some(EnterScores), "Nhập sổ điểm cả lớp từ Excel: tất cả hoặc không trên mọi trang tính, bảng lỗi theo trang tính, dòng, cột (?override)", Xlsx),
];

/// Routes not tied to one school; the unit routes ask `authorise_unit`.
#[rustfmt::skip]
pub const GENERAL_ROUTES: &[RouteSpec] = &[
    route("POST", "/api/v1/auth/login", None, "Đăng nhập: {username, password} → {token}", Json),
    route("POST", "/api/v1/auth/logout", None, "Đăng xuất (hủy token)", Empty),
    route("POST", "/api/v1/auth/password", None, "Đổi mật khẩu của mình: {current, new}", Json),
    route("GET", "/api/v1/me", None, "Tài khoản đang dùng và vai trò", Empty),
    route("GET", "/api/v1/provinces", None, "34 tỉnh, thành phố (QĐ 19/2025/QĐ-TTg)", Empty),
    route("GET", "/api/v1/schools", None, "Các trường người dùng được xem", Empty),
    route("POST", "/api/v1/assessment/evaluate", None, "Tính kết quả đánh giá theo TT22/TT58/TT27", Json),
    route("GET", "/api/v1/units/{unit}", None, "Đơn vị và các đơn vị, trường trực thuộc (quản trị viên, chuyên viên Sở/Phòng)", Empty),
    route("POST", "/api/v1/units/{unit}/bureaus", None, "Thêm Phòng GD&ĐT (quản trị viên Sở)", Json),
    route("POST", "/api/v1/units/{unit}/schools", None, "Thêm trường với tài khoản quản trị đầu tiên (quản trị viên Sở/Phòng)", Json),
    route("GET", "/api/v1/units/{unit}/org-certificates", None, "Yêu cầu đăng ký chứng thư số của các trường thuộc đơn vị (chuyên viên Phòng/Sở)", Empty),
    route("POST", "/api/v1/units/{unit}/org-certificates/{request}/approve", None, "Duyệt chứng thư số nhà trường (chuyên viên Phòng/Sở)", Empty),
    route("POST", "/api/v1/units/{unit}/org-certificates/{request}/reject", None, "Từ chối duyệt chứng thư số nhà trường: {reason} (chuyên viên Phòng/Sở)", Json),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Every `.route("/api/…", get(…).post(…))` in the sources, as (method, path).
    fn routes_in_sources() -> BTreeSet<(String, String)> {
        let mut found = BTreeSet::new();
        let mut files = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")];
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(
                    std::fs::read_dir(&path)
                        .unwrap()
                        .map(|entry| entry.unwrap().path()),
                );
                continue;
            }
            if path.ends_with("routes.rs") {
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
                if !path.starts_with("/api/") {
                    continue;
                }
                // The route's handlers end at the next route, or at the end
                // of the function that builds the router.
                let end = [rest.find(".route("), rest.find(" fn ")]
                    .into_iter()
                    .flatten()
                    .min()
                    .unwrap_or(rest.len());
                for method in ["get", "post", "put", "delete"] {
                    if rest[..end].contains(&format!("{method}(")) {
                        found.insert((method.to_uppercase(), path.to_owned()));
                    }
                }
            }
        }
        found
    }

    #[test]
    fn the_table_lists_exactly_the_routes_the_router_serves() {
        let table: BTreeSet<(String, String)> = SCHOOL_ROUTES
            .iter()
            .chain(GENERAL_ROUTES)
            .map(|r| (r.method.to_owned(), r.path.to_owned()))
            .collect();
        let mut served = routes_in_sources();
        served.remove(&("GET".to_owned(), "/api/v1/openapi.json".to_owned()));
        let missing: Vec<_> = served.difference(&table).collect();
        let stale: Vec<_> = table.difference(&served).collect();
        assert!(
            missing.is_empty(),
            "served but not in routes.rs (so not in the access matrix): {missing:?}"
        );
        assert!(stale.is_empty(), "in routes.rs but not served: {stale:?}");
    }

    #[test]
    fn school_routes_name_the_action_they_need() {
        for route in SCHOOL_ROUTES {
            assert!(
                route.action.is_some(),
                "{} {} must name its access action",
                route.method,
                route.path
            );
        }
    }
}
