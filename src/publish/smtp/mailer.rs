//! An open SMTP connection that tells a refused message from one whose fate is unknown, and
//! the retries around it.

use std::cell::Cell;
use std::fmt;
use std::time::Duration;

use lettre::Message;
use lettre::transport::smtp::authentication::{self, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{SmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt, Rset};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};

use super::{Credentials, Security, Server};

/// How long one read or write on the connection may take before it counts as lost. Long
/// enough for a server that scans the message before it answers the final `.`.
const TIMEOUT: Duration = Duration::from_secs(60);

/// The pauses before the retries of a message refused for now (4xx).
const BACKOFF: [Duration; 3] = [
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(4),
];

/// Why a message was not sent, and so what may be done next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// 4xx at MAIL, RCPT or DATA: the server may take it later.
    Temporary { code: u16, text: String },
    /// 5xx: this recipient is refused; never retried. Code 0: refused before it was sent,
    /// because the server cannot carry it (a non-ASCII address without SMTPUTF8).
    Permanent { code: u16, text: String },
    /// The login is wrong, missing, or cannot be sent safely: nothing more can be sent.
    Auth(String),
    /// No connection, a TLS failure, or the connection lost before the server had the whole
    /// message: it was not delivered, and sending it again is safe.
    Connection(String),
    /// The whole message and its final `.` were sent, but no answer came back: the server may
    /// have accepted it. Sending it again may deliver it twice.
    Uncertain(String),
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::Temporary { code, text } => {
                write!(f, "refused for now by the server ({code}): {text}")
            }
            SendError::Permanent { code: 0, text } => write!(f, "not sent: {text}"),
            SendError::Permanent { code, text } => {
                write!(f, "refused by the server ({code}): {text}")
            }
            SendError::Auth(text) | SendError::Connection(text) => f.write_str(text),
            SendError::Uncertain(text) => write!(
                f,
                "delivery uncertain: the message was sent whole but {text}; the server may have accepted it"
            ),
        }
    }
}

impl std::error::Error for SendError {}

/// Where a transaction was when something went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Before the final `.`: the server cannot have accepted the message.
    Before,
    /// Every byte of the content was written, so the final `.` may have reached the server:
    /// only its answer tells what happened.
    AfterDot,
}

/// An open SMTP connection, encrypted and logged in as the URL and the server ask, that sends
/// one message after another.
pub struct Mailer {
    connection: SmtpConnection,
    server: String,
    timeout: Duration,
    /// Set when the connection can carry nothing more (lost, or closed by a 421).
    broken: bool,
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer")
            .field("server", &self.server)
            .field("encrypted", &self.connection.is_encrypted())
            .field("broken", &self.broken)
            .finish()
    }
}

impl Mailer {
    /// Connects, says EHLO, upgrades with STARTTLS when the server offers it (`smtp://`) and
    /// logs in when credentials are given. A password is sent only over TLS, or to this machine.
    pub fn connect(
        server: &Server,
        credentials: Option<&Credentials>,
    ) -> Result<Mailer, SendError> {
        Mailer::connect_with_timeout(server, credentials, TIMEOUT)
    }

    fn connect_with_timeout(
        server: &Server,
        credentials: Option<&Credentials>,
        timeout: Duration,
    ) -> Result<Mailer, SendError> {
        let tls = TlsParameters::builder(server.host.clone())
            .dangerous_accept_invalid_certs(server.insecure)
            .dangerous_accept_invalid_hostnames(server.insecure)
            .build()
            .map_err(|err| SendError::Connection(format!("{server}: TLS setup failed: {err}")))?;
        let hello = ClientId::default();
        let implicit = (server.security == Security::Implicit).then_some(&tls);
        let mut connection = SmtpConnection::connect(
            (server.host.as_str(), server.port),
            Some(timeout),
            &hello,
            implicit,
            None,
        )
        .map_err(|err| {
            SendError::Connection(format!(
                "could not connect to {server}: {}{}",
                chain(&err),
                certificate_hint(server, &err)
            ))
        })?;
        if connection.can_starttls() {
            connection.starttls(&tls, &hello).map_err(|err| {
                SendError::Connection(format!(
                    "{server}: STARTTLS failed: {}{}",
                    chain(&err),
                    certificate_hint(server, &err)
                ))
            })?;
        }
        let mut mailer = Mailer {
            connection,
            server: server.to_string(),
            timeout,
            broken: false,
        };
        if let Some(credentials) = credentials {
            mailer.login(server, credentials)?;
        }
        Ok(mailer)
    }

