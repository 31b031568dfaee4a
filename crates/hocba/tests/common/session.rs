//! A browser session for the UI tests: signing in through the login form
//! (the session cookie, the CSRF token of the session's pages) and posting
//! forms and files as a browser does.

use super::Env;
use reqwest::{StatusCode, header};

pub const BOUNDARY: &str = "hocba-test-upload-7c1d";

/// A `multipart/form-data` body: the CSRF field and the workbook.
pub fn multipart(csrf: &str, file: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"so-diem.xlsx\"\r\n\
         Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

pub struct Browser {
    pub cookie: String,
    pub csrf: String,
}

/// Signs in through the login form and reads the session's CSRF token
/// from a page's hidden `csrf` field.
pub async fn sign_in(env: &Env, username: &str) -> Browser {
    let login = env.login(username).clone();
    let response = env
        .http
        .post(format!("{}/login", env.base))
        .form(&[
            ("username", login.username.as_str()),
            ("password", login.password.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "sign in {username}"
    );
    let cookie = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("hocba_session="))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_owned();
    let page = env
        .http
        .get(format!("{}/password", env.base))
        .header(header::COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a csrf field")
        .to_owned();
    Browser { cookie, csrf }
}

impl Browser {
    /// GETs a page with the session: (status, HTML).
    pub async fn get(&self, env: &Env, path: &str) -> (StatusCode, String) {
        let response = env
            .http
            .get(format!("{}{path}", env.base))
            .header(header::COOKIE, &self.cookie)
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    }

    /// POSTs a form (with the session's CSRF token): (status, HTML).
    pub async fn post(
        &self,
        env: &Env,
        path: &str,
        fields: &[(&str, &str)],
    ) -> (StatusCode, String) {
        let mut fields: Vec<(&str, &str)> = fields.to_vec();
        fields.push(("csrf", &self.csrf));
        let response = env
            .http
            .post(format!("{}{path}", env.base))
            .header(header::COOKIE, &self.cookie)
            .form(&fields)
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    }
}
