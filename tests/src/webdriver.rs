//! A small W3C WebDriver client over reqwest: enough to drive a real browser through
//! the admin web (chromedriver + headless Chromium) or the desktop app (tauri-driver).
//!
//! The client knows nothing about a particular driver: [`DriverProcess`] starts any
//! driver binary on a free port, and [`WebDriver::new_session`] takes the endpoint and
//! the capabilities. [`DriverProcess::chromedriver`] and [`chromium_capabilities`] are
//! the Chromium presets.

use std::future::Future;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The W3C key under which an element reference travels.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// How long `wait_for` and its helpers poll before failing.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(15);
/// The pause between two looks at a condition being waited for.
const POLL: Duration = Duration::from_millis(25);

/// A failed WebDriver command: the W3C error code and message, or a transport error.
#[derive(Debug)]
pub struct WebDriverError {
    pub code: String,
    pub message: String,
}

impl std::fmt::Display for WebDriverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for WebDriverError {}

pub type Result<T> = std::result::Result<T, WebDriverError>;

/// A WebDriver server process (chromedriver, tauri-driver, …) on a free local port;
/// killed when dropped.
pub struct DriverProcess {
    child: Child,
    pub endpoint: String,
}

impl DriverProcess {
    /// Starts `program` with `args`; `{port}` in an argument is replaced by the chosen
    /// port. Waits until the driver's `/status` says it is ready.
    pub async fn start(program: &Path, args: &[&str]) -> DriverProcess {
        Self::start_with_env(program, args, &[]).await
    }

    /// Like `start`, with extra environment variables (inherited by what the driver launches).
    pub async fn start_with_env(program: &Path, args: &[&str], env: &[(String, String)]) -> DriverProcess {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let args: Vec<String> = args.iter().map(|a| a.replace("{port}", &port.to_string())).collect();
        let child = Command::new(program)
            .args(&args)
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", program.display()));
        let mut driver = DriverProcess { child, endpoint: format!("http://127.0.0.1:{port}") };
        driver.wait_ready().await;
        driver
    }

    /// The driver's process id (the app it starts runs below it).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// chromedriver from `CHROMEDRIVER` or the PATH (Debian's `chromium-driver`).
    pub async fn chromedriver() -> DriverProcess {
        let program = std::env::var_os("CHROMEDRIVER").unwrap_or_else(|| "chromedriver".into());
        DriverProcess::start(Path::new(&program), &["--port={port}", "--allowed-ips=127.0.0.1"]).await
    }

    async fn wait_ready(&mut self) {
        let http = http_client();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("the WebDriver server exited early with {status}");
            }
            let ready = match http.get(format!("{}/status", self.endpoint)).send().await {
                Ok(response) => response.json::<Value>().await.is_ok_and(|v| v["value"]["ready"] == true),
                Err(_) => false,
            };
            if ready {
                return;
            }
            assert!(Instant::now() < deadline, "the WebDriver server at {} did not become ready", self.endpoint);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for DriverProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Capabilities for headless Chromium: no sandbox (tests run as root in CI), no GPU,
/// no background traffic, a fixed window size and English UI. `CHROMIUM` overrides
/// the browser binary.
pub fn chromium_capabilities() -> Value {
    let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    json!({
        "browserName": "chrome",
        "pageLoadStrategy": "normal",
        "goog:chromeOptions": {
            "binary": binary,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--no-first-run", "--no-default-browser-check",
                "--no-proxy-server", "--window-size=1280,900", "--lang=en", "--hide-scrollbars",
            ],
        },
    })
}

/// One browser session. `quit` ends it; dropping it ends it too (best effort) and then
/// stops the driver process it owns, if any.
pub struct WebDriver {
    http: reqwest::Client,
    /// `{endpoint}/session/{id}`.
    session: String,
    open: bool,
    driver: Option<DriverProcess>,
}

impl WebDriver {
    /// Opens a session on a running WebDriver server.
    pub async fn new_session(endpoint: &str, capabilities: Value) -> Result<WebDriver> {
        let http = http_client();
        let body = json!({ "capabilities": { "alwaysMatch": capabilities } });
        let value = command(&http, reqwest::Method::POST, &format!("{endpoint}/session"), Some(body)).await?;
        let id = value["sessionId"].as_str().ok_or_else(|| error("session not created", &value.to_string()))?;
        Ok(WebDriver { http, session: format!("{endpoint}/session/{id}"), open: true, driver: None })
    }

