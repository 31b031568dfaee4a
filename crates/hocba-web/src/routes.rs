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
];
