//! The newsletter by email (SMTP): the server URL, the message for one recipient, an open
//! connection that tells a refused message from one whose fate is unknown, retries and pace.

use std::cell::Cell;
use std::fmt;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use lettre::Message;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::{self, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{SmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt, Rset};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use sha2::{Digest, Sha256};

use super::Secret;
use crate::render::escape_html;

/// How long one read or write on the connection may take before it counts as lost. Long
/// enough for a server that scans the message before it answers the final `.`.
const TIMEOUT: Duration = Duration::from_secs(60);

/// The pauses before the retries of a message refused for now (4xx).
const BACKOFF: [Duration; 3] = [
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(4),
];

/// Where and how to send: host, port and TLS, from `smtp://host:port` or `smtps://host:port`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    /// A name or an IP address (an IPv6 one without its brackets).
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// `?insecure`: any certificate is accepted (a self-signed one in tests).
    pub insecure: bool,
}

/// How the connection is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// `smtp://`: STARTTLS when the server offers it, plain text otherwise.
    StartTls,
    /// `smtps://`: TLS from the first byte.
    Implicit,
}

impl Server {
    /// Reads `smtp://host[:port][?insecure]` (port 587) or `smtps://host[:port][?insecure]`
    /// (port 465); the error says what is wrong with the URL.
    pub fn parse(url: &str) -> anyhow::Result<Server> {
        let parsed = url::Url::parse(url).with_context(|| {
            format!("`{url}` is not a URL; write smtp://host:port or smtps://host:port")
        })?;
        let (security, default_port) = match parsed.scheme() {
            "smtp" => (Security::StartTls, 587),
            "smtps" => (Security::Implicit, 465),
            other => bail!(
                "`{url}`: the scheme `{other}` is not one of smtp (STARTTLS when offered) and smtps (TLS)"
            ),
        };
        if !parsed.username().is_empty() || parsed.password().is_some() {
            // The URL itself is not echoed: it holds the password.
            bail!(
                "the SMTP URL holds a user name or password; remove it and name environment \
                 variables with `username_env` and `password_env`"
            );
        }
        let host = match parsed.host() {
            Some(url::Host::Domain(name)) if !name.is_empty() => name.to_string(),
            Some(url::Host::Ipv4(address)) => address.to_string(),
            Some(url::Host::Ipv6(address)) => address.to_string(),
            _ => bail!("`{url}` has no host; write smtp://host:port"),
        };
        if !matches!(parsed.path(), "" | "/") {
            bail!(
                "`{url}` has a path (`{}`); an SMTP URL is only smtp://host:port",
                parsed.path()
            );
        }
        if parsed.fragment().is_some() {
            bail!("`{url}` has a fragment (`#…`); an SMTP URL is only smtp://host:port");
        }
        let insecure = match parsed.query() {
            None => false,
            Some("insecure") => true,
            Some(other) => bail!("`{url}`: unknown query `{other}`; the only one is `?insecure`"),
        };
        Ok(Server {
            host,
            port: parsed.port().unwrap_or(default_port),
            security,
            insecure,
        })
    }

    fn is_loopback(&self) -> bool {
        self.host.eq_ignore_ascii_case("localhost")
            || self
                .host
                .parse::<IpAddr>()
                .is_ok_and(|address| address.is_loopback())
    }
}

impl fmt::Display for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match self.security {
            Security::StartTls => "smtp",
            Security::Implicit => "smtps",
        };
        if self.host.contains(':') {
            write!(f, "{scheme}://[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{scheme}://{}:{}", self.host, self.port)
        }
    }
}

/// The login, from the environment variables the configuration names.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub username: String,
    pub password: Secret,
}