    fn login(&mut self, server: &Server, credentials: &Credentials) -> Result<(), SendError> {
        let user = &credentials.username;
        if !self.connection.is_encrypted() && !server.is_loopback() {
            return Err(SendError::Auth(format!(
                "{server} offers no STARTTLS: the password for `{user}` would travel unencrypted; \
                 use smtps:// or a server with STARTTLS"
            )));
        }
        let offered = DEFAULT_MECHANISMS.iter().any(|mechanism| {
            self.connection
                .server_info()
                .supports_auth_mechanism(*mechanism)
        });
        if !offered {
            return Err(SendError::Auth(format!(
                "{server} offers no login (AUTH PLAIN or LOGIN) on this connection, \
                 but `username_env`/`password_env` are set"
            )));
        }
        let login = authentication::Credentials::new(
            user.clone(),
            credentials.password.expose().to_string(),
        );
        let result = self.connection.auth(DEFAULT_MECHANISMS, &login);
        result.map(drop).map_err(|err| {
            let secret = credentials.password.expose();
            match classify(&err, Stage::Before, self.timeout) {
                SendError::Permanent { code, text } => SendError::Auth(format!(
                    "{server} refused the login for `{user}` ({code}): {}",
                    scrub(&text, secret)
                )),
                SendError::Temporary { code, text } => SendError::Temporary {
                    code,
                    text: scrub(&text, secret),
                },
                SendError::Connection(text) | SendError::Uncertain(text) => {
                    self.broken = true;
                    SendError::Connection(format!(
                        "{server}: the connection failed during the login: {}",
                        scrub(&text, secret)
                    ))
                }
                SendError::Auth(text) => SendError::Auth(scrub(&text, secret)),
            }
        })
    }

    /// Sends one message to its recipients. A refusal (4xx, 5xx) leaves the connection ready
    /// for the next message; anything else closes it, and `is_broken` says so.
    pub fn send(&mut self, message: &Message) -> Result<(), SendError> {
        if self.broken {
            return Err(SendError::Connection(format!(
                "the connection to {} was lost earlier",
                self.server
            )));
        }
        let Err(error) = self.transaction(message) else {
            return Ok(());
        };
        match &error {
            SendError::Temporary { code: 421, .. } => self.close(),
            SendError::Temporary { .. } | SendError::Permanent { .. } | SendError::Auth(_) => {
                // The server refused but still listens: end the transaction so the next
                // message starts clean.
                if self.connection.command(Rset).is_err() {
                    self.close();
                }
            }
            SendError::Connection(_) | SendError::Uncertain(_) => self.close(),
        }
        Err(match error {
            SendError::Connection(text) => {
                SendError::Connection(format!("lost the connection to {}: {text}", self.server))
            }
            SendError::Uncertain(text) => SendError::Uncertain(format!(
                "the connection to {} failed before the server answered ({text})",
                self.server
            )),
            other => other,
        })
    }

