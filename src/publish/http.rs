//! The HTTP side shared by the services that speak JSON over HTTPS (Mastodon, Bluesky's
//! XRPC, Discourse, Forem): a site's root URL checked once, one agent with timeouts and no
//! redirects, waits where the service asks for them (429 and 503 with `Retry-After` or a
//! rate-limit reset), and errors that tell a request the service never got from one whose
//! answer was lost (the service may have acted on it: look before sending it again).

use std::fmt;
use std::time::Duration;

use anyhow::{anyhow, bail};
use serde_json::Value;
use url::Url;

/// The longest repurpose waits when a service asks it to (a 429's `Retry-After`): longer,
/// and the request fails saying when to try again.
pub const MAX_WAIT: Duration = Duration::from_secs(120);

/// How long a request may take, answer included: `REPURPOSE_TIMEOUT` seconds, else 60.
pub fn timeout() -> Duration {
    std::env::var("REPURPOSE_TIMEOUT")
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .map_or(Duration::from_secs(60), Duration::from_secs_f64)
}

/// How many times one request is sent again after a 429 or 503 that asked for a wait.
const MAX_WAITS: usize = 5;

/// A request sent whose answer never came (the connection dropped, or no answer in time):
/// the service may have acted on it. Callers that create something look it up before
/// sending the request again.
#[derive(Debug)]
pub struct Unanswered(pub String);

impl fmt::Display for Unanswered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unanswered {}

/// Whether `error` is a request whose answer was lost (`Unanswered`).
pub fn unanswered(error: &anyhow::Error) -> bool {
    error.downcast_ref::<Unanswered>().is_some()
}

/// A service's root URL as the user wrote it, checked: http(s) with a host, no login in it,
/// no `?` or `#` part, https unless the host is this machine (a token must not cross the
/// network in the clear), always ending in `/` so paths can follow.
pub fn root(url: &str, service: &str) -> anyhow::Result<Url> {
    let mut root = Url::parse(url.trim())
        .map_err(|err| anyhow!("the {service} URL `{url}` is not a valid URL: {err}"))?;
    if !root.password().unwrap_or_default().is_empty() || !root.username().is_empty() {
        // Never echo it: the part before `@` may be a password.
        bail!(
            "the {service} URL for {} holds a username or password; name an environment \
             variable with the secret instead",
            root.host_str().unwrap_or("the site")
        );
    }
    if !matches!(root.scheme(), "http" | "https") || root.host_str().is_none() {
        bail!("the {service} URL `{url}` must start with https:// or http:// and name a host");
    }
    if root.scheme() == "http" && !loopback(&root) {
        bail!(
            "the {service} URL `{url}` is http://: the secret would cross the network in the \
             clear; use https:// (http:// is taken only for 127.0.0.1 and localhost)"
        );
    }
    if root.query().is_some() || root.fragment().is_some() {
        bail!("the {service} URL `{url}` has a `?` or `#` part; give the site's root alone");
    }
    if !root.path().ends_with('/') {
        let path = format!("{}/", root.path());
        root.set_path(&path);
    }
    Ok(root)
}

/// Whether the URL's host is this machine.
pub fn loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// One answer, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    /// `Location`, for a redirect's message.
    pub location: Option<String>,
    /// How long the service asked to wait (`Retry-After`, or a rate limit's reset time).
    pub wait: Option<Duration>,
    /// Whether `wait` came from `Retry-After` (a 503's only way to ask for a wait: the
    /// rate-limit headers come with every answer and say nothing about an outage).
    pub retry_after: bool,
}