/// One issue of the newsletter, the same for every recipient.
#[derive(Debug, Clone)]
pub struct Letter {
    /// `Name <a@b>` or `a@b`.
    pub from: String,
    pub subject: String,
    /// The body: HTML fragments (the venue's newsletter output), one per post, joined.
    pub html: String,
    pub text: String,
    /// The line a mail client shows after the subject (the summary), hidden in the body.
    pub preheader: String,
    /// Stable for this issue (a hash, say): the first part of every Message-ID, so a message
    /// sent again has the same id. Letters, digits, `-`, `_` and `.` only.
    pub issue_id: String,
    /// The `<html lang>` of the HTML part (the configuration's `language`, `en` when unset).
    pub lang: String,
}

/// One line of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub email: String,
    pub name: Option<String>,
}

/// The message for one recipient: text and HTML alternatives, the headers a newsletter needs
/// (List-Unsubscribe with this recipient's URL, one-click as RFC 8058 asks) and a Message-ID
/// that is the same each time it is built for this issue and recipient. `unsubscribe` is a
/// URL with `{email}` in it.
pub fn message(
    letter: &Letter,
    recipient: &Recipient,
    unsubscribe: &str,
) -> anyhow::Result<Message> {
    let from: Mailbox = letter
        .from
        .parse()
        .with_context(|| format!("the sender `{}` is not an email address", letter.from))?;
    let address = recipient.email.trim().parse().with_context(|| {
        format!(
            "the recipient `{}` is not an email address",
            recipient.email
        )
    })?;
    let to = Mailbox::new(recipient.name.clone(), address);
    if letter.issue_id.is_empty()
        || !letter
            .issue_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        bail!(
            "the issue id `{}` cannot be part of a Message-ID",
            letter.issue_id
        );
    }
    let unsubscribe = unsubscribe_url(unsubscribe, to.email.as_ref())?;
    let message_id = format!(
        "<{}.{}@{}>",
        letter.issue_id,
        recipient_hash(to.email.as_ref()),
        from.email.domain()
    );
    Message::builder()
        .from(from)
        .to(to)
        .subject(letter.subject.clone())
        .message_id(Some(message_id))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{unsubscribe}>"),
        ))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".to_string(),
        ))
        .multipart(MultiPart::alternative_plain_html(
            text_part(letter, &unsubscribe),
            html_document(letter, &unsubscribe),
        ))
        .context("could not build the message")
}

/// The template with `{email}` replaced by the percent-encoded address. It must be ASCII:
/// a header cannot carry anything else unencoded.
fn unsubscribe_url(template: &str, email: &str) -> anyhow::Result<String> {
    if !template.contains("{email}") {
        bail!("the unsubscribe URL `{template}` has no `{{email}}` for the recipient's address");
    }
    if let Some(c) = template
        .chars()
        .find(|c| !c.is_ascii_graphic() || matches!(c, '<' | '>' | '"'))
    {
        bail!("the unsubscribe URL `{template}` holds `{c}`; percent-encode it");
    }
    Ok(template.replace("{email}", &percent_encode(email)))
}

/// Everything but RFC 3986's unreserved characters as `%XX`, so the address fits in a path
/// or a query alike (`@` → `%40`, `+` → `%2B`).
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// 12 hex digits of the address's SHA-256: the address itself stays out of the Message-ID.
fn recipient_hash(email: &str) -> String {
    let digest = Sha256::digest(email.to_lowercase().as_bytes());
    digest[..6]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn text_part(letter: &Letter, unsubscribe: &str) -> String {
    format!(
        "{}\n\n-- \nUnsubscribe: {unsubscribe}\n",
        letter.text.trim_end()
    )
}

fn html_document(letter: &Letter, unsubscribe: &str) -> String {
    let escaped = |text: &str| {
        let mut out = String::with_capacity(text.len());
        escape_html(text, &mut out);
        out
    };
    format!(
        "<!DOCTYPE html>\n\
         <html lang=\"{lang}\">\n\
         <head>\n\
         <meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n\
         </head>\n\
         <body>\n\
         <div style=\"display:none;max-height:0;overflow:hidden;mso-hide:all;\">{preheader}</div>\n\
         {body}\n\
         <p style=\"font-size:12px;color:#666666;\">Not interested any more? \
         <a href=\"{unsubscribe}\">Unsubscribe</a>.</p>\n\
         </body>\n\
         </html>\n",
        lang = escaped(&letter.lang),
        title = escaped(&letter.subject),
        preheader = escaped(&letter.preheader),
        body = letter.html.trim_end(),
        unsubscribe = escaped(unsubscribe),
    )
}

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
    /// The final `.` was written: only the server's answer tells what happened.
    AfterDot,
}

