//! A real WordPress on 127.0.0.1 for integration tests: `tests/servers/wordpress.sh serve`
//! in a temporary folder, stopped (php, MariaDB, every file) when the value is dropped.
//!
//! Include it with `#[path = "support/wordpress.rs"] mod wordpress;` (from `tests/cli/`:
//! `"../support/wordpress.rs"`). Without Debian's packages `start` skips with a note, unless
//! `REPURPOSE_REQUIRE_SERVERS` is set (`.ci/run`), where that is a failure.

// Each test file that includes this module uses a part of it.
#![allow(dead_code)]

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

/// How long the site may take to be ready; it takes about 5 s on a quiet machine, more when
/// builders share the cores.
const READY_TIMEOUT: Duration = Duration::from_secs(120);

/// How long the script may take to stop php and MariaDB once stdin is closed.
const STOP_TIMEOUT: Duration = Duration::from_secs(30);

/// The programs and the folder the script needs: Debian's `wordpress`, `php-cli`,
/// `php-mysql` and `mariadb-server`.
const NEEDED_PROGRAMS: [&str; 4] = ["php", "mariadbd", "mariadb-install-db", "mariadb"];
const WORDPRESS: &str = "/usr/share/wordpress/wp-settings.php";

/// A running WordPress site with an administrator and an application password for them.
pub struct WordPress {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub url: String,
    /// The administrator's login.
    pub user: String,
    /// The administrator's application password (with its spaces, as WordPress shows it).
    pub password: String,
    child: Child,
    /// Held open: the script stops everything when it reaches EOF.
    stdin: Option<ChildStdin>,
    agent: ureq::Agent,
    dir: TempDir,
}

impl fmt::Debug for WordPress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WordPress")
            .field("url", &self.url)
            .field("user", &self.user)
            .field("password", &"<hidden>")
            .field("dir", &self.dir.path())
            .finish_non_exhaustive()
    }
}

/// Starts a fresh site, or returns `None` (saying why on stderr) where the packages are
/// missing. Panics if they are there but the site does not come up, or if they are missing
/// and `REPURPOSE_REQUIRE_SERVERS` is set.
pub fn start() -> Option<WordPress> {
    let missing = missing_packages();
    if !missing.is_empty() {
        let why = format!(
            "WordPress cannot run here: {} missing (`bash tests/servers/wordpress.sh install` \
             installs the packages)",
            missing.join(", ")
        );
        assert!(
            std::env::var_os("REPURPOSE_REQUIRE_SERVERS").is_none(),
            "REPURPOSE_REQUIRE_SERVERS is set but {why}"
        );
        eprintln!("skipped: {why}");
        return None;
    }
    let dir = tempfile::tempdir().expect("a temporary folder for WordPress");
    let log_path = dir.path().join("serve.log");
    let log = File::create(&log_path).expect("the script's log file");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/servers/wordpress.sh");
    let mut child = Command::new("bash")
        .arg(&script)
        .arg("serve")
        .arg(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("bash runs tests/servers/wordpress.sh");
    let stdin = child.stdin.take();
    let stdout = child.stdout.take().expect("the script's stdout is piped");

    // The ready line, read on a thread so a hung start cannot hang the test past the timeout;
    // the thread then drains stdout until the script exits.
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let read = reader.read_line(&mut line).map(|_| line);
        let _ = sender.send(read);
        let _ = std::io::copy(&mut reader, &mut std::io::sink());
    });
    let ready = match receiver.recv_timeout(READY_TIMEOUT) {
        Ok(Ok(line)) => parse_ready(&line),
        Ok(Err(error)) => Err(format!("its stdout could not be read: {error}")),
        Err(_) => Err(format!(
            "no ready line within {} s",
            READY_TIMEOUT.as_secs()
        )),
    };
    let (url, user, password) = match ready {
        Ok(ready) => ready,
        Err(why) => {
            stop(&mut child, stdin);
            let log = std::fs::read_to_string(&log_path).unwrap_or_default();
            panic!("tests/servers/wordpress.sh serve failed: {why}\n{log}");
        }
    };
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into();
    Some(WordPress {
        url,
        user,
        password,
        child,
        stdin,
        agent,
        dir,
    })
}

impl WordPress {
    /// The folder that holds the site's database, configuration and logs.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// An agent that returns 4xx and 5xx responses instead of failing on them.
    pub fn agent(&self) -> &ureq::Agent {
        &self.agent
    }

    /// The `Authorization` header's value for the administrator's application password.
    pub fn authorization(&self) -> String {
        basic_authorization(&self.user, &self.password)
    }

    /// The URL of a REST route: `"/wp/v2/posts?slug=x"` becomes
    /// `URL/?rest_route=/wp/v2/posts&slug=x`, which works whatever the permalinks.
    pub fn rest(&self, path_and_query: &str) -> String {
        match path_and_query.split_once('?') {
            Some((path, query)) => format!("{}/?rest_route={path}&{query}", self.url),
            None => format!("{}/?rest_route={path_and_query}", self.url),
        }
    }

    /// An authenticated GET of a REST route (as `rest` takes it); panics unless it succeeds.
    #[track_caller]
    pub fn get_json(&self, path_and_query: &str) -> Value {
        let response = self
            .agent
            .get(self.rest(path_and_query))
            .header("Authorization", self.authorization())
            .call();
        json_of(response, "GET", path_and_query)
    }