impl Reply {
    /// Whether the status is 2xx.
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as JSON; `Value::Null` when it is not.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// A request's method and body.
#[derive(Debug, Clone, Copy)]
pub enum Method<'a> {
    Get,
    Post(&'a Value),
    Put(&'a Value),
    Delete,
    /// A POST with no body (an XRPC procedure that takes no input refuses even `null`).
    PostEmpty,
    /// A POST of raw bytes with their `Content-Type` (an upload: a file, or a
    /// `multipart::Body`).
    PostBytes {
        content_type: &'a str,
        body: &'a [u8],
    },
}

/// A client for one service at one root URL.
pub struct Api {
    root: Url,
    /// The service's name, as errors say it: `Mastodon`.
    service: &'static str,
    agent: ureq::Agent,
}

impl fmt::Debug for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Api")
            .field("root", &self.root.as_str())
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

impl Api {
    /// A client for the service at `root` (from `root()`), each request answered within
    /// `timeout()`.
    pub fn new(root: Url, service: &'static str) -> Api {
        let timeout = timeout();
        let agent = ureq::Agent::config_builder()
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            // A redirect would drop the credentials and turn a POST into a GET; the user is
            // better told the URL to write.
            .max_redirects(0)
            .user_agent(concat!("repurpose/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Api {
            root,
            service,
            agent,
        }
    }

    /// The root URL, ending in `/`.
    pub fn root(&self) -> &Url {
        &self.root
    }

    /// The service's name, as errors say it.
    pub fn service(&self) -> &'static str {
        self.service
    }

    /// The URL of `path` (relative to the root, no leading `/`) with `query`.
    pub fn url(&self, path: &str, query: &[(&str, &str)]) -> String {
        let mut url = format!("{}{}", self.root, path.trim_start_matches('/'));
        for (i, (key, value)) in query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.extend(url::form_urlencoded::byte_serialize(key.as_bytes()));
            url.push('=');
            url.extend(url::form_urlencoded::byte_serialize(value.as_bytes()));
        }
        url
    }

    /// Sends one request, waiting and sending it again where the service answers 429 or 503
    /// with a wait of at most `MAX_WAIT` (the request was not acted on). `what` says what the
    /// request does, for errors ("posting part 3"). Only a failure to get an answer is an
    /// error here: `Unanswered` when the request may have reached the service.
    pub fn call(
        &self,
        what: &str,
        method: Method<'_>,
        path: &str,
        query: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> anyhow::Result<Reply> {
        let url = self.url(path, query);
        let mut waited = 0;
        loop {
            let reply = self.once(what, method, &url, headers)?;
            let busy = reply.status == 429 || (reply.status == 503 && reply.retry_after);
            match reply.wait {
                Some(wait) if busy && waited < MAX_WAITS && wait <= MAX_WAIT => {
                    waited += 1;
                    std::thread::sleep(wait);
                }
                _ => return Ok(reply),
            }
        }
    }

    fn once(
        &self,
        what: &str,
        method: Method<'_>,
        url: &str,
        headers: &[(&str, &str)],
    ) -> anyhow::Result<Reply> {
        let result = match method {
            Method::Get | Method::Delete => {
                let mut request = match method {
                    Method::Get => self.agent.get(url),
                    _ => self.agent.delete(url),
                };
                for (name, value) in headers {
                    request = request.header(*name, *value);
                }
                request.call()
            }
            Method::Post(body) | Method::Put(body) => {
                let mut request = match method {
                    Method::Post(_) => self.agent.post(url),
                    _ => self.agent.put(url),
                };
                for (name, value) in headers {
                    request = request.header(*name, *value);
                }
                request.send_json(body)
            }
            Method::PostEmpty => {
                let mut request = self.agent.post(url);
                for (name, value) in headers {
                    request = request.header(*name, *value);
                }
                request.send_empty()
            }
            Method::PostBytes { content_type, body } => {
                let mut request = self.agent.post(url).header("Content-Type", content_type);
                for (name, value) in headers {
                    request = request.header(*name, *value);
                }
                request.send(body)
            }
        };
        let (service, site) = (self.service, self.root.as_str());
        let mut response = result.map_err(|err| match err {
            ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => {
                anyhow!("{what} on {service} at {site}: could not connect: {err}")
            }
            // Refused before anything was sent: nothing to look up.
            ureq::Error::Io(ref io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
                anyhow!("{what} on {service} at {site}: could not connect: {err}")
            }
            ureq::Error::Timeout(_) => anyhow::Error::new(Unanswered(format!(
                "{what} on {service} at {site}: no answer in time ({err})"
            ))),
            ureq::Error::Io(_) | ureq::Error::Protocol(_) => anyhow::Error::new(Unanswered(
                format!("{what} on {service} at {site}: the connection was lost: {err}"),
            )),
            _ => anyhow!("{what} on {service} at {site}: {err}"),
        })?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_string)
        };
        let location = header("location");
        let asked = header("retry-after").and_then(|v| retry_after(&v));
        let retry_after = asked.is_some();
        let wait = asked
            .or_else(|| header("ratelimit-reset").and_then(|v| reset(&v)))
            .or_else(|| header("x-ratelimit-reset").and_then(|v| reset(&v)));
        let body = response.body_mut().read_to_string().map_err(|err| {
            anyhow::Error::new(Unanswered(format!(
                "{what} on {service} at {site}: reading the answer: {err}"
            )))
        })?;
        Ok(Reply {
            status,
            body,
            location,
            wait,
            retry_after,
        })
    }