    /// Starts tauri-driver (from `TAURI_DRIVER`, `~/.cargo/bin` or the PATH) over
    /// WebKitWebDriver and opens the desktop app `application` with `env`.
    pub async fn tauri(application: &Path, env: &[(String, String)]) -> Result<WebDriver> {
        WebDriver::tauri_with_args(application, &[], env).await
    }

    /// Like `tauri`, with `args` on the app's command line.
    pub async fn tauri_with_args(application: &Path, args: &[&str], env: &[(String, String)]) -> Result<WebDriver> {
        let program = std::env::var_os("TAURI_DRIVER").map(std::path::PathBuf::from).unwrap_or_else(|| {
            let cargo_bin =
                std::path::PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo/bin/tauri-driver");
            if cargo_bin.exists() {
                cargo_bin
            } else {
                "tauri-driver".into()
            }
        });
        let native = std::env::var("WEBKIT_WEBDRIVER").unwrap_or_else(|_| "/usr/bin/WebKitWebDriver".into());
        // Its own port for WebKitWebDriver too, so several app sessions can run at once.
        let native_port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
        let driver_args = ["--port", "{port}", "--native-port", &native_port, "--native-driver", &native];
        let driver = DriverProcess::start_with_env(&program, &driver_args, env).await;
        let capabilities = json!({ "tauri:options": { "application": application.to_string_lossy(), "args": args } });
        let mut session = WebDriver::new_session(&driver.endpoint, capabilities).await?;
        session.driver = Some(driver);
        Ok(session)
    }

    /// Starts chromedriver and a headless Chromium session owned by the result.
    pub async fn chromium() -> Result<WebDriver> {
        let driver = DriverProcess::chromedriver().await;
        let mut session = WebDriver::new_session(&driver.endpoint, chromium_capabilities()).await?;
        session.driver = Some(driver);
        Ok(session)
    }

    /// The process id of the driver this session owns, if any; the browser or app
    /// it drives is among that process's descendants.
    pub fn driver_pid(&self) -> Option<u32> {
        self.driver.as_ref().map(DriverProcess::pid)
    }

    async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value> {
        command(&self.http, method, &format!("{}{path}", self.session), body).await
    }

    async fn get(&self, path: &str) -> Result<Value> {
        self.cmd(reqwest::Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Result<Value> {
        self.cmd(reqwest::Method::POST, path, Some(body)).await
    }

    /// Navigates and waits for the page to load.
    pub async fn goto(&self, url: &str) -> Result<()> {
        self.post("/url", json!({ "url": url })).await.map(drop)
    }

    pub async fn current_url(&self) -> Result<String> {
        Ok(self.get("/url").await?.as_str().unwrap_or_default().to_string())
    }

    pub async fn title(&self) -> Result<String> {
        Ok(self.get("/title").await?.as_str().unwrap_or_default().to_string())
    }

    /// The first element matching a CSS selector, or the `no such element` error.
    pub async fn find(&self, css: &str) -> Result<Element> {
        let value = self.post("/element", json!({ "using": "css selector", "value": css })).await?;
        Ok(self.element(&value))
    }

    /// Every element matching a CSS selector, possibly none.
    pub async fn find_all(&self, css: &str) -> Result<Vec<Element>> {
        let value = self.post("/elements", json!({ "using": "css selector", "value": css })).await?;
        Ok(value.as_array().map(|items| items.iter().map(|v| self.element(v)).collect()).unwrap_or_default())
    }

    fn element(&self, value: &Value) -> Element {
        let id = value[ELEMENT_KEY].as_str().unwrap_or_default().to_string();
        Element { http: self.http.clone(), url: format!("{}/element/{id}", self.session), id }
    }

    /// Runs `script` as a function body with `args` (elements may be passed with
    /// [`Element::arg`]) and returns what it returns.
    pub async fn execute(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        self.post("/execute/sync", json!({ "script": script, "args": args })).await
    }

    /// Runs `script` as a function body whose last argument is a callback; returns
    /// the value passed to it. Bounded by the script timeout (see [`Self::set_script_timeout`]).
    pub async fn execute_async(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        self.post("/execute/async", json!({ "script": script, "args": args })).await
    }

    pub async fn set_script_timeout(&self, timeout: Duration) -> Result<()> {
        self.post("/timeouts", json!({ "script": timeout.as_millis() as u64 })).await.map(drop)
    }

    /// Sets the window size (W3C window rect).
    pub async fn set_window_size(&self, width: u32, height: u32) -> Result<()> {
        self.post("/window/rect", json!({ "width": width, "height": height })).await.map(drop)
    }

    /// A PNG of the viewport.
    pub async fn screenshot(&self) -> Result<Vec<u8>> {
        let value = self.get("/screenshot").await?;
        decode_base64(value.as_str().unwrap_or_default()).ok_or_else(|| error("invalid screenshot", "bad base64"))
    }

    /// A PNG of the whole page: grows the window to the document's height (at most
    /// `max_height`), takes the screenshot and restores `width` x `height`.
    pub async fn screenshot_full_page(&self, path: &Path, width: u32, height: u32, max_height: u32) -> Result<()> {
        let page_height = self.execute("return document.documentElement.scrollHeight;", vec![]).await?;
        let page_height = page_height.as_u64().unwrap_or(u64::from(height)).min(u64::from(max_height)) as u32;
        self.set_window_size(width, page_height.max(height)).await?;
        let png = self.screenshot().await;
        self.set_window_size(width, height).await?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| error("screenshot", &e.to_string()))?;
        }
        std::fs::write(path, png?).map_err(|e| error("screenshot", &e.to_string()))
    }

