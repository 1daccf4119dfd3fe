//! The client tests' side of tests/servers/{discourse,devto}_server.py: start one on a free
//! port, set its faults, read what it holds, stop it when dropped. Used by each host's `tests.rs`
//! and, through tests/support/{discourse,devto}.rs, by the integration tests.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

/// The key the servers accept in these tests.
pub const KEY: &str = "test-key-5f1c9a";

/// A running server.
pub struct Server {
    pub url: String,
    child: Child,
    /// Held open: the server stops when it reads end of file.
    stdin: Option<ChildStdin>,
    agent: ureq::Agent,
}

impl Server {
    /// Starts `tests/servers/<script>` with the account `ana` and `KEY`; None (the reason on
    /// stderr) where python3 cannot be started, unless `REPURPOSE_REQUIRE_SERVERS` is set.
    pub fn start(script: &str) -> Option<Server> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/servers")
            .join(script);
        let spawned = Command::new("python3")
            .arg(&path)
            .args(["--username", "ana"])
            .env("SERVER_API_KEY", KEY)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(error) => {
                assert!(
                    std::env::var_os("REPURPOSE_REQUIRE_SERVERS").is_none(),
                    "python3 could not be started: {error}"
                );
                eprintln!("skipped: python3 could not be started: {error}");
                return None;
            }
        };
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let _ = sender.send(line);
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let line = receiver
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_default();
        let Some(address) = line.trim().strip_prefix("listening ") else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{script} did not start: first line {line:?}");
        };
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        Some(Server {
            url: format!("http://{address}"),
            child,
            stdin,
            agent,
        })
    }

    /// Replaces the faults (see tests/servers/article_service.py).
    pub fn faults(&self, faults: &Value) {
        self.control("__faults", faults);
    }

    /// Does what a person does on the site by hand (`{"action": …}`).
    pub fn site(&self, action: &Value) -> Value {
        self.control("__site", action)
    }

    /// Everything the server holds, and its request log.
    pub fn state(&self) -> Value {
        let mut reply = self
            .agent
            .get(format!("{}/__state", self.url))
            .call()
            .expect("the server answers /__state");
        reply.body_mut().read_json().expect("/__state answers JSON")
    }

    /// The requests the server got with this method whose path is `path`.
    pub fn requests(&self, method: &str, path: &str) -> usize {
        self.state()["requests"]
            .as_array()
            .expect("a request log")
            .iter()
            .filter(|r| r["method"] == method && r["path"] == path)
            .count()
    }

    fn control(&self, route: &str, body: &Value) -> Value {
        let mut reply = self
            .agent
            .post(format!("{}/{route}", self.url))
            .send_json(body)
            .expect("the server answers its control route");
        reply.body_mut().read_json().unwrap_or(Value::Null)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
