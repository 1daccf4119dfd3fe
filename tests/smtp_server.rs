//! The test SMTP server (tests/support/smtp.rs) holds up against a real client, lettre:
//! what it stores both mail parsers read, and each injected fault answers as documented.

#[path = "support/smtp.rs"]
mod smtp;

use std::io::ErrorKind;
use std::net::TcpStream;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::Error;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};
use serde_json::{Value, json};
use smtp::{SmtpOptions, SmtpServer};

const USER: &str = "newsletter";
const PASSWORD: &str = "test-password";

fn options(faults: Value) -> SmtpOptions {
    SmtpOptions {
        tls: smtp::TlsMode::StartTls,
        auth: Some((USER.to_owned(), PASSWORD.to_owned())),
        faults,
    }
}

fn message(to: &str) -> Message {
    let to: Mailbox = format!("Reader <{to}>").parse().expect("a test address");
    Message::builder()
        .from(
            "Writer <writer@example.com>"
                .parse()
                .expect("a test address"),
        )
        .to(to)
        .subject("Issue 1: ünïcode and links")
        .header(lettre::message::header::MessageId::from(
            "<issue-1@example.com>".to_owned(),
        ))
        .multipart(MultiPart::alternative_plain_html(
            "Hello.\nRead it at https://example.com/blog/one\n".to_owned(),
            "<p>Hello. <a href=\"https://example.com/blog/one\">Read it</a> or \
             <a href=\"https://example.com/unsubscribe?e=1&amp;x=2\">unsubscribe</a>.</p>"
                .to_owned(),
        ))
        .expect("the message builds")
}

/// lettre as the publisher uses it: STARTTLS (or TLS from the start) that accepts the
/// self-signed certificate, AUTH with these credentials.
fn send_as(server: &SmtpServer, password: &str, to: &str) -> Result<(), Error> {
    let tls = TlsParameters::builder("localhost".to_owned())
        .dangerous_accept_invalid_certs(true)
        .build()
        .expect("TLS parameters");
    let tls = match server.tls {
        smtp::TlsMode::Implicit => Tls::Wrapper(tls),
        _ => Tls::Required(tls),
    };
    let mailer = SmtpTransport::builder_dangerous("127.0.0.1")
        .port(server.port)
        .tls(tls)
        .credentials(Credentials::new(USER.to_owned(), password.to_owned()))
        .timeout(Some(Duration::from_secs(3)))
        .build();
    mailer.send(&message(to)).map(|_| ())
}

fn send(server: &SmtpServer, to: &str) -> Result<(), Error> {
    send_as(server, PASSWORD, to)
}

fn code(error: &Error) -> String {
    error
        .status()
        .map(|code| code.to_string())
        .unwrap_or_else(|| format!("no status: {error}"))
}

/// The kind of the I/O error under a network error: how the connection ended.
fn io_error_kind(error: &Error) -> Option<ErrorKind> {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        source = cause.source();
    }
    None
}

/// The keys both parsers print, compared one by one so a failure names the key.
fn assert_reads_the_message(parsed: &Value, parser: &str) {
    let headers = &parsed["headers"];
    assert_eq!(headers["Subject"], "Issue 1: ünïcode and links", "{parser}");
    assert_eq!(headers["Message-ID"], "<issue-1@example.com>", "{parser}");
    assert_eq!(headers["MIME-Version"], "1.0", "{parser}");
    let content_type = headers["Content-Type"].as_str().unwrap_or_default();
    assert!(
        content_type.starts_with("multipart/alternative;"),
        "{parser}: {content_type}"
    );
    assert_eq!(
        parsed["parsed"]["from"],
        json!([{"name": "Writer", "address": "writer@example.com"}]),
        "{parser}"
    );
    assert_eq!(
        parsed["parsed"]["to"],
        json!([{"name": "Reader", "address": "a@example.com"}]),
        "{parser}"
    );
    assert!(parsed["parsed"]["date"].is_string(), "{parser}: {parsed}");
    assert_eq!(
        parsed["text"].as_str().map(str::trim_end),
        Some("Hello.\nRead it at https://example.com/blog/one"),
        "{parser}"
    );
    let html = parsed["html"].as_str().unwrap_or_default();
    assert!(html.contains("<p>Hello. <a href="), "{parser}: {html}");
    assert_eq!(
        parsed["links"],
        json!([
            "https://example.com/blog/one",
            "https://example.com/unsubscribe?e=1&x=2"
        ]),
        "{parser}"
    );
}

#[test]
fn a_message_over_starttls_with_auth_is_stored_and_read_by_both_parsers() {
    let Some(server) = smtp::start(options(Value::Null)) else {
        return;
    };
    send(&server, "a@example.com").expect("the server accepts the message");

    let messages = server.wait_for(1, Duration::from_secs(5));
    assert_eq!(messages.len(), 1);
    let received = &messages[0];
    assert_eq!(received.number, 1);
    assert_eq!(received.rcpt_tos(), ["a@example.com"]);
    assert_eq!(received.envelope["mail_from"], "writer@example.com");
    assert_eq!(received.envelope["login"], USER);
    assert_eq!(received.envelope["tls"], true);

    let python = server.parse(&received.eml);
    assert_reads_the_message(&python, "python email");
    assert_eq!(
        python["structure"],
        json!(["multipart/alternative", "text/plain", "text/html"])
    );
    assert_eq!(python["defects"], json!([]));
    if let Some(mailparser) = server.parse_with_mailparser(&received.eml) {
        assert_reads_the_message(&mailparser, "mailparser");
        assert_eq!(mailparser["parsed"]["date"], python["parsed"]["date"]);
    }
}

