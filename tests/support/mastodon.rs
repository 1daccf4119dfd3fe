//! The Mastodon stand-in on 127.0.0.1 (tests/servers/mastodon_server.py) that a test starts,
//! feeds faults and reads back; dropping it stops the server.
//!
//! Include it with `#[path = "support/mastodon.rs"] mod mastodon;` (the client's unit tests
//! include it too, from src/publish/mastodon/mod.rs). Needs `python3` with the `regex`
//! package (`pip install -r tests/servers/requirements.txt`); where either is missing the
//! tests skip with a message, unless `REPURPOSE_REQUIRE_SERVERS` is set (as in .ci/run):
//! then that is a failure.

// Each test crate that includes this file uses a different part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The token the server takes unless told another.
pub const TOKEN: &str = "mastodon-test-token-4f9a2c";

/// How to start the server.
#[derive(Debug, Clone)]
pub struct Options {
    /// The token it accepts as `Authorization: Bearer …`.
    pub token: String,
    /// `configuration.statuses.max_characters`.
    pub max_characters: usize,
    /// Whether `/api/v2/instance` exists (a Mastodon before 4.0 answers it 404).
    pub v2: bool,
    /// `configuration.media_attachments.image_size_limit`: the largest image it takes, in
    /// bytes (Mastodon's own: 16 MB).
    pub image_size_limit: u64,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            token: TOKEN.to_string(),
            max_characters: 500,
            v2: true,
            image_size_limit: 16 * 1024 * 1024,
        }
    }
}

/// A running server.
#[derive(Debug)]
pub struct MastodonServer {
    pub port: u16,
    child: Child,
    stdin: Option<ChildStdin>,
    // Held so the server never writes to a closed pipe.
    _stdout: BufReader<ChildStdout>,
    log: PathBuf,
    _temp: tempfile::TempDir,
}

fn servers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/servers")
}

/// True when a missing server must fail the test instead of skipping it.
pub fn servers_required() -> bool {
    std::env::var_os("REPURPOSE_REQUIRE_SERVERS").is_some()
}

fn missing<T>(reason: &str) -> Option<T> {
    assert!(
        !servers_required(),
        "REPURPOSE_REQUIRE_SERVERS is set but {reason}"
    );
    eprintln!("skipped: {reason}");
    None
}

/// Starts a server with the default options.
pub fn start() -> Option<MastodonServer> {
    start_with(Options::default())
}

/// Starts a server, or None (the reason on stderr) when python3 or `regex` is missing.
pub fn start_with(options: Options) -> Option<MastodonServer> {
    let Options {
        token,
        max_characters,
        v2,
        image_size_limit,
    } = options;
    let probe = Command::new("python3")
        .args(["-c", "import regex"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    match probe {
        Err(error) => return missing(&format!("python3 could not be started: {error}")),
        Ok(status) if !status.success() => {
            return missing(
                "the Python package `regex` is not installed (pip install -r tests/servers/requirements.txt)",
            );
        }
        Ok(_) => {}
    }
    let temp = tempfile::Builder::new()
        .prefix("repurpose-mastodon-")
        .tempdir()
        .expect("a temporary folder for the Mastodon server");
    let log = temp.path().join("server.log");
    let log_file = std::fs::File::create(&log).expect("the server's log file");
    let mut command = Command::new("python3");
    command
        .arg(servers_dir().join("mastodon_server.py"))
        .args(["--port", "0", "--token", &token])
        .args(["--max-characters", &max_characters.to_string()])
        .args(["--image-size-limit", &image_size_limit.to_string()]);
    if !v2 {
        command.arg("--no-v2");
    }
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log_file))
        .spawn()
        .expect("python3 starts");
    let stdin = child.stdin.take();
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
    // The first line, read on a thread so a server that hangs fails the test instead.
    let (sender, receiver) = mpsc::channel();
    let reader = thread::spawn(move || {
        let mut line = String::new();
        let read = stdout.read_line(&mut line);
        let _ = sender.send(read.map(|_| line));
        stdout
    });
    let line = receiver.recv_timeout(Duration::from_secs(30));
    let port = match &line {
        Ok(Ok(line)) => line
            .trim()
            .strip_prefix("listening 127.0.0.1:")
            .and_then(|port| port.parse::<u16>().ok()),
        _ => None,
    };
    let Some(port) = port else {
        drop(stdin);
        let _ = child.kill();
        let status = child.wait().expect("the server's exit status");
        let log = std::fs::read_to_string(&log).unwrap_or_default();
        panic!("the Mastodon server did not start ({status}; first line {line:?}):\n{log}");
    };
    let stdout = reader.join().expect("the reader thread");
    Some(MastodonServer {
        port,
        child,
        stdin,
        _stdout: stdout,
        log,
        _temp: temp,
    })
}

impl MastodonServer {
    /// The instance's root URL, as a `publish:` target's `url`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Replaces the faults (see the server's docstring); the count of creates starts again.
    pub fn set_faults(&self, faults: &Value) {
        self.control("POST", "/__faults", Some(faults));
    }

    /// Changes the instance's configuration: `{"max_characters": N, "v2": false}`.
    pub fn set_instance(&self, instance: &Value) {
        self.control("POST", "/__instance", Some(instance));
    }

    /// Everything the server holds: `{"statuses": [...], "requests": [...], "creates": N}`.
    pub fn state(&self) -> Value {
        self.control("GET", "/__state", None)
    }

    /// The statuses stored, oldest first, each with its `text`.
    pub fn statuses(&self) -> Vec<Value> {
        self.state()["statuses"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The media attachments stored, oldest first, each with its `description`, `size`,
    /// `sha256`, `filename`, `mime_type`, `account_id` and `status_id`.
    pub fn media(&self) -> Vec<Value> {
        self.state()["media"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Makes an attachment that belongs to another account; its id.
    pub fn foreign_media(&self) -> String {
        self.control("POST", "/__media", None)["id"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The requests the server saw, as `"METHOD /path"`, in order.
    pub fn requests(&self) -> Vec<String> {
        self.state()["requests"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                format!(
                    "{} {}",
                    r["method"].as_str().unwrap_or_default(),
                    r["path"].as_str().unwrap_or_default()
                )
            })
            .filter(|r| !r.contains("/__"))
            .collect()
    }

    /// What the server wrote on stderr.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// One request to a control route, over a plain socket (no client under test involved).
    fn control(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let body = body.map(Value::to_string).unwrap_or_default();
        let mut stream =
            TcpStream::connect(("127.0.0.1", self.port)).expect("the Mastodon server answers");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("a read timeout");
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .expect("the control request is sent");
        let mut answer = String::new();
        stream
            .read_to_string(&mut answer)
            .expect("the control answer");
        let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
        assert!(
            head.starts_with("HTTP/1.1 200"),
            "{method} {path}: {head}\n{}",
            self.log()
        );
        serde_json::from_str(body).expect("the control answer is JSON")
    }
}

impl Drop for MastodonServer {
    fn drop(&mut self) {
        // End of file on its stdin stops the server.
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