/// An open SMTP connection, encrypted and logged in as the URL and the server ask, that sends
/// one message after another.
pub struct Mailer {
    connection: SmtpConnection,
    server: String,
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
        let tls = TlsParameters::builder(server.host.clone())
            .dangerous_accept_invalid_certs(server.insecure)
            .dangerous_accept_invalid_hostnames(server.insecure)
            .build()
            .map_err(|err| SendError::Connection(format!("{server}: TLS setup failed: {err}")))?;
        let hello = ClientId::default();
        let implicit = (server.security == Security::Implicit).then_some(&tls);
        let mut connection = SmtpConnection::connect(
            (server.host.as_str(), server.port),
            Some(TIMEOUT),
            &hello,
            implicit,
            None,
        )
        .map_err(|err| {
            SendError::Connection(format!("could not connect to {server}: {}", chain(&err)))
        })?;
        if connection.can_starttls() {
            connection.starttls(&tls, &hello).map_err(|err| {
                SendError::Connection(format!("{server}: STARTTLS failed: {}", chain(&err)))
            })?;
        }
        let mut mailer = Mailer {
            connection,
            server: server.to_string(),
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
            match classify(&err, Stage::Before) {
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
        let mut command = |command: &dyn fmt::Display| {
            self.connection
                .command(command)
                .map(drop)
                .map_err(|err| classify(&err, Stage::Before))
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
        result.map(drop).map_err(|err| classify(&err, stage))
    }

    /// True once the connection can carry nothing more.
    pub fn is_broken(&self) -> bool {
        self.broken
    }

    fn close(&mut self) {
        self.broken = true;
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
fn classify(err: &lettre::transport::smtp::Error, stage: Stage) -> SendError {
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
    match stage {
        Stage::Before => SendError::Connection(chain(err)),
        Stage::AfterDot => SendError::Uncertain(chain(err)),
    }
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
    pause: &mut dyn FnMut(Duration),
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
                Some(delay) => pause(*delay),
                None => return Err(SendError::Temporary { code, text }),
            },
            // A connection that was already open may have timed out while idle: one fresh
            // one settles it. One that fails straight after it was made will fail again.
            Err(SendError::Connection(_)) if connected && !reconnected => reconnected = true,
            Err(err) => return Err(err),
        }
    }
}

/// At most so many messages a second: `wait` before each one sleeps as long as needed.
#[derive(Debug, Clone)]
pub struct Pace {
    interval: Option<Duration>,
    next: Option<Instant>,
}

impl Pace {
    /// `per_second` messages a second at most (2.5: one every 400 ms); `None`, zero, a
    /// negative or a non-finite rate set no limit.
    pub fn new(per_second: Option<f64>) -> Pace {
        let interval = per_second
            .filter(|rate| rate.is_finite() && *rate > 0.0)
            // A rate so low its interval overflows: one a day is as good as never.
            .map(|rate| {
                Duration::try_from_secs_f64(1.0 / rate)
                    .unwrap_or(Duration::MAX)
                    .min(Duration::from_secs(86_400))
            });
        Pace {
            interval,
            next: None,
        }
    }

    /// Sleeps until the next message may go.
    pub fn wait(&mut self) {
        let delay = self.delay(Instant::now());
        if !delay.is_zero() {
            std::thread::sleep(delay);
        }
    }

    /// How long to wait at `now` before the next message, which is then counted as sent at
    /// the end of that wait.
    fn delay(&mut self, now: Instant) -> Duration {
        let Some(interval) = self.interval else {
            return Duration::ZERO;
        };
        let start = self.next.filter(|next| *next > now).unwrap_or(now);
        self.next = Some(start + interval);
        start - now
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};

