//! URLs in a post: schemes, the ones never linked, the folder relative URLs resolve
//! against, query parameters.

/// Whether a URL starts with a scheme (`https:`, `mailto:`) or is protocol-relative (`//`):
/// the URLs no base URL changes.
pub fn has_scheme(url: &str) -> bool {
    if url.contains(':') {
        starts_with_scheme(url)
    } else {
        url.starts_with("//")
    }
}

/// Whether a URL starts with a scheme name and `:` (`https:`, `mailto:`).
pub fn starts_with_scheme(url: &str) -> bool {
    url.split_once(':').is_some_and(|(scheme, _)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

/// Whether a URL may become a link or image at all: script and data URLs never do.
pub fn is_safe_url(url: &str) -> bool {
    // Browsers ignore ASCII whitespace and control characters inside the scheme.
    let scheme: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .take_while(|&c| c != ':')
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase();
    let has_colon = url.contains(':');
    !(has_colon && matches!(scheme.as_str(), "javascript" | "vbscript" | "data" | "file"))
}

/// `url` as the folder relative URLs resolve against: no query or fragment, its path
/// ending in `/` (`https://e.com/blog?lang=en` → `https://e.com/blog/`); `None` when it is
/// not an absolute URL.
pub fn folder_url(url: &str) -> Option<String> {
    let mut url = url::Url::parse(url).ok()?;
    url.set_query(None);
    url.set_fragment(None);
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Some(url.into())
}

/// Appends query parameters to a URL, before any `#fragment`; keys already present are kept.
pub fn add_query(url: &str, params: &[(String, String)]) -> String {
    let (head, fragment) = match url.find('#') {
        Some(i) => (&url[..i], &url[i..]),
        None => (url, ""),
    };
    let mut out = head.to_string();
    let existing: Vec<&str> = head
        .split_once('?')
        .map(|(_, q)| q.split('&').filter_map(|kv| kv.split('=').next()).collect())
        .unwrap_or_default();
    for (key, value) in params {
        if existing.contains(&key.as_str()) {
            continue;
        }
        out.push(if out.contains('?') { '&' } else { '?' });
        out.extend(url::form_urlencoded::byte_serialize(key.as_bytes()));
        out.push('=');
        out.extend(url::form_urlencoded::byte_serialize(value.as_bytes()));
    }
    out.push_str(fragment);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_query_keeps_fragment_and_existing_keys() {
        let p = vec![
            ("utm_source".to_string(), "nl".to_string()),
            ("a".to_string(), "x y".to_string()),
        ];
        assert_eq!(
            add_query("https://e.com/p?a=1#top", &p),
            "https://e.com/p?a=1&utm_source=nl#top"
        );
        assert_eq!(
            add_query("https://e.com/p", &p[1..]),
            "https://e.com/p?a=x+y"
        );
    }
}
