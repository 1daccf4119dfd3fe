//! A real SMTP server on 127.0.0.1 (tests/servers/smtp_server.py, on aiosmtpd) that a test
//! starts, feeds faults and reads back, with the mail parsers that read what it received.
//!
//! Include it in a test crate's root with `#[path = "support/smtp.rs"] mod smtp;` (in
//! tests/cli/main.rs: `#[path = "../support/smtp.rs"] mod smtp;`, then `crate::smtp`). Needs `python3` with aiosmtpd
//! (`pip install -r tests/servers/requirements.txt`) and,
//! for [`SmtpServer::parse_with_mailparser`], node with
//! `npm ci --prefix tests/servers/mailparser`. Where they are missing the tests skip with a
//! message, unless `REPURPOSE_REQUIRE_SERVERS` is set (as in .ci/run): then that is a failure.

// Each test crate that includes this file uses a different part of it.
#![allow(dead_code)]

use std::fs;
use std::io::{BufRead, BufReader, ErrorKind};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

/// Where the scripts are, whichever test crate includes this file.
fn servers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/servers")
}

/// True when a missing server or parser must fail the test instead of skipping it.
pub fn servers_required() -> bool {
    std::env::var_os("REPURPOSE_REQUIRE_SERVERS").is_some()
}

/// Skips (None, with the reason on stderr) or, under `REPURPOSE_REQUIRE_SERVERS`, panics.
fn missing<T>(reason: &str) -> Option<T> {
    assert!(
        !servers_required(),
        "REPURPOSE_REQUIRE_SERVERS is set but {reason}"
    );
    eprintln!("skipped: {reason}");
    None
}

/// How the server speaks TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsMode {
    /// Plain SMTP that offers STARTTLS and requires it before MAIL (`smtp://…`).
    #[default]
    StartTls,
    /// TLS from the first byte (`smtps://…`).
    Implicit,
    /// Plain SMTP, no TLS offered.
    None,
}

impl TlsMode {
    fn arg(self) -> &'static str {
        match self {
            TlsMode::StartTls => "starttls",
            TlsMode::Implicit => "implicit",
            TlsMode::None => "none",
        }
    }
}

/// What to start: TLS mode, the one account AUTH accepts (when AUTH is required), the faults.
#[derive(Debug, Clone, Default)]
pub struct SmtpOptions {
    pub tls: TlsMode,
    /// `(user, password)`: AUTH PLAIN/LOGIN is then required, and a wrong password gets 535.
    pub auth: Option<(String, String)>,
    /// The faults file's first content (see tests/servers/smtp_server.py); `Value::Null` for none.
    pub faults: Value,
}

/// One message the server accepted.
#[derive(Debug, Clone)]
pub struct Received {
    /// 1 for the first message the server stored, in the order received.
    pub number: usize,
    /// `{"number", "mail_from", "rcpt_tos": [...], "login": user or null, "tls": bool}`.
    pub envelope: Value,
    /// The message as received (CRLF line ends, as on the wire).
    pub eml: PathBuf,
}

impl Received {
    /// The envelope's recipients.
    pub fn rcpt_tos(&self) -> Vec<String> {
        self.envelope["rcpt_tos"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    }
}

/// A running server; dropping it closes its stdin, which stops it, and removes its folder.
#[derive(Debug)]
pub struct SmtpServer {
    pub port: u16,
    /// Where the messages (NNNN.eml, NNNN.json), events.jsonl and server.log are.
    pub dir: PathBuf,
    pub tls: TlsMode,
    child: Child,
    stdin: Option<ChildStdin>,
    // Held so the server never writes to a closed pipe.
    _stdout: BufReader<ChildStdout>,
    _temp: tempfile::TempDir,
}

/// Starts a server, or None (the reason on stderr) when python3 or aiosmtpd is missing.
pub fn start(options: SmtpOptions) -> Option<SmtpServer> {
    let temp = tempfile::Builder::new()
        .prefix("repurpose-smtp-")
        .tempdir()
        .expect("a temporary folder for the SMTP server");
    let dir = temp.path().to_path_buf();
    let SmtpOptions { tls, auth, faults } = options;
    write_faults(&dir.join("faults.json"), &faults);
    let log = fs::File::create(dir.join("server.log")).expect("the server's log file");

    let mut command = Command::new("python3");
    command
        .arg(servers_dir().join("smtp_server.py"))
        .arg("--dir")
        .arg(&dir)
        .args(["--tls", tls.arg()])
        .arg("--faults")
        .arg(dir.join("faults.json"));
    if let Some((user, password)) = &auth {
        command.arg("--auth").arg(format!("{user}:{password}"));
    }
    let spawned = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log))
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(error) => return missing(&format!("python3 could not be started: {error}")),
    };
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
            .strip_prefix("ready port=")
            .and_then(|port| port.parse::<u16>().ok()),
        _ => None,
    };
    let Some(port) = port else {
        drop(stdin);
        let _ = child.kill();
        let status = child.wait().expect("the server's exit status");
        let log = fs::read_to_string(dir.join("server.log")).unwrap_or_default();
        if status.code() == Some(3) {
            return missing(&format!("aiosmtpd is not importable: {}", log.trim()));
        }
        panic!("the SMTP server did not start ({status}; first line {line:?}):\n{log}");
    };
    let stdout = reader.join().expect("the reader thread");
    Some(SmtpServer {
        port,
        dir,
        tls,
        child,
        stdin,
        _stdout: stdout,
        _temp: temp,
    })
}