    fn letter() -> Letter {
        Letter {
            from: "The Weekly <news@example.com>".into(),
            subject: "Tea & <biscuits>".into(),
            html: "<h1>Tea</h1>\n<p>Brewed.</p>\n".into(),
            text: "Tea\n\nBrewed.\n".into(),
            preheader: "Why \"tea\" & <cake> go together".into(),
            issue_id: "3f2a9c".into(),
            lang: "en".into(),
        }
    }

    fn ada() -> Recipient {
        Recipient {
            email: "ada+news@example.org".into(),
            name: Some("Ada Lovelace".into()),
        }
    }

    const UNSUBSCRIBE: &str = "https://example.com/unsubscribe?email={email}";

    /// The message's header block, and each part's decoded body after its own headers.
    fn read(message: &Message) -> (String, Vec<(String, String)>) {
        let formatted = String::from_utf8(message.formatted()).expect("ASCII");
        let (headers, body) = formatted.split_once("\r\n\r\n").expect("a header block");
        let unfolded = headers.replace("\r\n ", " ").replace("\r\n\t", " ");
        let boundary = unfolded
            .split("boundary=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a multipart boundary");
        let parts = body
            .split(&format!("--{boundary}"))
            .filter_map(|part| part.split_once("\r\n\r\n"))
            .map(|(headers, content)| {
                // The line break before the next boundary belongs to the boundary.
                let content = content.strip_suffix("\r\n").unwrap_or(content);
                let decoded = if headers.contains("quoted-printable") {
                    decode_quoted_printable(content)
                } else {
                    content.to_string()
                };
                (headers.to_string(), decoded.replace("\r\n", "\n"))
            })
            .collect();
        (unfolded, parts)
    }

    fn decode_quoted_printable(text: &str) -> String {
        let joined = text.replace("=\r\n", "");
        let mut bytes = Vec::new();
        let mut rest = joined.as_bytes();
        while let Some((&byte, tail)) = rest.split_first() {
            if byte == b'=' && tail.len() >= 2 {
                let hex = std::str::from_utf8(&tail[..2]).expect("hex");
                bytes.push(u8::from_str_radix(hex, 16).expect("hex"));
                rest = &tail[2..];
            } else {
                bytes.push(byte);
                rest = tail;
            }
        }
        String::from_utf8(bytes).expect("UTF-8")
    }

    #[test]
    fn server_urls_give_host_port_and_tls() {
        let server = Server::parse("smtp://mail.example.com").expect("valid");
        assert_eq!(
            server,
            Server {
                host: "mail.example.com".into(),
                port: 587,
                security: Security::StartTls,
                insecure: false,
            }
        );
        let server = Server::parse("smtps://mail.example.com").expect("valid");
        assert_eq!((server.port, server.security), (465, Security::Implicit));
        let server = Server::parse("smtp://127.0.0.1:2525?insecure").expect("valid");
        assert_eq!((server.host.as_str(), server.port), ("127.0.0.1", 2525));
        assert!(server.insecure);
        let server = Server::parse("smtps://[::1]:1465/").expect("valid");
        assert_eq!((server.host.as_str(), server.port), ("::1", 1465));
        assert_eq!(server.to_string(), "smtps://[::1]:1465");
    }

    #[test]
    fn bad_server_urls_say_what_is_wrong() {
        for (url, expected) in [
            ("mail.example.com", "is not a URL"),
            ("https://mail.example.com", "the scheme `https`"),
            ("smtp://mail.example.com?tls=off", "unknown query `tls=off`"),
            ("smtp://mail.example.com/inbox", "has a path"),
            ("smtp://mail.example.com#x", "fragment"),
            ("smtp://:25", "not a URL"),
            ("smtp://ada@mail.example.com", "user name or password"),
        ] {
            let err = Server::parse(url).expect_err(url).to_string();
            assert!(err.contains(expected), "{url}: {err}");
        }
    }

