//! The newsletter by email (SMTP): the server URL, the message for one recipient
//! (`message`), an open connection that tells a refused message from one whose fate is
//! unknown, with retries (`mailer`), and the pace of sending (`pace`).

mod mailer;
mod message;
mod pace;

pub use mailer::{Mailer, SendError, send_with_retry};
pub use message::{Letter, Recipient, message};
pub use pace::Pace;

use std::fmt;
use std::net::IpAddr;

use anyhow::{Context, bail};

use super::Secret;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