fn write_faults(path: &Path, faults: &Value) {
    let faults = if faults.is_null() {
        &Value::Object(Default::default())
    } else {
        faults
    };
    let partial = path.with_extension("json.partial");
    fs::write(&partial, faults.to_string()).expect("the faults file is written");
    fs::rename(&partial, path).expect("the faults file is renamed into place");
}

impl SmtpServer {
    /// The URL a `publish:` target uses for this server (`?insecure`: its certificate is
    /// self-signed).
    pub fn url(&self) -> String {
        match self.tls {
            TlsMode::StartTls => format!("smtp://127.0.0.1:{}?insecure", self.port),
            TlsMode::Implicit => format!("smtps://127.0.0.1:{}?insecure", self.port),
            TlsMode::None => format!("smtp://127.0.0.1:{}", self.port),
        }
    }

    /// Replaces the faults; the server reads them at its next RCPT or DATA, and the counts of
    /// `temporary` start again.
    pub fn set_faults(&self, faults: &Value) {
        write_faults(&self.dir.join("faults.json"), faults);
    }

    /// The messages stored so far, in the order received.
    pub fn messages(&self) -> Vec<Received> {
        let mut received = Vec::new();
        for entry in fs::read_dir(&self.dir).expect("the server's folder lists") {
            let path = entry.expect("a folder entry").path();
            let Some(number) = path
                .file_name()
                .and_then(|name| name.to_str())
                .and_then(|name| name.strip_suffix(".json"))
                .filter(|stem| stem.len() >= 4 && stem.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|stem| stem.parse::<usize>().ok())
            else {
                continue;
            };
            let text = fs::read_to_string(&path).expect("an envelope file reads");
            let envelope: Value = serde_json::from_str(&text).expect("an envelope is JSON");
            received.push(Received {
                number,
                envelope,
                eml: path.with_extension("eml"),
            });
        }
        received.sort_by_key(|r| r.number);
        received
    }

    /// Every fault and refusal the server answered, in order (events.jsonl): `{"event":
    /// "temporary" | "temporary_data" | "permanent" | "auth_failed" | "stalled" | "dropped",
    /// …}`.
    pub fn events(&self) -> Vec<Value> {
        match fs::read_to_string(self.dir.join("events.jsonl")) {
            Ok(text) => text
                .lines()
                .map(|line| serde_json::from_str(line).expect("an event is JSON"))
                .collect(),
            Err(error) if error.kind() == ErrorKind::NotFound => Vec::new(),
            Err(error) => panic!("events.jsonl could not be read: {error}"),
        }
    }

    /// Waits until at least `n` messages are stored and returns them all; panics after
    /// `timeout`, with the server's log.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = Instant::now() + timeout;
        loop {
            let messages = self.messages();
            if messages.len() >= n {
                return messages;
            }
            assert!(
                Instant::now() < deadline,
                "waited {timeout:?} for {n} messages, the SMTP server stored {}; its log:\n{}",
                messages.len(),
                self.log()
            );
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// True once a `stall_after` fault has fired: a DATA was stored and never answered.
    pub fn stalled(&self) -> bool {
        self.dir.join("stalled").exists()
    }

    /// Waits until [`SmtpServer::stalled`]; false after `timeout`.
    pub fn wait_for_stall(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while !self.stalled() {
            if Instant::now() >= deadline {
                return false;
            }
            thread::sleep(Duration::from_millis(20));
        }
        true
    }

    /// What the server wrote on stderr.
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }

    /// The message as Python's `email` package reads it (tests/servers/parse_mail.py).
    pub fn parse(&self, eml: &Path) -> Value {
        run_parser(
            Command::new("python3")
                .arg(servers_dir().join("parse_mail.py"))
                .arg(eml),
            "parse_mail.py",
        )
    }

    /// The message as npm's mailparser reads it (tests/servers/mailparser/parse.js), in the
    /// same shape; None when node or its node_modules are missing.
    pub fn parse_with_mailparser(&self, eml: &Path) -> Option<Value> {
        let folder = servers_dir().join("mailparser");
        if !folder.join("node_modules/mailparser").is_dir() {
            return missing(
                "mailparser is not installed: npm ci --prefix tests/servers/mailparser",
            );
        }
        if Command::new("node").arg("--version").output().is_err() {
            return missing("node is not installed");
        }
        Some(run_parser(
            Command::new("node").arg(folder.join("parse.js")).arg(eml),
            "mailparser/parse.js",
        ))
    }
}

fn run_parser(command: &mut Command, name: &str) -> Value {
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("{name} could not be started: {error}"));
    assert!(
        output.status.success(),
        "{name} failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("{name} printed no JSON: {error}"))
}

impl Drop for SmtpServer {
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