    #[test]
    fn a_password_in_the_url_is_refused_without_repeating_it() {
        let err = Server::parse("smtp://ada:hunter2@mail.example.com").expect_err("a password");
        let text = format!("{err:#} {err:?}");
        assert!(text.contains("password_env"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
    }

    #[test]
    fn the_message_carries_the_headers_a_newsletter_needs() {
        let message = message(&letter(), &ada(), UNSUBSCRIBE).expect("valid");
        let (headers, _) = read(&message);
        for expected in [
            "From: \"The Weekly\" <news@example.com>\r\n",
            "To: \"Ada Lovelace\" <ada+news@example.org>\r\n",
            "Subject: Tea & <biscuits>\r\n",
            "MIME-Version: 1.0\r\n",
            "Content-Type: multipart/alternative;",
            "List-Unsubscribe: <https://example.com/unsubscribe?email=ada%2Bnews%40example.org>\r\n",
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
        ] {
            assert!(headers.contains(expected), "{expected} in\n{headers}");
        }
        assert!(headers.contains("\r\nDate: "), "{headers}");
        assert!(
            headers.contains("Message-ID: <3f2a9c.") && headers.contains("@example.com>"),
            "{headers}"
        );
        assert_eq!(
            message.envelope().to(),
            ["ada+news@example.org".parse().expect("address")]
        );
    }

    #[test]
    fn the_text_part_comes_first_and_ends_with_the_unsubscribe_line() {
        let message = message(&letter(), &ada(), UNSUBSCRIBE).expect("valid");
        let (_, parts) = read(&message);
        assert_eq!(parts.len(), 2, "{parts:?}");
        let (headers, text) = &parts[0];
        assert!(headers.contains("text/plain; charset=utf-8"), "{headers}");
        assert_eq!(
            text,
            "Tea\n\nBrewed.\n\n-- \nUnsubscribe: \
             https://example.com/unsubscribe?email=ada%2Bnews%40example.org\n"
        );
    }

    #[test]
    fn the_html_part_is_a_whole_document_with_a_hidden_preheader() {
        let message = message(&letter(), &ada(), UNSUBSCRIBE).expect("valid");
        let (_, parts) = read(&message);
        let (headers, html) = &parts[1];
        assert!(headers.contains("text/html; charset=utf-8"), "{headers}");
        assert!(
            html.starts_with(
                "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            ),
            "{html}"
        );
        assert!(html.contains("<meta name=\"viewport\""), "{html}");
        assert!(
            html.contains("<title>Tea &amp; &lt;biscuits&gt;</title>"),
            "{html}"
        );
        let body = html.split_once("<body>\n").expect("a body").1;
        assert!(
            body.starts_with(
                "<div style=\"display:none;max-height:0;overflow:hidden;mso-hide:all;\">\
                 Why &quot;tea&quot; &amp; &lt;cake&gt; go together</div>\n\
                 <h1>Tea</h1>\n<p>Brewed.</p>\n<p "
            ),
            "{body}"
        );
        assert!(
            body.contains(
                "<a href=\"https://example.com/unsubscribe?email=ada%2Bnews%40example.org\">Unsubscribe</a>"
            ),
            "{body}"
        );
        assert!(html.ends_with("</body>\n</html>\n"), "{html}");
    }

    #[test]
    fn the_message_id_is_stable_per_issue_and_recipient() {
        let id = |letter: &Letter, recipient: &Recipient| {
            let message = message(letter, recipient, UNSUBSCRIBE).expect("valid");
            let (headers, _) = read(&message);
            headers
                .lines()
                .find_map(|line| line.strip_prefix("Message-ID: "))
                .expect("a Message-ID")
                .to_string()
        };
        let first = id(&letter(), &ada());
        assert_eq!(first, id(&letter(), &ada()));
        assert_eq!(
            first,
            format!(
                "<3f2a9c.{}@example.com>",
                recipient_hash("ada+news@example.org")
            )
        );
        let other = Recipient {
            email: "bob@example.org".into(),
            name: None,
        };
        assert_ne!(first, id(&letter(), &other));
        let next_issue = Letter {
            issue_id: "77aa01".into(),
            ..letter()
        };
        assert_ne!(first, id(&next_issue, &ada()));
    }

    #[test]
    fn a_recipient_without_a_name_is_the_bare_address() {
        let bob = Recipient {
            email: "bob@example.org".into(),
            name: None,
        };
        let (headers, _) = read(&message(&letter(), &bob, UNSUBSCRIBE).expect("valid"));
        assert!(headers.contains("\r\nTo: bob@example.org\r\n"), "{headers}");
    }

    #[test]
    fn bad_addresses_and_urls_are_named_in_the_error() {
        let nobody = Recipient {
            email: "not an address".into(),
            name: None,
        };
        let err = message(&letter(), &nobody, UNSUBSCRIBE).expect_err("bad recipient");
        assert!(err.to_string().contains("`not an address`"), "{err}");
        let bad_from = Letter {
            from: "The Weekly".into(),
            ..letter()
        };
        let err = message(&bad_from, &ada(), UNSUBSCRIBE).expect_err("bad sender");
        assert!(err.to_string().contains("the sender `The Weekly`"), "{err}");
        let err = message(&letter(), &ada(), "https://example.com/u").expect_err("no {email}");
        assert!(err.to_string().contains("has no `{email}`"), "{err}");
        let err = message(&letter(), &ada(), "https://example.com/u?e={email}&x=a b")
            .expect_err("a space");
        assert!(err.to_string().contains("percent-encode"), "{err}");
        let bad_id = Letter {
            issue_id: "a b".into(),
            ..letter()
        };
        let err = message(&bad_id, &ada(), UNSUBSCRIBE).expect_err("bad issue id");
        assert!(err.to_string().contains("issue id `a b`"), "{err}");
    }

    #[test]
    fn pace_spaces_messages_by_the_rate() {
        let mut pace = Pace::new(Some(2.5));
        let start = Instant::now();
        let ms = Duration::from_millis;
        assert_eq!(pace.delay(start), Duration::ZERO);
        assert_eq!(pace.delay(start), ms(400));
        assert_eq!(pace.delay(start + ms(100)), ms(700));
        // After a long gap the next one goes at once, with no burst of saved-up slots.
        assert_eq!(pace.delay(start + ms(5000)), Duration::ZERO);
        assert_eq!(pace.delay(start + ms(5100)), ms(300));
        for rate in [
            None,
            Some(0.0),
            Some(-1.0),
            Some(f64::NAN),
            Some(f64::INFINITY),
        ] {
            let mut pace = Pace::new(rate);
            assert_eq!(pace.delay(start), Duration::ZERO);
            assert_eq!(pace.delay(start), Duration::ZERO, "{rate:?}");
        }
        assert_eq!(
            Pace::new(Some(1e-300)).interval,
            Some(Duration::from_secs(86_400))
        );
    }

    /// What the scripted server does with one command line (or `DATA-END` for the final `.`):
    /// a reply, or `None` to drop the connection.
    type Script = Box<dyn FnMut(&str) -> Option<String> + Send>;

    fn standard(line: &str) -> Option<String> {
        let verb = line
            .split([' ', ':'])
            .next()
            .unwrap_or_default()
            .to_uppercase();
        Some(
            match verb.as_str() {
                "EHLO" => "250-fake.test\r\n250-8BITMIME\r\n250 AUTH PLAIN LOGIN",
                "DATA" => "354 go ahead",
                "DATA-END" => "250 2.0.0 accepted",
                "AUTH" => "235 2.7.0 welcome",
                "QUIT" => "221 bye",
                _ => "250 OK",
            }
            .to_string(),
        )
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
                let Ok(reader) = stream.try_clone() else {
                    return;
                };
                let mut reader = BufReader::new(reader);
                let _ = stream.write_all(b"220 fake.test ESMTP\r\n");
                let mut in_data = false;
                let mut line = String::new();
                loop {
                    line.clear();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        break;
                    }
                    let command = if in_data {
                        if line != ".\r\n" {
                            continue;
                        }
                        "DATA-END".to_string()
                    } else {
                        line.trim_end().to_string()
                    };
                    log.lock().expect("log").push(command.clone());
                    let Some(reply) = script(&command) else {
                        break;
                    };
                    in_data = reply.starts_with("354");
                    if stream.write_all(format!("{reply}\r\n").as_bytes()).is_err() {
                        break;
                    }
                }
            }
        });
        let server = Server {
            host: "127.0.0.1".into(),
            port,
            security: Security::StartTls,
            insecure: false,
        };
        (server, seen)
    }