    /// The error for an answer that is not one of the statuses hoped for: the status, the
    /// service's own message (`message` is where its JSON error body keeps it), what to do
    /// about a redirect, a wait too long to make.
    pub fn refused(&self, what: &str, reply: &Reply, message: Option<&str>) -> anyhow::Error {
        let (service, site) = (self.service, self.root.as_str());
        let status = status_line(reply.status);
        if (300..400).contains(&reply.status) {
            let to = reply.location.as_deref().unwrap_or("nowhere said");
            return anyhow!(
                "{what} on {service} at {site}: {status}: the site redirects to {to}; write that URL instead"
            );
        }
        let said = match message {
            Some(m) if !m.trim().is_empty() => plain_text(m),
            _ => describe_body(&reply.body),
        };
        match (reply.status, reply.wait) {
            (429, Some(wait)) => anyhow!(
                "{what} on {service} at {site}: {status}: the service asks to wait {} s; run `repurpose publish` again then ({said})",
                wait.as_secs()
            ),
            _ => anyhow!("{what} on {service} at {site}: {status}: {said}"),
        }
    }
}

/// `Retry-After`: seconds, or an HTTP date.
fn retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = jiff::fmt::rfc2822::parse(value).ok()?;
    Some(until(date.timestamp()))
}

/// A rate limit's reset: seconds since the epoch (Bluesky's `RateLimit-Reset`), an RFC 3339
/// time (Mastodon's `X-RateLimit-Reset`), or, below a day's seconds, seconds from now.
fn reset(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(number) = value.parse::<u64>() {
        if number < 86_400 {
            return Some(Duration::from_secs(number));
        }
        let at = jiff::Timestamp::from_second(i64::try_from(number).ok()?).ok()?;
        return Some(until(at));
    }
    value.parse::<jiff::Timestamp>().ok().map(until)
}

/// The time from now until `at`, none when it has passed.
fn until(at: jiff::Timestamp) -> Duration {
    let left = at.as_millisecond() - jiff::Timestamp::now().as_millisecond();
    Duration::from_millis(u64::try_from(left).unwrap_or(0))
}

/// `500 Internal Server Error`.
pub fn status_line(status: u16) -> String {
    let reason = ureq::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|code| code.canonical_reason())
        .unwrap_or("");
    format!("{status} {reason}").trim_end().to_string()
}

/// A short, plain description of a body that is not the JSON expected (an HTML page, a PHP
/// error): its first words.
pub fn describe_body(body: &str) -> String {
    let text = plain_text(body);
    if text.is_empty() {
        return "an empty answer".to_string();
    }
    const MAX: usize = 200;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("the answer begins: {}…", &text[..cut]),
        None => format!("the answer: {text}"),
    }
}

