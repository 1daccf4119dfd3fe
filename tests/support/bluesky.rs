//! Bluesky's real reference PDS on 127.0.0.1 for tests (tests/servers/pds/start.js: npm's
//! `@atproto/pds` with an in-memory PLC directory), with accounts made on it and, in front of
//! it when a test wants faults the PDS cannot make, tests/servers/fault_proxy.py.
//!
//! The tests of a binary share one PDS (`shared`), each with accounts of its own, since
//! starting one takes seconds; a test that needs other settings starts its own
//! (`start_with`). Everything a test starts is stopped when its value is dropped; the shared
//! PDS, never dropped, stops when the test process ends and the pipe it holds on the PDS's
//! stdin closes (as does anything else started, should the test process die).
//!
//! Include it with `#[path = "support/bluesky.rs"] mod bluesky;` (from src/publish/bluesky/:
//! `"../../../tests/support/bluesky.rs"`). Without `tests/servers/pds/node_modules`
//! (`bash tests/servers/pds.sh install`) `shared` and `start_with` skip with a note, unless
//! `REPURPOSE_REQUIRE_SERVERS` is set (`.ci/run`), where that is a failure.

// Each test crate that includes this module uses a part of it.
#![allow(dead_code)]

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{OnceLock, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tempfile::TempDir;

/// How long the PDS may take to listen: 2–5 s on a quiet machine, more when builders share
/// the cores.
const READY_TIMEOUT: Duration = Duration::from_secs(120);

/// How long a server may take to stop after SIGTERM before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(20);

/// The collection posts are records of.
pub const POSTS: &str = "app.bsky.feed.post";

fn servers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/servers")
}

/// A running PDS (and its PLC directory).
pub struct Pds {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub url: String,
    server: Server,
    agent: ureq::Agent,
    /// The folder of its data and the logs of it and its proxies.
    dir: PathBuf,
    /// Removes `dir` when dropped; `None` for the shared PDS, whose shell removes it.
    _owned: Option<TempDir>,
}

/// An account made on the PDS.
#[derive(Clone)]
pub struct Account {
    /// `ana.test`
    pub handle: String,
    pub did: String,
    pub password: String,
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("handle", &self.handle)
            .field("did", &self.did)
            .field("password", &"<hidden>")
            .finish()
    }
}

/// The fault proxy in front of a PDS.
pub struct Proxy {
    /// `http://127.0.0.1:PORT`, no trailing slash: give this URL to the client.
    pub url: String,
    server: Server,
    agent: ureq::Agent,
}

/// A child process started with a pipe on its stdin and a ready line on its stdout.
struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    name: &'static str,
}

/// The PDS this test binary's tests share, started by the first that asks for it; each test
/// makes accounts of its own on it (`account`, a handle no other test takes). `None` (saying
/// why on stderr) where it is not installed. Panics as `start_with` does.
pub fn shared() -> Option<&'static Pds> {
    static SHARED: OnceLock<Pds> = OnceLock::new();
    if let Some(why) = unavailable() {
        skip(why);
        return None;
    }
    Some(SHARED.get_or_init(|| launch(&[], true)))
}

/// Starts a PDS of the test's own with more environment (`PDS_RATE_LIMITS_ENABLED=true`),
/// stopped when dropped, or returns `None` (saying why on stderr) where it is not installed.
/// Panics if it is installed but does not come up, or if it is missing and
/// `REPURPOSE_REQUIRE_SERVERS` is set.
pub fn start_with(env: &[(&str, &str)]) -> Option<Pds> {
    if let Some(why) = unavailable() {
        skip(why);
        return None;
    }
    Some(launch(env, false))
}

/// Why the PDS cannot run here, if it cannot.
fn unavailable() -> Option<&'static str> {
    let installed = servers_dir().join("pds/node_modules/@atproto/pds").is_dir();
    let node = Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !node {
        Some("the Bluesky PDS cannot run here: no `node`")
    } else if !installed {
        Some("the Bluesky PDS is not installed (`bash tests/servers/pds.sh install`)")
    } else {
        None
    }
}

fn skip(why: &str) {
    assert!(
        std::env::var_os("REPURPOSE_REQUIRE_SERVERS").is_none(),
        "REPURPOSE_REQUIRE_SERVERS is set but {why}"
    );
    eprintln!("skipped: {why}");
}