    fn count(seen: &Arc<Mutex<Vec<String>>>, prefix: &str) -> usize {
        let seen = seen.lock().expect("log");
        seen.iter().filter(|line| line.starts_with(prefix)).count()
    }

    fn credentials() -> Credentials {
        Credentials {
            username: "ada".into(),
            password: Secret::new("hunter2".into()),
        }
    }

    #[test]
    fn a_refused_login_is_an_auth_error_that_never_shows_the_password() {
        let (server, _) = fake_server(Box::new(|line| {
            if line.starts_with("AUTH") {
                Some("535 5.7.8 no such login: hunter2".into())
            } else {
                standard(line)
            }
        }));
        let err = Mailer::connect(&server, Some(&credentials())).expect_err("refused");
        let text = format!("{err} {err:?} {:?}", credentials());
        assert!(matches!(err, SendError::Auth(_)), "{text}");
        assert!(text.contains("535") && text.contains("`ada`"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
    }

    #[test]
    fn a_server_that_wants_a_login_and_got_none_is_an_auth_error() {
        let (server, _) = fake_server(Box::new(|line| {
            if line.starts_with("MAIL") {
                Some("530 5.7.0 Authentication required".into())
            } else {
                standard(line)
            }
        }));
        let message = message(&letter(), &ada(), UNSUBSCRIBE).expect("valid");
        let mut mailer = Mailer::connect(&server, None).expect("connects");
        let err = mailer.send(&message).expect_err("refused");
        assert!(
            matches!(&err, SendError::Auth(text) if text.contains("username_env")),
            "{err}"
        );
    }

    #[test]
    fn a_connection_lost_before_the_final_dot_is_safe_to_resend() {
        let (server, _) = fake_server(Box::new(|line| {
            if line.starts_with("RCPT") {
                None
            } else {
                standard(line)
            }
        }));
        let message = message(&letter(), &ada(), UNSUBSCRIBE).expect("valid");
        let mut mailer = Mailer::connect(&server, None).expect("connects");
        let err = mailer.send(&message).expect_err("lost");
        assert!(matches!(err, SendError::Connection(_)), "{err:?}");
        assert!(mailer.is_broken());
    }

    #[test]
    fn a_connection_lost_after_the_final_dot_is_uncertain_and_not_retried() {
        let (server, seen) = fake_server(Box::new(|line| {
            if line == "DATA-END" {
                None
            } else {
                standard(line)
            }
        }));
        let message = message(&letter(), &ada(), UNSUBSCRIBE).expect("valid");
        let mut mailer = None;
        let mut pauses = Vec::new();
        let err = send_with_retry(&mut mailer, &server, None, &message, &mut |d| {
            pauses.push(d)
        })
        .expect_err("uncertain");
        assert!(matches!(err, SendError::Uncertain(_)), "{err:?}");
        assert!(err.to_string().starts_with("delivery uncertain"), "{err}");
        assert_eq!(count(&seen, "DATA-END"), 1);
        assert!(pauses.is_empty() && mailer.is_none());
    }

    #[test]
    fn a_temporary_refusal_is_retried_with_backoff_on_the_same_connection() {
        let mut refusals = 2;
        let (server, seen) = fake_server(Box::new(move |line| {
            if line.starts_with("RCPT") && refusals > 0 {
                refusals -= 1;
                Some("451 4.3.0 try later".into())
            } else {
                standard(line)
            }
        }));
        let message = message(&letter(), &ada(), UNSUBSCRIBE).expect("valid");
        let mut mailer = None;
        let mut pauses = Vec::new();
        send_with_retry(&mut mailer, &server, None, &message, &mut |d| {
            pauses.push(d)
        })
        .expect("sent on the third try");
        assert_eq!(pauses, BACKOFF[..2]);
        assert_eq!((count(&seen, "EHLO"), count(&seen, "RSET")), (1, 2));
        assert_eq!(count(&seen, "DATA-END"), 1);
        assert!(mailer.is_some());
    }

    #[test]
    fn a_lasting_temporary_refusal_is_given_up_after_three_retries() {
        let (server, seen) = fake_server(Box::new(|line| {
            if line.starts_with("RCPT") {
                Some("452 4.2.2 mailbox full".into())
            } else {
                standard(line)
            }
        }));
        let message = message(&letter(), &ada(), UNSUBSCRIBE).expect("valid");
        let mut mailer = None;
        let mut pauses = Vec::new();
        let err = send_with_retry(&mut mailer, &server, None, &message, &mut |d| {
            pauses.push(d)
        })
        .expect_err("given up");
        assert_eq!(
            err,
            SendError::Temporary {
                code: 452,
                text: "4.2.2 mailbox full".into()
            }
        );
        assert_eq!(pauses, BACKOFF);
        assert_eq!(count(&seen, "RCPT"), 4);
    }

    #[test]
    fn a_permanent_refusal_is_returned_at_once_and_the_connection_kept() {
        let (server, seen) = fake_server(Box::new(|line| {
            if line.starts_with("RCPT") && line.contains("ada") {
                Some("550 5.1.1 no such user".into())
            } else {
                standard(line)
            }
        }));
        let refused = message(&letter(), &ada(), UNSUBSCRIBE).expect("valid");
        let mut mailer = None;
        let mut pause = |_| panic!("a permanent refusal is not retried");
        let err =
            send_with_retry(&mut mailer, &server, None, &refused, &mut pause).expect_err("refused");
        assert_eq!(
            err,
            SendError::Permanent {
                code: 550,
                text: "5.1.1 no such user".into()
            }
        );
        let bob = Recipient {
            email: "bob@example.org".into(),
            name: None,
        };
        let next = message(&letter(), &bob, UNSUBSCRIBE).expect("valid");
        send_with_retry(&mut mailer, &server, None, &next, &mut pause).expect("sent");
        assert_eq!((count(&seen, "EHLO"), count(&seen, "DATA-END")), (1, 1));
    }

    #[test]
    fn a_lost_open_connection_is_reconnected_once() {
        let mut drops = 1;
        let (server, seen) = fake_server(Box::new(move |line| {
            if line.starts_with("MAIL") && drops > 0 {
                drops -= 1;
                None
            } else {
                standard(line)
            }
        }));
        let message = message(&letter(), &ada(), UNSUBSCRIBE).expect("valid");
        let mut mailer = Some(Mailer::connect(&server, None).expect("connects"));
        send_with_retry(&mut mailer, &server, None, &message, &mut |_| {}).expect("resent");
        assert_eq!((count(&seen, "EHLO"), count(&seen, "DATA-END")), (2, 1));
    }

    #[test]
    fn no_server_is_a_connection_error() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        drop(listener);
        let server = Server::parse(&format!("smtp://127.0.0.1:{port}")).expect("valid");
        let err = Mailer::connect(&server, Some(&credentials())).expect_err("nothing listens");
        assert!(
            matches!(&err, SendError::Connection(text) if text.contains("could not connect")),
            "{err:?}"
        );
    }
}