    /// An authenticated POST of `body` as JSON to a REST route; panics unless it succeeds.
    #[track_caller]
    pub fn post_json(&self, path_and_query: &str, body: &Value) -> Value {
        let response = self
            .agent
            .post(self.rest(path_and_query))
            .header("Authorization", self.authorization())
            .send_json(body);
        json_of(response, "POST", path_and_query)
    }

    /// The page WordPress renders for post `id` to a visitor (no login), after its redirect
    /// to the pretty permalink; panics unless it is a 200.
    #[track_caller]
    pub fn page(&self, id: u64) -> String {
        let url = format!("{}/?p={id}", self.url);
        let mut response = self
            .agent
            .get(&url)
            .call()
            .unwrap_or_else(|error| panic!("GET {url}: {error}"));
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .read_to_string()
            .unwrap_or_else(|error| panic!("GET {url}: reading the page: {error}"));
        assert_eq!(status, 200, "GET {url}: status {status}\n{text}");
        text
    }
}

impl Drop for WordPress {
    fn drop(&mut self) {
        stop(&mut self.child, self.stdin.take());
    }
}

/// Closes the script's stdin and waits for it to stop php and MariaDB; after a while, asks
/// again with SIGTERM, then kills it.
fn stop(child: &mut Child, stdin: Option<ChildStdin>) {
    drop(stdin);
    let deadline = Instant::now() + STOP_TIMEOUT;
    while Instant::now() < deadline {
        match child.try_wait() {
            Ok(Some(_)) | Err(_) => return,
            Ok(None) => thread::sleep(Duration::from_millis(50)),
        }
    }
    eprintln!("tests/servers/wordpress.sh did not stop within {STOP_TIMEOUT:?}: SIGTERM");
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let deadline = Instant::now() + STOP_TIMEOUT;
    while Instant::now() < deadline {
        if !matches!(child.try_wait(), Ok(None)) {
            return;
        }
        thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The programs or folder of `NEEDED_PROGRAMS` and `WORDPRESS` that are not here.
fn missing_packages() -> Vec<String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut missing: Vec<String> = NEEDED_PROGRAMS
        .iter()
        .filter(|program| !std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
        .map(|program| (*program).to_owned())
        .collect();
    if !Path::new(WORDPRESS).is_file() {
        missing.push("/usr/share/wordpress".to_owned());
    }
    missing
}

/// `(url, user, password)` from `ready url=URL user=NAME password=THE REST OF THE LINE`.
/// The error never holds the line, which holds the password.
fn parse_ready(line: &str) -> Result<(String, String, String), String> {
    let fields = line.trim_end_matches('\n').strip_prefix("ready url=");
    let parsed = fields.and_then(|rest| {
        let (url, rest) = rest.split_once(" user=")?;
        let (user, password) = rest.split_once(" password=")?;
        Some((url.to_owned(), user.to_owned(), password.to_owned()))
    });
    match parsed {
        Some(ready) if !ready.2.is_empty() => Ok(ready),
        _ if line.is_empty() => Err("it exited before it was ready".to_owned()),
        _ => Err("its first line is not `ready url=… user=… password=…`".to_owned()),
    }
}

/// The JSON of a 2xx response; panics with the method, route, status and body otherwise.
#[track_caller]
fn json_of(
    response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    method: &str,
    route: &str,
) -> Value {
    let mut response = response.unwrap_or_else(|error| panic!("{method} {route}: {error}"));
    let status = response.status().as_u16();
    let text = response
        .body_mut()
        .read_to_string()
        .unwrap_or_else(|error| panic!("{method} {route}: reading the body: {error}"));
    assert!(
        (200..300).contains(&status),
        "{method} {route}: status {status}\n{text}"
    );
    serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("{method} {route}: not JSON ({error}):\n{text}"))
}

/// `Basic base64(user:password)`, the header HTTP basic authentication sends.
pub fn basic_authorization(user: &str, password: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = format!("{user}:{password}").into_bytes();
    let mut encoded = String::from("Basic ");
    for chunk in bytes.chunks(3) {
        let group = chunk.iter().enumerate().fold(0u32, |group, (i, byte)| {
            group | u32::from(*byte) << (16 - 8 * i)
        });
        for i in 0..4 {
            if i <= chunk.len() {
                encoded.push(char::from(ALPHABET[(group >> (18 - 6 * i) & 63) as usize]));
            } else {
                encoded.push('=');
            }
        }
    }
    encoded
}

/// The command lines of running processes that mention `dir` (php and mariadbd name the
/// site's folder in theirs): empty once a site is stopped.
pub fn processes_mentioning(dir: &Path) -> Vec<String> {
    let needle = dir.to_string_lossy().into_owned();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|entry| {
            entry
                .file_name()
                .to_string_lossy()
                .bytes()
                .all(|b| b.is_ascii_digit())
        })
        .filter_map(|entry| {
            let mut raw = Vec::new();
            File::open(entry.path().join("cmdline"))
                .and_then(|mut file| file.read_to_end(&mut raw))
                .ok()?;
            let command = String::from_utf8_lossy(&raw).replace('\0', " ");
            command
                .contains(&needle)
                .then(|| command.trim_end().to_owned())
        })
        .collect()
}