/// A service's message, which may hold HTML (`<strong>Error:</strong> …`): the text, on
/// one line.
pub fn plain_text(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = decode_entities(&text);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The entities services write into messages (and WordPress into term names).
pub fn decode_entities(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#039;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_root_url_is_checked_once_and_ends_in_a_slash() {
        let forum = root("https://forum.example.org/community", "Discourse").unwrap();
        assert_eq!(forum.as_str(), "https://forum.example.org/community/");
        assert!(root("http://127.0.0.1:3000", "Mastodon").is_ok());
        let err = root("http://mastodon.example", "Mastodon")
            .unwrap_err()
            .to_string();
        assert!(err.contains("in the clear"), "{err}");
        let err = root("https://ana:hunter2@m.example", "Mastodon")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("hunter2"), "{err}");
        assert!(root("https://m.example/?x=1", "Mastodon").is_err());
    }

    #[test]
    fn waits_are_read_from_retry_after_and_rate_limit_resets() {
        assert_eq!(retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(
            retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(reset("30"), Some(Duration::from_secs(30)));
        let soon = jiff::Timestamp::now().as_second() + 60;
        let wait = reset(&soon.to_string()).unwrap();
        assert!(
            wait > Duration::from_secs(50) && wait <= Duration::from_secs(60),
            "{wait:?}"
        );
        let wait = reset("2015-10-21T07:28:00.000Z").unwrap();
        assert_eq!(wait, Duration::ZERO);
    }

    #[test]
    fn a_refused_connection_is_not_a_lost_answer() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let api = Api::new(
            root(&format!("http://127.0.0.1:{port}"), "Mastodon").unwrap(),
            "Mastodon",
        );
        let err = api
            .call("posting part 1", Method::Get, "api", &[], &[])
            .unwrap_err();
        assert!(!unanswered(&err), "{err:#}");
        assert!(format!("{err:#}").contains("could not connect"), "{err:#}");
    }

    /// A server on 127.0.0.1 answering every request with `head` (status line and headers)
    /// and counting them.
    fn answering(head: &'static str) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let seen = std::sync::Arc::clone(&count);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(&stream);
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let mut stream = &stream;
                let _ = write!(
                    stream,
                    "{head}\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{{}}"
                );
            }
        });
        (url, count)
    }

    #[test]
    fn a_503_waits_only_when_it_says_retry_after() {
        // Mastodon sends its rate limit's reset with every answer: a 503 carrying only that
        // is an outage, not a request to wait for the window.
        let (url, count) = answering("HTTP/1.1 503 Service Unavailable\r\nx-ratelimit-reset: 30");
        let api = Api::new(root(&url, "Mastodon").unwrap(), "Mastodon");
        let reply = api.call("reading", Method::Get, "x", &[], &[]).unwrap();
        assert_eq!(reply.status, 503);
        assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[test]
    fn bytes_are_posted_with_their_content_type() {
        use std::io::{BufRead, BufReader, Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(&stream);
            let (mut head, mut line) = (String::new(), String::new());
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                head.push_str(&line.to_ascii_lowercase());
                line.clear();
            }
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length: "))
                .and_then(|n| n.trim().parse().ok())
                .unwrap_or(0);
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let mut stream = &stream;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{{}}"
            );
            tx.send((head, body)).unwrap();
        });
        let api = Api::new(root(&url, "Bluesky").unwrap(), "Bluesky");
        let bytes = b"\x89PNG\0\xff";
        let method = Method::PostBytes {
            content_type: "image/png",
            body: bytes,
        };
        let reply = api.call("uploading", method, "x", &[], &[]).unwrap();
        assert_eq!(reply.status, 200);
        let (head, body) = rx.recv().unwrap();
        assert!(head.starts_with("post /x "), "{head}");
        assert!(head.contains("content-type: image/png\r\n"), "{head}");
        assert_eq!(body, bytes);
    }

    #[test]
    fn query_parameters_are_encoded() {
        let api = Api::new(root("https://m.example/x", "Mastodon").unwrap(), "Mastodon");
        assert_eq!(
            api.url("/api/v1/statuses", &[("q", "a b&c")]),
            "https://m.example/x/api/v1/statuses?q=a+b%26c"
        );
    }
}