    /// Cookies visible to WebDriver for the current page, including HttpOnly ones.
    pub async fn cookies(&self) -> Result<Vec<Value>> {
        Ok(self.get("/cookie").await?.as_array().cloned().unwrap_or_default())
    }

    /// Polls `check` until it returns `Some`, failing after `timeout` with `what` in
    /// the message. No fixed sleeps: each poll is a round trip to the browser.
    pub async fn wait_for<T, F, Fut>(&self, what: &str, timeout: Duration, mut check: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Option<T>>,
    {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(value) = check().await {
                return value;
            }
            if Instant::now() > deadline {
                let url = self.current_url().await.unwrap_or_default();
                panic!("timed out after {timeout:?} waiting for {what} (at {url})");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until an element matching `css` exists and returns it.
    pub async fn wait_for_element(&self, css: &str) -> Element {
        self.wait_for(&format!("element `{css}`"), DEFAULT_WAIT, || async move { self.find(css).await.ok() }).await
    }

    /// Waits until the current URL satisfies `accept` and returns it.
    pub async fn wait_for_url(&self, what: &str, accept: impl Fn(&str) -> bool) -> String {
        let accept = &accept;
        self.wait_for(what, DEFAULT_WAIT, || async move { self.current_url().await.ok().filter(|url| accept(url)) })
            .await
    }

    /// Clicks `element` (typically a submit button or a link) and waits until the
    /// browser has replaced the document and finished loading the next one.
    pub async fn click_and_wait_for_page(&self, element: &Element) -> Result<()> {
        self.execute("document.documentElement.dataset.webdriverOldPage = '1';", vec![]).await?;
        element.click().await?;
        let script = "return document.readyState === 'complete' \
                      && document.documentElement.dataset.webdriverOldPage === undefined;";
        self.wait_for("the next page to load", DEFAULT_WAIT, || async move {
            self.execute(script, vec![]).await.ok().filter(|v| v == &Value::Bool(true))
        })
        .await;
        Ok(())
    }

    /// Ends the session and stops the driver process owned by this session, then
    /// waits until what it started is gone: a single-instance app started next
    /// would otherwise hand over to this one and exit.
    pub async fn quit(mut self) -> Result<()> {
        self.open = false;
        let started = self.driver_pid().map(descendants).unwrap_or_default();
        let result = command(&self.http, reqwest::Method::DELETE, &self.session, None).await.map(drop);
        self.driver.take();
        end_processes(&started).await;
        result
    }
}

/// Waits for `pids` to end, and kills those still running after a while.
async fn end_processes(pids: &[u32]) {
    let running = || pids.iter().copied().filter(|pid| alive(*pid)).collect::<Vec<_>>();
    let deadline = Instant::now() + DEFAULT_WAIT;
    while !running().is_empty() && Instant::now() < deadline {
        tokio::time::sleep(POLL).await;
    }
    for pid in running() {
        let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
    }
}

/// Whether the process runs (a zombie has ended, only not yet been reaped).
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| stat.rsplit_once(')').map(|(_, rest)| !rest.trim_start().starts_with('Z')))
        .unwrap_or(false)
}

/// The processes started, directly or not, by `root`.
pub fn descendants(root: u32) -> Vec<u32> {
    let mut parents = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        // `pid (name) state ppid …`; the name may hold spaces and parentheses.
        let ppid = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse::<u32>().ok());
        parents.extend(ppid.map(|ppid| (pid, ppid)));
    }
    let mut found = vec![root];
    let mut next = 0;
    while next < found.len() {
        let parent = found[next];
        found.extend(parents.iter().filter(|(_, ppid)| *ppid == parent).map(|(pid, _)| *pid));
        next += 1;
    }
    found
}

