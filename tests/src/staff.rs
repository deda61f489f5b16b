//! Staff acting through the integration API with a key of their own, beside a
//! contact who uses only the desktop app.

use std::time::Duration;

use serde_json::Value;

use crate::Server;

pub struct Staff {
    pub http: reqwest::Client,
    pub base: String,
    pub key: String,
}

impl Staff {
    /// Creates an API key on `server` (through its CLI, as an operator does).
    pub fn new(server: &Server) -> Staff {
        let created = server.cli(&["api-key", "create", "--name", "desktop-e2e"]);
        assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
        let key = String::from_utf8(created.stdout).unwrap().trim().to_string();
        Staff { http: reqwest::Client::new(), base: server.base_url.clone(), key }
    }

    pub async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.http.request(method.clone(), format!("{}{path}", self.base)).bearer_auth(&self.key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        assert!(status.is_success(), "{method} {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    pub async fn post(&self, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn get(&self, path: &str) -> Value {
        self.call(reqwest::Method::GET, path, None).await
    }

    /// The id of the location in `city`.
    pub async fn location_in(&self, city: &str) -> String {
        let locations = self.get("/api/v1/locations?limit=200").await;
        let found = locations["items"].as_array().unwrap().iter().find(|l| l["city"] == city);
        found.unwrap_or_else(|| panic!("no location in {city}"))["id"].as_str().unwrap().to_string()
    }

    /// Every request with this title, whatever its status.
    pub async fn requests_titled(&self, title: &str) -> Vec<Value> {
        let page = self.get("/api/v1/requests?limit=200").await;
        page["items"].as_array().unwrap().iter().filter(|r| r["title"] == title).cloned().collect()
    }

    /// The request as the server stored it, once the app has sent it.
    pub async fn wait_for_request(&self, title: &str) -> Value {
        for _ in 0..600 {
            if let Some(found) = self.requests_titled(title).await.into_iter().next() {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the request `{title}` never reached the server");
    }
}