#[test]
fn implicit_tls_is_served_too() {
    let Some(server) = smtp::start(SmtpOptions {
        tls: smtp::TlsMode::Implicit,
        ..options(Value::Null)
    }) else {
        return;
    };
    assert!(server.url().starts_with("smtps://127.0.0.1:"));
    send(&server, "a@example.com").expect("the server accepts the message over TLS");
    let messages = server.wait_for(1, Duration::from_secs(5));
    assert_eq!(messages[0].envelope["tls"], true);
    assert_eq!(messages[0].envelope["login"], USER);
}

#[test]
fn a_temporary_fault_answers_451_that_many_times_then_accepts() {
    let Some(server) = smtp::start(options(json!({"temporary": {"b@example.com": 2}}))) else {
        return;
    };
    for attempt in 1..=2 {
        let error = send(&server, "b@example.com").expect_err("a 451 for b@example.com");
        assert!(error.is_transient(), "attempt {attempt}: {error}");
        assert_eq!(code(&error), "451", "attempt {attempt}");
    }
    send(&server, "b@example.com").expect("the third attempt is accepted");
    send(&server, "a@example.com").expect("other addresses are untouched");
    let messages = server.wait_for(2, Duration::from_secs(5));
    assert_eq!(messages[0].rcpt_tos(), ["b@example.com"]);
    assert_eq!(messages[1].rcpt_tos(), ["a@example.com"]);
    let refusals = server
        .events()
        .iter()
        .filter(|e| e["event"] == "temporary")
        .count();
    assert_eq!(refusals, 2);

    // New faults, read while the server runs, count from zero again.
    server.set_faults(&json!({"temporary": {"B@EXAMPLE.COM": 1}}));
    let error = send(&server, "b@example.com").expect_err("a 451 after set_faults");
    assert_eq!(code(&error), "451");
    send(&server, "b@example.com").expect("then accepted");
}

#[test]
fn a_temporary_data_fault_answers_451_after_the_message() {
    let Some(server) = smtp::start(options(json!({"temporary_data": {"d@example.com": 1}}))) else {
        return;
    };
    let error = send(&server, "d@example.com").expect_err("a 451 at the end of DATA");
    assert_eq!(code(&error), "451");
    assert!(server.messages().is_empty(), "a refused DATA is not stored");
    send(&server, "d@example.com").expect("the second attempt is accepted");
    assert_eq!(server.wait_for(1, Duration::from_secs(5)).len(), 1);
}

#[test]
fn a_permanent_fault_answers_550_and_stores_nothing() {
    let Some(server) = smtp::start(options(json!({"permanent": ["c@example.com"]}))) else {
        return;
    };
    for _ in 0..2 {
        let error = send(&server, "c@example.com").expect_err("a 550 for c@example.com");
        assert!(error.is_permanent(), "{error}");
        assert_eq!(code(&error), "550");
    }
    assert!(server.messages().is_empty());
    send(&server, "a@example.com").expect("other addresses are accepted");
    assert_eq!(server.wait_for(1, Duration::from_secs(5)).len(), 1);
}

#[test]
fn a_wrong_password_answers_535_and_stores_nothing() {
    let Some(server) = smtp::start(options(Value::Null)) else {
        return;
    };
    let error = send_as(&server, "not-the-password", "a@example.com").expect_err("a 535");
    assert!(error.is_permanent(), "{error}");
    assert_eq!(code(&error), "535");
    assert!(server.messages().is_empty());
    assert!(server.events().iter().any(|e| e["event"] == "auth_failed"));
    assert!(
        !server.log().contains("not-the-password"),
        "the server's log holds no password"
    );
}

#[test]
fn stall_after_stores_the_message_and_never_answers() {
    let Some(server) = smtp::start(options(json!({"stall_after": 1}))) else {
        return;
    };
    send(&server, "a@example.com").expect("the first message is answered");
    assert!(!server.stalled());
    let error = send(&server, "b@example.com").expect_err("no answer to the second DATA");
    // lettre's read times out (on Linux as EAGAIN, which it does not call a timeout).
    assert!(
        matches!(
            io_error_kind(&error),
            Some(ErrorKind::WouldBlock | ErrorKind::TimedOut)
        ),
        "no SMTP reply, and the connection stays open: {error}"
    );
    assert!(server.wait_for_stall(Duration::from_secs(5)));
    let messages = server.wait_for(2, Duration::from_secs(5));
    assert_eq!(messages[1].rcpt_tos(), ["b@example.com"]);
    // It fires once: a client that reconnects is served.
    send(&server, "c@example.com").expect("the next connection is answered");
}

#[test]
fn drop_after_stores_the_message_and_closes_without_an_answer() {
    let Some(server) = smtp::start(options(json!({"drop_after": 0}))) else {
        return;
    };
    let error = send(&server, "a@example.com").expect_err("the connection closes unanswered");
    assert_eq!(
        io_error_kind(&error),
        Some(ErrorKind::UnexpectedEof),
        "no SMTP reply, only a closed connection: {error}"
    );
    let messages = server.wait_for(1, Duration::from_secs(5));
    assert_eq!(messages[0].rcpt_tos(), ["a@example.com"]);
    assert!(server.events().iter().any(|e| e["event"] == "dropped"));
    send(&server, "b@example.com").expect("the next connection is answered");
    assert_eq!(server.wait_for(2, Duration::from_secs(5)).len(), 2);
}

#[test]
fn dropping_the_server_stops_it() {
    let Some(server) = smtp::start(options(Value::Null)) else {
        return;
    };
    let port = server.port;
    let dir = server.dir.clone();
    assert!(TcpStream::connect(("127.0.0.1", port)).is_ok());
    drop(server);
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "nothing listens on port {port} any more"
    );
    assert!(!dir.exists(), "its folder is removed");
}