    /// MAIL, RCPT, DATA and the content, as `SmtpConnection::send` does, but keeping track of
    /// whether the final `.` went out: lettre's own `send` cannot tell a message the server
    /// never had from one it may have accepted.
    fn transaction(&mut self, message: &Message) -> Result<(), SendError> {
        let envelope = message.envelope();
        let content = message.formatted();
        let mut parameters = Vec::new();
        let info = self.connection.server_info();
        let addresses = envelope.to().iter().chain(envelope.from());
        if addresses
            .map(ToString::to_string)
            .any(|address| !address.is_ascii())
        {
            if !info.supports_feature(Extension::SmtpUtfEight) {
                return Err(not_carried("a non-ASCII address", "SMTPUTF8"));
            }
            parameters.push(MailParameter::SmtpUtfEight);
        }
        if !content.is_ascii() {
            if !info.supports_feature(Extension::EightBitMime) {
                return Err(not_carried("8-bit content", "8BITMIME"));
            }
            parameters.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        let timeout = self.timeout;
        let mut command = |command: &dyn fmt::Display| {
            self.connection
                .command(command)
                .map(drop)
                .map_err(|err| classify(&err, Stage::Before, timeout))
        };
        command(&Mail::new(envelope.from().cloned(), parameters))?;
        for address in envelope.to() {
            command(&Rcpt::new(address.clone(), vec![]))?;
        }
        command(&Data)?;
        // `message_iter` writes each chunk, then `.`, then reads the answer: once it has
        // exhausted the iterator every byte of the content was written, and a failure after
        // that may come after the server took the message.
        let written = Cell::new(false);
        let chunks = content
            .chunks(64 * 1024)
            .map(Some)
            .chain(std::iter::once(None))
            .map_while(|chunk| {
                written.set(chunk.is_none());
                chunk
            });
        let result = self.connection.message_iter(chunks);
        let stage = if written.get() {
            Stage::AfterDot
        } else {
            Stage::Before
        };
        result
            .map(drop)
            .map_err(|err| classify(&err, stage, timeout))
    }

    /// True once the connection can carry nothing more.
    pub fn is_broken(&self) -> bool {
        self.broken
    }

    fn close(&mut self) {
        self.broken = true;
        // `abort` says QUIT and waits for the answer: after a timeout that would be one more.
        let _ = self
            .connection
            .set_timeout(Some(Duration::from_millis(200)));
        self.connection.abort();
    }
}

impl Drop for Mailer {
    fn drop(&mut self) {
        if !self.broken {
            let _ = self.connection.quit();
        }
    }
}

/// A refusal before anything is sent, for what this server cannot carry: the same for every
/// attempt, so permanent.
fn not_carried(what: &str, extension: &str) -> SendError {
    SendError::Permanent {
        code: 0,
        text: format!("the message has {what} and the server does not offer {extension}"),
    }
}

/// What a lettre error means for the message: the server's own 4xx or 5xx, a login it wants
/// (530), or a failure of the connection on either side of the final `.`.
fn classify(err: &lettre::transport::smtp::Error, stage: Stage, timeout: Duration) -> SendError {
    let text = std::error::Error::source(err)
        .map(ToString::to_string)
        .unwrap_or_else(|| err.to_string());
    if let Some(code) = err.status() {
        let code = code.to_string().parse().unwrap_or(0);
        if code == 530 {
            return SendError::Auth(format!(
                "the server requires a login ({code} {text}): set `username_env` and `password_env`"
            ));
        }
        if err.is_transient() {
            return SendError::Temporary { code, text };
        }
        return SendError::Permanent { code, text };
    }
    let text = if timed_out(err) {
        format!("no answer within {timeout:?}")
    } else {
        chain(err)
    };
    match stage {
        Stage::Before => SendError::Connection(text),
        Stage::AfterDot => SendError::Uncertain(text),
    }
}

/// Whether the error is a read or write that ran out of time (`WouldBlock` on Unix, where a
/// socket's timeout ends the call with EAGAIN).
fn timed_out(err: &lettre::transport::smtp::Error) -> bool {
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return matches!(
                io.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            );
        }
        source = cause.source();
    }
    false
}

/// An error and its sources, `: `-joined (lettre's Display already includes the first source).
fn chain(err: &lettre::transport::smtp::Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err).and_then(std::error::Error::source);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// How to reach a test server with a self-signed certificate, when that is what failed.
fn certificate_hint(server: &Server, err: &lettre::transport::smtp::Error) -> &'static str {
    if !server.insecure && chain(err).contains("certificate") {
        " (a self-signed certificate? `?insecure` at the end of the URL accepts any, for tests only)"
    } else {
        ""
    }
}

/// `text` with every occurrence of the password replaced, should a server echo it.
fn scrub(text: &str, secret: &str) -> String {
    if secret.is_empty() {
        text.to_string()
    } else {
        text.replace(secret, "***")
    }
}