impl Drop for WebDriver {
    fn drop(&mut self) {
        if self.open {
            // No async here (we may be unwinding from a panic): a plain blocking DELETE
            // so the browser is closed before the driver process is killed.
            blocking_delete(&self.session);
        }
    }
}

/// An element reference within a session.
#[derive(Clone)]
pub struct Element {
    http: reqwest::Client,
    /// `{endpoint}/session/{id}/element/{element id}`.
    url: String,
    id: String,
}

impl Element {
    async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value> {
        command(&self.http, method, &format!("{}{path}", self.url), body).await
    }

    /// The element as a script argument for [`WebDriver::execute`].
    pub fn arg(&self) -> Value {
        json!({ ELEMENT_KEY: self.id })
    }

    pub async fn click(&self) -> Result<()> {
        self.cmd(reqwest::Method::POST, "/click", Some(json!({}))).await.map(drop)
    }

    pub async fn clear(&self) -> Result<()> {
        self.cmd(reqwest::Method::POST, "/clear", Some(json!({}))).await.map(drop)
    }

    /// Types `text`; on a file input, `text` is the absolute path of the file to upload.
    pub async fn send_keys(&self, text: &str) -> Result<()> {
        self.cmd(reqwest::Method::POST, "/value", Some(json!({ "text": text }))).await.map(drop)
    }

    /// The rendered text.
    pub async fn text(&self) -> Result<String> {
        Ok(self.cmd(reqwest::Method::GET, "/text", None).await?.as_str().unwrap_or_default().to_string())
    }

    /// An HTML attribute, if present.
    pub async fn attribute(&self, name: &str) -> Result<Option<String>> {
        Ok(self.cmd(reqwest::Method::GET, &format!("/attribute/{name}"), None).await?.as_str().map(str::to_string))
    }

    /// A DOM property (e.g. `value`, `checked`).
    pub async fn property(&self, name: &str) -> Result<Value> {
        self.cmd(reqwest::Method::GET, &format!("/property/{name}"), None).await
    }

    /// Finds a descendant by CSS.
    pub async fn find(&self, css: &str) -> Result<Element> {
        let value =
            self.cmd(reqwest::Method::POST, "/element", Some(json!({ "using": "css selector", "value": css }))).await?;
        let id = value[ELEMENT_KEY].as_str().unwrap_or_default().to_string();
        let session = self.url.rsplit_once("/element/").map(|(session, _)| session).unwrap_or_default();
        Ok(Element { http: self.http.clone(), url: format!("{session}/element/{id}"), id })
    }
}

fn http_client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(120)).build().expect("an HTTP client")
}

fn error(code: &str, message: &str) -> WebDriverError {
    WebDriverError { code: code.to_string(), message: message.to_string() }
}

/// One WebDriver command: the `value` of a success, or the W3C error.
async fn command(http: &reqwest::Client, method: reqwest::Method, url: &str, body: Option<Value>) -> Result<Value> {
    let mut request = http.request(method, url);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.map_err(|e| error("transport", &e.to_string()))?;
    let status = response.status();
    let mut value: Value = response.json().await.map_err(|e| error("transport", &e.to_string()))?;
    let value = value["value"].take();
    if status.is_success() {
        return Ok(value);
    }
    Err(WebDriverError {
        code: value["error"].as_str().unwrap_or("unknown error").to_string(),
        message: value["message"].as_str().unwrap_or_default().to_string(),
    })
}

/// `DELETE` over a plain socket, for cleanup in `Drop`.
fn blocking_delete(url: &str) {
    use std::io::{Read, Write};
    let rest = url.trim_start_matches("http://");
    let Some((host, path)) = rest.split_once('/') else { return };
    let Ok(mut stream) = std::net::TcpStream::connect(host) else { return };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let request = format!("DELETE /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_ok() {
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response);
    }
}

/// Standard base64 (screenshots), without pulling in a dependency.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let digit = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let (mut bits, mut count) = (0u32, 0u32);
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=') {
        bits = (bits << 6) | u32::from(digit(c)?);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::decode_base64;

    #[test]
    fn decodes_base64() {
        assert_eq!(decode_base64("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(decode_base64("aGVsbG8hIQ==").unwrap(), b"hello!!");
        assert_eq!(decode_base64("YWJj").unwrap(), b"abc");
        assert!(decode_base64("a*b").is_none());
    }
}