/// Starts a PDS. A `shared` one is never dropped: it runs under a shell that removes its
/// folder once it has stopped, at the end of the test process.
fn launch(env: &[(&str, &str)], shared: bool) -> Pds {
    let start_js = servers_dir().join("pds/start.js");
    let owned = tempfile::Builder::new()
        .prefix("repurpose-pds-")
        .tempdir()
        .expect("a temporary folder for the PDS");
    let dir = owned.path().to_path_buf();
    let data = dir.join("data");
    std::fs::create_dir(&data).expect("the PDS's data folder");
    let log_path = dir.join("pds.log");
    // start.js picks a free port before the PDS listens on it; another test may take it in
    // between, rarely: then it is started again.
    let mut attempts = 0;
    let (server, port) = loop {
        let mut command = if shared {
            // The folder goes when the PDS stops cleanly; after a failure it stays, with the
            // log the panic below shows.
            let mut command = Command::new("sh");
            command
                .arg("-c")
                .arg(r#"node "$1" "$2" && rm -rf "$3""#)
                .arg("sh")
                .arg(&start_js)
                .arg(&data)
                .arg(&dir);
            command
        } else {
            let mut command = Command::new("node");
            command.arg(&start_js).arg(&data);
            command
        };
        command.envs(env.iter().copied());
        match Server::start(command, "the PDS", &log_path) {
            Ok(started) => break started,
            Err(log) if log.contains("EADDRINUSE") && attempts < 3 => attempts += 1,
            Err(log) => panic!("{log}"),
        }
    };
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into();
    Pds {
        url: format!("http://127.0.0.1:{port}"),
        server,
        agent,
        dir,
        _owned: if shared {
            let _ = owned.keep();
            None
        } else {
            Some(owned)
        },
    }
}

impl Pds {
    /// Makes an account `handle` (ending in `.test`) with a password of its own
    /// (`com.atproto.server.createAccount`).
    pub fn account(&self, handle: &str) -> Account {
        let password = format!("pw-{}-{}", handle.replace('.', "-"), std::process::id());
        let email = format!("{}@example.com", handle.replace('.', "-"));
        let body = json!({"handle": handle, "email": email, "password": password});
        let created = self.procedure("com.atproto.server.createAccount", &body);
        let did = created["did"]
            .as_str()
            .unwrap_or_else(|| panic!("createAccount {handle}: no did"))
            .to_string();
        Account {
            handle: handle.to_string(),
            did,
            password,
        }
    }

    /// Starts the fault proxy in front of this PDS.
    pub fn proxy(&self) -> Proxy {
        let mut command = Command::new("python3");
        command
            .arg(servers_dir().join("fault_proxy.py"))
            .arg(&self.url);
        // Tests sharing the PDS each have their own proxy, and log.
        static PROXIES: AtomicUsize = AtomicUsize::new(0);
        let n = PROXIES.fetch_add(1, Ordering::Relaxed);
        let log_path = self.dir.join(format!("proxy-{n}.log"));
        let (server, port) = Server::start(command, "the fault proxy", &log_path)
            .unwrap_or_else(|log| panic!("{log}"));
        Proxy {
            url: format!("http://127.0.0.1:{port}"),
            server,
            agent: self.agent.clone(),
        }
    }

    /// Every post in `did`'s repository, oldest first (`com.atproto.repo.listRecords`, which
    /// needs no login): each `{uri, cid, value}`.
    pub fn posts(&self, did: &str) -> Vec<Value> {
        let mut posts = Vec::new();
        let mut cursor = String::new();
        loop {
            let mut query = vec![
                ("repo", did),
                ("collection", POSTS),
                ("limit", "100"),
                ("reverse", "true"),
            ];
            if !cursor.is_empty() {
                query.push(("cursor", cursor.as_str()));
            }
            let page = self.get("com.atproto.repo.listRecords", &query);
            let records = page["records"].as_array().cloned().unwrap_or_default();
            let done = records.is_empty();
            posts.extend(records);
            match page["cursor"].as_str() {
                Some(next) if !done => cursor = next.to_string(),
                _ => return posts,
            }
        }
    }

    /// The post `rkey` of `did` (`com.atproto.repo.getRecord`): `{uri, cid, value}`.
    pub fn post(&self, did: &str, rkey: &str) -> Value {
        self.get(
            "com.atproto.repo.getRecord",
            &[("repo", did), ("collection", POSTS), ("rkey", rkey)],
        )
    }

    /// The folder that holds the PDS's data and the logs.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    #[track_caller]
    fn get(&self, nsid: &str, query: &[(&str, &str)]) -> Value {
        let mut request = self.agent.get(format!("{}/xrpc/{nsid}", self.url));
        for (key, value) in query {
            request = request.query(*key, *value);
        }
        json_of(request.call(), nsid)
    }

    #[track_caller]
    fn procedure(&self, nsid: &str, body: &Value) -> Value {
        let response = self
            .agent
            .post(format!("{}/xrpc/{nsid}", self.url))
            .send_json(body);
        json_of(response, nsid)
    }
}

impl Proxy {
    /// Sets the faults (`{"error_500_on": 2}`, see fault_proxy.py), replacing those set
    /// before; creates are counted from 1 again.
    pub fn faults(&self, faults: &Value) {
        let response = self
            .agent
            .post(format!("{}/__faults", self.url))
            .send_json(faults);
        json_of(response, "/__faults");
    }

    /// What the proxy saw: `{"creates": N, "requests": [{method, path, nsid, status, fault,
    /// authorized}]}`.
    pub fn state(&self) -> Value {
        json_of(
            self.agent.get(format!("{}/__state", self.url)).call(),
            "/__state",
        )
    }

    /// The NSIDs of the requests the proxy saw with their statuses, in order:
    /// `["com.atproto.server.createSession 200", …]`.
    pub fn calls(&self) -> Vec<String> {
        let state = self.state();
        state["requests"]
            .as_array()
            .map(|requests| {
                requests
                    .iter()
                    .map(|r| format!("{} {}", r["nsid"].as_str().unwrap_or("?"), r["status"]))
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Server {
    /// Spawns `command` and waits for its `listening 127.0.0.1:PORT` line; `Err` says why it
    /// did not come, with the log.
    fn start(
        mut command: Command,
        name: &'static str,
        log_path: &Path,
    ) -> Result<(Server, u16), String> {
        let log = File::create(log_path).expect("a log file");
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|error| panic!("{name} does not start: {error}"));
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, receiver) = mpsc::channel();
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let read = reader.read_line(&mut line).map(|_| line);
            let _ = sender.send(read);
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let port = match receiver.recv_timeout(READY_TIMEOUT) {
            Ok(Ok(line)) => line
                .trim()
                .strip_prefix("listening 127.0.0.1:")
                .and_then(|port| port.parse::<u16>().ok())
                .ok_or_else(|| format!("its first line is {line:?}")),
            Ok(Err(error)) => Err(format!("its stdout could not be read: {error}")),
            Err(_) => Err(format!(
                "not listening within {} s",
                READY_TIMEOUT.as_secs()
            )),
        };
        let mut server = Server { child, stdin, name };
        match port {
            Ok(port) => Ok((server, port)),
            Err(why) => {
                server.stop();
                let log = std::fs::read_to_string(log_path).unwrap_or_default();
                Err(format!("{name} did not start: {why}\n{log}"))
            }
        }
    }

    /// SIGTERM, then a kill if it does not stop in time.
    fn stop(&mut self) {
        drop(self.stdin.take());
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(self.child.id().to_string())
                .status();
        }
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return;
            }
            thread::sleep(Duration::from_millis(25));
        }
        eprintln!("{} did not stop within {STOP_TIMEOUT:?}: killed", self.name);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The JSON of a 2xx response; panics with the call, status and body otherwise.
#[track_caller]
fn json_of(response: Result<ureq::http::Response<ureq::Body>, ureq::Error>, call: &str) -> Value {
    let mut response = response.unwrap_or_else(|error| panic!("{call}: {error}"));
    let status = response.status().as_u16();
    let text = response
        .body_mut()
        .read_to_string()
        .unwrap_or_else(|error| panic!("{call}: reading the body: {error}"));
    assert!(
        (200..300).contains(&status),
        "{call}: status {status}\n{text}"
    );
    serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("{call}: not JSON ({error}):\n{text}"))
}