/// Sends `message`, connecting first when `mailer` is `None`. A 4xx is retried after 1 s, 2 s
/// and 4 s, then returned; a connection lost before the final `.` is reconnected once and the
/// message sent again; anything else is returned at once. `mailer` holds the open connection
/// afterwards (`None` when it was lost), for the next message.
pub fn send_with_retry(
    mailer: &mut Option<Mailer>,
    server: &Server,
    credentials: Option<&Credentials>,
    message: &Message,
    pause: &mut dyn FnMut(Duration) -> Result<(), SendError>,
) -> Result<(), SendError> {
    let mut backoff = BACKOFF.iter();
    let mut reconnected = false;
    loop {
        if mailer.as_ref().is_some_and(Mailer::is_broken) {
            *mailer = None;
        }
        let connected = mailer.is_some();
        let open = match mailer {
            Some(open) => open,
            None => mailer.insert(Mailer::connect(server, credentials)?),
        };
        let result = open.send(message);
        if open.is_broken() {
            *mailer = None;
        }
        match result {
            Ok(()) => return Ok(()),
            Err(SendError::Temporary { code, text }) => match backoff.next() {
                // A pause that fails (the ledger could not record it) stops the retries.
                Some(delay) => pause(*delay)?,
                None => return Err(SendError::Temporary { code, text }),
            },
            // A connection that was already open may have timed out while idle: one fresh
            // one settles it. One that fails straight after it was made will fail again.
            Err(SendError::Connection(_)) if connected && !reconnected => reconnected = true,
            Err(err) => return Err(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::Secret;
    use crate::publish::smtp::message::message;
    use crate::publish::smtp::message::tests::{UNSUBSCRIBE, ada_message, bob, letter};
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};

    /// What the scripted server does with one command line (or `DATA-END` for the final `.`):
    /// a reply, an empty one to stay silent, or `None` to drop the connection.
    type Script = Box<dyn FnMut(&str) -> Option<String> + Send>;

    fn standard(line: &str) -> Option<String> {
        let reply = match line.split([' ', ':']).next().unwrap_or_default() {
            "EHLO" => "250-fake.test\r\n250-8BITMIME\r\n250 AUTH PLAIN LOGIN",
            "DATA" => "354 go ahead",
            "DATA-END" => "250 2.0.0 accepted",
            "AUTH" => "235 2.7.0 welcome",
            "QUIT" => "221 bye",
            _ => "250 OK",
        };
        Some(reply.to_string())
    }

    /// The standard script, but `reply` (`None`: drop the connection) to the first `times`
    /// lines that start with `prefix`.
    fn except(prefix: &'static str, reply: Option<&'static str>, mut times: usize) -> Script {
        Box::new(move |line| {
            if line.starts_with(prefix) && times > 0 {
                times -= 1;
                reply.map(str::to_string)
            } else {
                standard(line)
            }
        })
    }

    /// A scripted SMTP server on 127.0.0.1 (no TLS), serving connections one after the other
    /// for the rest of the test; it records every line it gets.
    fn fake_server(mut script: Script) -> (Server, Arc<Mutex<Vec<String>>>) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut reader = BufReader::new(stream.try_clone().expect("a second handle"));
                let _ = stream.write_all(b"220 fake.test ESMTP\r\n");
                let (mut in_data, mut line) = (false, String::new());
                while {
                    line.clear();
                    reader.read_line(&mut line).unwrap_or(0) > 0
                } {
                    if in_data && line != ".\r\n" {
                        continue;
                    }
                    let command = if in_data { "DATA-END" } else { line.trim_end() };
                    log.lock().expect("log").push(command.to_string());
                    let Some(reply) = script(command) else { break };
                    in_data = reply.starts_with("354");
                    if !reply.is_empty()
                        && stream.write_all(format!("{reply}\r\n").as_bytes()).is_err()
                    {
                        break;
                    }
                }
            }
        });
        let server = Server::parse(&format!("smtp://127.0.0.1:{port}")).expect("valid");
        (server, seen)
    }

    fn count(seen: &Arc<Mutex<Vec<String>>>, prefix: &str) -> usize {
        let seen = seen.lock().expect("log");
        seen.iter().filter(|line| line.starts_with(prefix)).count()
    }

    /// `send_with_retry` with the pauses it asked for.
    fn send(
        mailer: &mut Option<Mailer>,
        server: &Server,
        message: &Message,
    ) -> (Result<(), SendError>, Vec<Duration>) {
        let mut pauses = Vec::new();
        let result = send_with_retry(mailer, server, None, message, &mut |d| {
            pauses.push(d);
            Ok(())
        });
        (result, pauses)
    }

    fn credentials() -> Credentials {
        let password = Secret::new("hunter2".into());
        Credentials {
            username: "ada".into(),
            password,
        }
    }

    #[test]
    fn a_refused_login_is_an_auth_error_that_never_shows_the_password() {
        let (server, _) = fake_server(except("AUTH", Some("535 5.7.8 no such login: hunter2"), 1));
        let err = Mailer::connect(&server, Some(&credentials())).expect_err("refused");
        let text = format!("{err} {err:?} {:?}", credentials());
        assert!(matches!(err, SendError::Auth(_)), "{text}");
        assert!(text.contains("535") && text.contains("`ada`"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
    }

    #[test]
    fn a_server_that_wants_a_login_and_got_none_is_an_auth_error() {
        let (server, _) = fake_server(except("MAIL", Some("530 5.7.0 Authentication required"), 1));
        let mut mailer = Mailer::connect(&server, None).expect("connects");
        let err = mailer.send(&ada_message()).expect_err("refused");
        assert!(
            matches!(&err, SendError::Auth(text) if text.contains("username_env")),
            "{err}"
        );
    }

    #[test]
    fn a_connection_lost_before_the_final_dot_is_safe_to_resend() {
        let (server, _) = fake_server(except("RCPT", None, 1));
        let mut mailer = Mailer::connect(&server, None).expect("connects");
        let err = mailer.send(&ada_message()).expect_err("lost");
        assert!(matches!(err, SendError::Connection(_)), "{err:?}");
        assert!(mailer.is_broken());
    }

    #[test]
    fn a_connection_lost_after_the_final_dot_is_uncertain_and_not_retried() {
        let (server, seen) = fake_server(except("DATA-END", None, 1));
        let mut mailer = None;
        let (result, pauses) = send(&mut mailer, &server, &ada_message());
        let err = result.expect_err("uncertain");
        assert!(matches!(err, SendError::Uncertain(_)), "{err:?}");
        assert!(err.to_string().starts_with("delivery uncertain"), "{err}");
        assert_eq!(count(&seen, "DATA-END"), 1);
        assert!(pauses.is_empty() && mailer.is_none());
    }

    #[test]
    fn a_server_that_never_answers_the_final_dot_leaves_the_message_uncertain() {
        let (server, seen) = fake_server(except("DATA-END", Some(""), 1));
        let timeout = Duration::from_millis(300);
        let mut mailer = Mailer::connect_with_timeout(&server, None, timeout).expect("connects");
        let err = mailer.send(&ada_message()).expect_err("no answer");
        let expected = "no answer within 300ms";
        assert!(
            matches!(&err, SendError::Uncertain(text) if text.contains(expected)),
            "{err:?}"
        );
        assert!(mailer.is_broken());
        assert_eq!(count(&seen, "DATA-END"), 1);
    }

    #[test]
    fn a_temporary_refusal_is_retried_with_backoff_on_the_same_connection() {
        let (server, seen) = fake_server(except("RCPT", Some("451 4.3.0 try later"), 2));
        let mut mailer = None;
        let (result, pauses) = send(&mut mailer, &server, &ada_message());
        result.expect("sent on the third try");
        assert_eq!(pauses, BACKOFF[..2]);
        assert_eq!((count(&seen, "EHLO"), count(&seen, "RSET")), (1, 2));
        assert_eq!(count(&seen, "DATA-END"), 1);
        assert!(mailer.is_some());
    }

    #[test]
    fn a_lasting_temporary_refusal_is_given_up_after_three_retries() {
        let (server, seen) = fake_server(except("RCPT", Some("452 4.2.2 mailbox full"), 99));
        let (result, pauses) = send(&mut None, &server, &ada_message());
        let text = "4.2.2 mailbox full".to_string();
        assert_eq!(result, Err(SendError::Temporary { code: 452, text }));
        assert_eq!(pauses, BACKOFF);
        assert_eq!(count(&seen, "RCPT"), 4);
    }

    #[test]
    fn a_permanent_refusal_is_returned_at_once_and_the_connection_kept() {
        let (server, seen) = fake_server(except("RCPT TO:<ada", Some("550 5.1.1 no such user"), 1));
        let mut mailer = None;
        let (result, pauses) = send(&mut mailer, &server, &ada_message());
        let text = "5.1.1 no such user".to_string();
        assert_eq!(result, Err(SendError::Permanent { code: 550, text }));
        let next = message(&letter(), &bob(), UNSUBSCRIBE).expect("valid");
        let (result, more_pauses) = send(&mut mailer, &server, &next);
        result.expect("sent");
        assert!(pauses.is_empty() && more_pauses.is_empty());
        assert_eq!((count(&seen, "EHLO"), count(&seen, "DATA-END")), (1, 1));
    }

    #[test]
    fn a_lost_open_connection_is_reconnected_once() {
        let (server, seen) = fake_server(except("MAIL", None, 1));
        let mut mailer = Some(Mailer::connect(&server, None).expect("connects"));
        send(&mut mailer, &server, &ada_message())
            .0
            .expect("resent");
        assert_eq!((count(&seen, "EHLO"), count(&seen, "DATA-END")), (2, 1));
    }

    #[test]
    fn no_server_is_a_connection_error() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        drop(listener);
        let server = Server::parse(&format!("smtp://127.0.0.1:{port}")).expect("valid");
        let err = Mailer::connect(&server, Some(&credentials())).expect_err("nothing listens");
        let expected = "could not connect";
        assert!(
            matches!(&err, SendError::Connection(text) if text.contains(expected)),
            "{err:?}"
        );
    }
}
