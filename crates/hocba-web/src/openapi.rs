//! `/api/v1/openapi.json`, generated from the route table
//! (`crate::routes`) and, for record bodies, from the domain field
//! registries, so that it cannot drift from what the server accepts.

use crate::routes::{Body, GENERAL_ROUTES, RouteSpec, SCHOOL_ROUTES};
use axum::Json;
use hocba_domain::form::{FieldKind, FieldSpec};
use serde_json::{Map, Value, json};

fn record_schema(fields: &[FieldSpec]) -> Value {
    let mut properties = Map::new();
    for field in fields {
        let mut schema = json!({"type": "string", "title": field.label});
        match field.kind {
            FieldKind::Choice(options) => schema["enum"] = json!(options),
            FieldKind::Date => schema["description"] = json!("dd/mm/yyyy hoặc yyyy-mm-dd"),
            FieldKind::Sex => schema["enum"] = json!(["male", "female", "Nam", "Nữ"]),
            FieldKind::Flag => schema["description"] = json!("1/0, Có/Không"),
            FieldKind::Province => {
                schema["description"] = json!("mã hoặc tên tỉnh/thành phố (34 đơn vị từ 01/7/2025)")
            }
            FieldKind::PersonalId => schema["pattern"] = json!("^[0-9]{12}$"),
            _ => {}
        }
        if field.personal {
            schema["x-personal-data"] = json!(true);
        }
        properties.insert(field.key.to_owned(), schema);
    }
    let required: Vec<&str> = fields
        .iter()
        .filter(|f| f.required)
        .map(|f| f.key)
        .collect();
    json!({"type": "object", "properties": properties, "required": required})
}

fn operation(spec: &RouteSpec) -> Value {
    let mut parameters = Vec::new();
    for segment in spec.path.split('/') {
        if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            parameters.push(json!({"name": name, "in": "path", "required": true, "schema": {"type": "integer", "format": "int64"}}));
        }
    }
    let mut operation = json!({
        "summary": spec.summary,
        "parameters": parameters,
        "responses": {
            "200": {"description": "Thành công"},
            "401": {"description": "Chưa đăng nhập", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            "403": {"description": "Không có quyền (kèm lý do và cách xử lý)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            "404": {"description": "Không tìm thấy trong trường này"},
            "409": {"description": "Người khác vừa sửa bản ghi (phiên bản cũ)"},
            "423": {"description": "Chưa đến hoặc đã hết đợt nhập điểm, cột điểm đã khóa hoặc sổ điểm đã khóa (kèm lý do và cách xử lý)"},
            "422": {"description": "Dữ liệu không hợp lệ (nêu từng trường và quy tắc)"}
        }
    });
    if let Some(action) = spec.action {
        operation["x-hocba-action"] = json!(action);
    }
    let record = |name: &str| {
        json!({"content": {"application/json": {"schema": {"type": "object", "properties": {
        "version": {"type": "integer", "description": "phiên bản đang sửa (khi cập nhật)"},
        "profile": {"$ref": format!("#/components/schemas/{name}")}}}}}})
    };
    let body = match spec.body {
        Body::Empty => None,
        Body::Json => {
            Some(json!({"content": {"application/json": {"schema": {"type": "object"}}}}))
        }
        Body::SchoolProfile => Some(record("SchoolProfile")),
        Body::CampusProfile => Some(record("CampusProfile")),
        Body::StaffProfile => Some(record("StaffProfile")),
        Body::StudentProfile => Some(record("StudentProfile")),
        Body::Xlsx => Some(
            json!({"content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}}}}),
        ),
    };
    if let Some(body) = body {
        operation["requestBody"] = body;
    }
    operation
}

pub fn build() -> Value {
    let mut paths = Map::new();
    for spec in GENERAL_ROUTES.iter().chain(SCHOOL_ROUTES) {
        let entry = paths
            .entry(spec.path.to_owned())
            .or_insert_with(|| json!({}));
        entry[spec.method.to_lowercase()] = operation(spec);
    }
    for spec in crate::oneroster::ONEROSTER_ROUTES {
        let entry = paths
            .entry(spec.path.to_owned())
            .or_insert_with(|| json!({}));
        entry[spec.method.to_lowercase()] = crate::oneroster::operation(spec);
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "hocba API", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Hồ sơ nhà trường: trường, lớp, môn học, cán bộ, học sinh. Xác thực: POST /api/v1/auth/login rồi gửi Authorization: Bearer <token>."},
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "oneroster": crate::oneroster::security_scheme(),
            },
            "schemas": {
                "ImsxStatus": {"type": "object", "description": "OneRoster 1.2: trạng thái lỗi (imsx_description nêu lý do và cách xử lý bằng tiếng Việt)", "properties": {
                    "imsx_codeMajor": {"type": "string"}, "imsx_severity": {"type": "string"},
                    "imsx_description": {"type": "string"}, "imsx_CodeMinor": {"type": "object"}}},
                "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
                    "code": {"type": "string"}, "message": {"type": "string"}, "reason": {"type": "string"},
                    "remedy": {"type": "string"}, "fields": {"type": "array"}}}}},
                "SchoolProfile": record_schema(&hocba_domain::school::FIELDS),
                "CampusProfile": record_schema(&hocba_domain::school::CAMPUS_FIELDS),
                "StaffProfile": record_schema(&hocba_domain::staff::FIELDS),
                "StudentProfile": record_schema(&hocba_domain::student::FIELDS),
            }
        }
    })
}

pub async fn document() -> Json<Value> {
    Json(build())
}
