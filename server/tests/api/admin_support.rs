//! A staff browser for handler tests: signs in through the login form, keeps the
//! session cookie and the page's CSRF token, and posts forms like a browser would.

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::support::TestApp;

pub const STAFF_PASSWORD: &str = "ordinavo-demo-2026";
pub const ADMIN: &str = "admin@ordinavo.example";
pub const DISPATCHER: &str = "dispatch@ordinavo.example";
const HOST: &str = "admin.test";

pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    /// Where a redirect points.
    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }
}

pub struct Browser<'a> {
    pub app: &'a TestApp,
    pub cookie: String,
    pub csrf: String,
}

/// The value of the first `name="csrf"` hidden input.
pub fn csrf_in(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a CSRF field") + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&format!("{name}=")).map(|rest| rest.split(';').next().unwrap().to_string()))
}

pub async fn send(app: &TestApp, request: Request<Body>) -> Page {
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Page { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
}

pub fn form_body(fields: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish()
}

/// Posts the login form the way a browser does, after fetching it.
pub async fn login(app: &TestApp, email: &str, password: &str) -> Page {
    let form = send(app, Request::get("/admin/login").header(header::HOST, HOST).body(Body::empty()).unwrap()).await;
    let login_cookie = cookie_value(&form.headers, "ordinavo_staff_login").expect("login cookie");
    let body = form_body(&[("csrf", &csrf_in(&form.body)), ("email", email), ("password", password)]);
    let request = Request::post("/admin/login")
        .header(header::HOST, HOST)
        .header(header::ORIGIN, format!("http://{HOST}"))
        .header(header::COOKIE, format!("ordinavo_staff_login={login_cookie}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    send(app, request).await
}

impl<'a> Browser<'a> {
    pub async fn sign_in(app: &'a TestApp, email: &str) -> Browser<'a> {
        let answer = login(app, email, STAFF_PASSWORD).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "[{}] sign in {email}: {}", app.backend, answer.body);
        let cookie = cookie_value(&answer.headers, "ordinavo_staff").expect("session cookie");
        let mut browser = Browser { app, cookie, csrf: String::new() };
        let home = browser.get("/admin/").await;
        assert_eq!(home.status, StatusCode::OK, "{}", home.body);
        browser.csrf = csrf_in(&home.body);
        browser
    }

    pub async fn get(&self, path: &str) -> Page {
        let request = Request::get(path)
            .header(header::HOST, HOST)
            .header(header::COOKIE, format!("ordinavo_staff={}", self.cookie))
            .body(Body::empty())
            .unwrap();
        send(self.app, request).await
    }

    /// Posts a form with this session's CSRF token from our own origin.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &form_body(&all), Some(&format!("http://{HOST}"))).await
    }

    /// Posts a hand-made body with the given Origin header (or none).
    pub async fn post_raw(&self, path: &str, body: &str, origin: Option<&str>) -> Page {
        let mut request = Request::post(path)
            .header(header::HOST, HOST)
            .header(header::COOKIE, format!("ordinavo_staff={}", self.cookie))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        send(self.app, request.body(Body::from(body.to_string())).unwrap()).await
    }

    /// Posts and expects the redirect of a successful action; returns its target.
    pub async fn act(&self, path: &str, fields: &[(&str, &str)]) -> String {
        let page = self.post(path, fields).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "[{}] POST {path}: {}", self.app.backend, page.body);
        page.location().to_string()
    }
}
