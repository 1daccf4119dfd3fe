//! How a social network counts a post: by grapheme cluster, so an emoji, a flag or an
//! accented letter is one, and, where the network shortens links (X, Mastodon), each URL
//! as a fixed number of characters whatever its length.

use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

/// Counts text the way a network does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counter {
    /// What every URL counts for; `None` counts URLs whole.
    pub url_length: Option<usize>,
}

impl Counter {
    /// The length of `text` as the network counts it.
    pub fn count(self, text: &str) -> usize {
        // Most pieces are words of ASCII without a CR (a cluster a byte) or a `:` (so no
        // URL): one walk over their bytes settles them, where a search for the `:` and a
        // second walk for the clusters cost a sixth more (0.3% of `build`'s instructions).
        if text
            .bytes()
            .all(|b| b.is_ascii() && b != b'\r' && b != b':')
        {
            return text.len();
        }
        let Some(length) = self.url_length else {
            return graphemes(text);
        };
        // Most pieces are single words: no URL without `://` (a byte search for the `:`
        // first, cheaper than a substring search on short text).
        if !text.as_bytes().contains(&b':') || !text.contains("://") {
            return graphemes(text);
        }
        let mut total = 0;
        let mut from = 0;
        for url in urls(text) {
            total += graphemes(&text[from..url.start]) + url_cost(&text[url.clone()], length);
            from = url.end;
        }
        total + graphemes(&text[from..])
    }

    /// `count(text)` when it is at most `max`, else `None`, reading little more of `text`
    /// than `max` clusters: the rest of a word cut across posts may be megabytes long, and
    /// counting it whole for every post it fills is quadratic.
    pub fn count_at_most(self, text: &str, max: usize) -> Option<usize> {
        let Some(length) = self.url_length else {
            let n = graphemes(&text[..clusters_end(text, max.saturating_add(1))]);
            return (n <= max).then_some(n);
        };
        let (mut total, mut from) = (0, 0);
        loop {
            let room = max.checked_sub(total)?;
            // Text with no URL starting in the next `room + 1` clusters counts more than
            // `room`, whatever follows.
            let horizon = from + clusters_end(&text[from..], room.saturating_add(1));
            // A URL is read no further than `room` bytes (a URL is ASCII: a byte a cluster)
            // and some for its host: one counted whole that runs on counts more than `room`.
            // Reading each to its end for every post it fills would be quadratic.
            let scan = room.saturating_add(HOST_SLACK);
            match next_url(text, from, horizon, scan) {
                Some((url, whole)) => {
                    let url = match (whole, shortened(&text[url.clone()])) {
                        (true, _) => url,
                        (false, false) => return None,
                        // Counted at `length` however long: read to its end, once.
                        (false, true) if room < length => return None,
                        (false, true) => next_url(text, url.start, url.start + 1, usize::MAX)?.0,
                    };
                    total +=
                        graphemes(&text[from..url.start]) + url_cost(&text[url.clone()], length);
                    from = url.end;
                }
                None if horizon < text.len() => return None,
                None => {
                    total += graphemes(&text[from..]);
                    return (total <= max).then_some(total);
                }
            }
        }
    }
}

/// Grapheme clusters in `text`.
pub fn graphemes(text: &str) -> usize {
    let plain = plain_prefix(text, text.len());
    if plain == text.len() {
        return plain;
    }
    // Curly quotes, dashes and Latin letters are most of what is not ASCII in prose, and
    // none joins a cluster with a neighbour: text of nothing else is a cluster a character
    // (segmenting it was most of a thread's counting of such words).
    let rest = &text[plain..];
    if rest.chars().all(stands_alone) {
        return plain + rest.chars().count();
    }
    // The last plain character may begin a cluster with what follows (an accent).
    let skip = plain.saturating_sub(1);
    skip + text[skip..].graphemes(true).count()
}

/// Characters that are a grapheme cluster of their own whatever their neighbours, among
/// those that are: ASCII but CR, Latin-1 letters and signs but the soft hyphen (a
/// control), Latin Extended-A, and the dashes, quotes and dots from `‐` to `‧` (before
/// the line and paragraph separators, and after the zero-width joiners). None is an
/// extender, a prepended mark, a regional indicator or a Hangul jamo.
fn stands_alone(c: char) -> bool {
    (c.is_ascii() && c != '\r')
        || matches!(c, '\u{A0}'..='\u{AC}' | '\u{AE}'..='\u{17F}' | '\u{2010}'..='\u{2027}')
}

/// Where the first `n` grapheme clusters of `text` end: a byte offset, the text's length
/// when it has fewer.
pub fn clusters_end(text: &str, n: usize) -> usize {
    let plain = plain_prefix(text, n.saturating_add(1));
    if plain > n || plain == text.len() {
        return plain.min(n);
    }
    let skip = plain.saturating_sub(1);
    skip + text[skip..]
        .grapheme_indices(true)
        .nth(n - skip)
        .map_or(text.len() - skip, |(i, _)| i)
}

/// How many of the first `max` bytes of `text` are ASCII other than CR: each of those is
/// a cluster of its own unless the character after it extends it (an accent, CR's LF).
fn plain_prefix(text: &str, max: usize) -> usize {
    text.bytes()
        .take(max)
        .take_while(|&b| b.is_ascii() && b != b'\r')
        .count()
}

/// Byte ranges of the URLs in `text` that a network shortening links would count as links:
/// `http://` or `https://` after a space, the start or an opening bracket or quote, then a
/// host with a dot and a top-level domain of letters, then URL characters, less trailing
/// punctuation (`.`, `,`, `)` without its `(` …).
///
/// The URL ends at the first character outside RFC 3986's set, non-ASCII ones included:
/// networks differ past that point, and counting the rest as text is the safe side, since
/// a network that reads the URL further only counts less.
pub fn urls(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        let (url, _) = next_url(text, at, text.len(), usize::MAX)?;
        at = url.end;
        Some(url)
    })
}

/// How far past `count_at_most`'s room a URL is read, for its host to be seen whole (a
/// host name is at most 253 bytes).
const HOST_SLACK: usize = 300;

/// The first URL (as `urls` finds them) whose scheme starts at or after `at` and before
/// `until`, read at most `scan` bytes from its start, and whether it was read to its end.
fn next_url(text: &str, mut at: usize, until: usize, scan: usize) -> Option<(Range<usize>, bool)> {
    let bytes = text.as_bytes();
    // A scheme that starts before `until` may end after it.
    let window = (until + "https://".len()).min(bytes.len());
    while let Some(found) = find_scheme(&bytes[at.min(window)..window]) {
        let start = at + found;
        if start >= until {
            return None;
        }
        at = start + 1;
        let preceded_well = text[..start].chars().next_back().is_none_or(|c| {
            c.is_whitespace() || matches!(c, '(' | '[' | '{' | '<' | '"' | '\'' | '“' | '‘' | '«')
        });
        if !preceded_well {
            continue;
        }
        let mut end = start;
        let stop = start.saturating_add(scan).min(bytes.len());
        while end < stop && is_url_byte(bytes[end]) {
            end += 1;
        }
        let whole = end == bytes.len() || !is_url_byte(bytes[end]);
        let end = if whole {
            start + trimmed_len(&text[start..end])
        } else {
            end
        };
        if has_domain(&text[start..end]) {
            return Some((start..end, whole));
        }
    }
    None
}

/// The offset of the next `http://` or `https://`, in any case.
fn find_scheme(bytes: &[u8]) -> Option<usize> {
    (0..bytes.len()).find(|&i| {
        let rest = &bytes[i..];
        let starts = |p: &[u8]| rest.len() >= p.len() && rest[..p.len()].eq_ignore_ascii_case(p);
        (bytes[i] == b'h' || bytes[i] == b'H') && (starts(b"https://") || starts(b"http://"))
    })
}

/// Characters RFC 3986 allows in a URL (unreserved, reserved and `%`).
fn is_url_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&b)
}

/// The URL without the punctuation that ends the sentence around it: networks end a link
/// on a letter, a digit, one of `/=_#-+&`, or a `)` that closes a `(` of the URL.
fn trimmed_len(url: &str) -> usize {
    let bytes = url.as_bytes();
    let opened = bytes.iter().filter(|&&b| b == b'(').count();
    let mut closed = bytes.iter().filter(|&&b| b == b')').count();
    let mut end = bytes.len();
    while end > 0 {
        let last = bytes[end - 1];
        let keep = last.is_ascii_alphanumeric()
            || b"/=_#-+&".contains(&last)
            || (last == b')' && opened >= closed);
        if keep {
            break;
        }
        if last == b')' {
            closed -= 1;
        }
        end -= 1;
    }
    end
}

/// What a URL counts for where the network counts links at `length` (Mastodon): `length`
/// for a link the network is sure to take as one, plus the `=`, `&` or `+` it ends with (a
/// network may end the link before them and count them as text); else the URL's own length,
/// at least `length`. Counting more than the network does only leaves room unused; counting
/// less would have a part refused.
///
/// Sure: a host under a top-level domain in `SHORTENED_TLDS` and no login before it.
/// Mastodon takes a link only where its top-level domain is in the list it carries, and
/// counts any other URL character by character.
fn url_cost(url: &str, length: usize) -> usize {
    if shortened(url) {
        let trailing = url.bytes().rev().take_while(|b| b"=&+".contains(b)).count();
        length + trailing
    } else {
        graphemes(url).max(length)
    }
}

/// Whether the network is sure to take `url` (or its start, its host whole) as a link.
fn shortened(url: &str) -> bool {
    let rest = url.split_once("://").map_or("", |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.split(':').next().unwrap_or("");
    let tld = host.trim_end_matches('.').rsplit('.').next().unwrap_or("");
    let known = SHORTENED_TLDS
        .binary_search(&tld.to_ascii_lowercase().as_str())
        .is_ok();
    known && !authority.contains('@')
}

/// Top-level domains whose links Mastodon is sure to shorten: the generic ones in wide use
/// and the delegated two-letter country codes, sorted. Any other is counted whole.
const SHORTENED_TLDS: &[&str] = &[
    "ac", "ad", "ae", "aero", "af", "ag", "agency", "ai", "al", "am", "ao", "app", "aq", "ar",
    "art", "as", "asia", "at", "au", "aw", "ax", "az", "ba", "bb", "bd", "be", "bf", "bg", "bh",
    "bi", "biz", "bj", "blog", "bm", "bn", "bo", "br", "bs", "bt", "bw", "by", "bz", "ca", "cat",
    "cc", "cd", "cf", "cg", "ch", "ci", "ck", "cl", "cloud", "club", "cm", "cn", "co", "com",
    "coop", "cr", "cu", "cv", "cw", "cx", "cy", "cz", "de", "design", "dev", "dj", "dk", "dm",
    "do", "dz", "ec", "edu", "ee", "eg", "email", "er", "es", "et", "eu", "fi", "fj", "fk", "fm",
    "fo", "fr", "ga", "gd", "ge", "gf", "gg", "gh", "gi", "gl", "gm", "gn", "gov", "gp", "gq",
    "gr", "gs", "gt", "gu", "gw", "gy", "hk", "hm", "hn", "hr", "ht", "hu", "id", "ie", "il", "im",
    "in", "info", "int", "io", "iq", "ir", "is", "it", "je", "jm", "jo", "jobs", "jp", "ke", "kg",
    "kh", "ki", "km", "kn", "kp", "kr", "kw", "ky", "kz", "la", "lb", "lc", "li", "life", "live",
    "lk", "lr", "ls", "lt", "lu", "lv", "ly", "ma", "mc", "md", "me", "media", "mg", "mh", "mil",
    "mk", "ml", "mm", "mn", "mo", "mobi", "mp", "mq", "mr", "ms", "mt", "mu", "museum", "mv", "mw",
    "mx", "my", "mz", "na", "name", "nc", "ne", "net", "network", "news", "nf", "ng", "ni", "nl",
    "no", "np", "nr", "nu", "nz", "om", "online", "org", "pa", "page", "pe", "pf", "pg", "ph",
    "pk", "pl", "pm", "pn", "pr", "pro", "ps", "pt", "pw", "py", "qa", "re", "ro", "rs", "ru",
    "rw", "sa", "sb", "sc", "sd", "se", "sg", "sh", "shop", "si", "site", "sk", "sl", "sm", "sn",
    "so", "social", "space", "sr", "st", "store", "studio", "su", "sv", "sx", "sy", "sz", "tc",
    "td", "tech", "tel", "tf", "tg", "th", "tj", "tk", "tl", "tm", "tn", "to", "today", "tr",
    "travel", "tt", "tv", "tw", "tz", "ua", "ug", "uk", "us", "uy", "uz", "va", "vc", "ve", "vg",
    "vi", "vn", "vu", "website", "wf", "wiki", "world", "ws", "xyz", "ye", "yt", "za", "zm",
    "zone", "zw",
];

/// Whether the URL's host is a domain name: a dot, and a last label of two letters or more.
fn has_domain(url: &str) -> bool {
    let rest = url.split_once("://").map_or("", |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = host.split(':').next().unwrap_or("");
    let mut labels = host.trim_end_matches('.').rsplit('.');
    let tld = labels.next().unwrap_or("");
    labels.next().is_some_and(|l| !l.is_empty())
        && tld.len() >= 2
        && tld.bytes().all(|b| b.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        urls(text).map(|r| &text[r]).collect()
    }

    #[test]
    fn the_top_level_domains_that_shorten_are_sorted() {
        assert!(SHORTENED_TLDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn a_link_mastodon_may_not_shorten_counts_whole() {
        let mastodon = Counter {
            url_length: Some(23),
        };
        let internal = format!("https://ci.internal/{}", "a".repeat(100));
        assert_eq!(
            mastodon.count(&internal),
            internal.len(),
            "an unknown domain"
        );
        let login = "https://ana@example.com/a/very/long/path/here";
        assert_eq!(
            mastodon.count(login),
            login.len(),
            "a login before the host"
        );
        // The `=` a link ends with may be left out of it, and count as text.
        assert_eq!(mastodon.count("see https://example.com/path/a= end"), 32);
        assert_eq!(mastodon.count("see https://example.com/?q=a+ end"), 32);
        assert_eq!(mastodon.count("see https://example.com/a end"), 31);
        let short = "https://a.zz";
        assert_eq!(
            mastodon.count(short),
            23,
            "never less than a link would count"
        );
        for limit in [10, 23, 40, 119] {
            assert_eq!(mastodon.count_at_most(&internal, limit), None);
        }
        assert_eq!(mastodon.count_at_most(&internal, 500), Some(internal.len()));
    }

    #[test]
    fn counting_at_most_agrees_with_counting_whole() {
        let mastodon = Counter {
            url_length: Some(23),
        };
        let long = "a".repeat(400);
        let texts = [
            format!("see https://ci.internal/{long} now"),
            format!("see https://example.com/{long}= now"),
            format!(
                "(https://ci.internal/x){}",
                "(https://ci.internal/x)".repeat(30)
            ),
            format!("https://ana@example.com/{long}"),
            format!("https://{}.example.com/x and more", "h".repeat(240)),
            "https://a.zz and https://b.com/?q=a+ end".to_string(),
        ];
        for text in &texts {
            let whole = mastodon.count(text);
            for max in (0..whole + 30)
                .step_by(7)
                .chain([whole - 1, whole, whole + 1])
            {
                let expected = (whole <= max).then_some(whole);
                assert_eq!(mastodon.count_at_most(text, max), expected, "{max} {text}");
            }
        }
    }

    #[test]
    fn characters_standing_alone_count_as_segmentation_counts() {
        let texts = [
            "we’re “quoted” — a–b…",
            "café naïve Łódź ÿ",
            "e\u{301}’\u{301}“\u{200D}x",
            "soft\u{AD}hyphen ©\u{FE0F} ®\u{200D}👍",
            "\r\n“\r\n”\u{2028}‧",
            "’\u{1F3FB}Ā\u{0308}",
        ];
        for text in texts {
            assert_eq!(graphemes(text), text.graphemes(true).count(), "{text:?}");
        }
    }

    #[test]
    fn emoji_flags_and_accents_count_as_one() {
        let whole = Counter::default();
        assert_eq!(whole.count("héllo"), 5);
        assert_eq!(whole.count("he\u{301}llo"), 5, "e + combining acute");
        assert_eq!(whole.count("👩‍👩‍👧‍👦 🇫🇷 👍🏽"), 5);
        assert_eq!(whole.count("日本語のテキスト"), 8);
        assert_eq!(whole.count(""), 0);
    }

    #[test]
    fn urls_count_whole_or_at_the_network_length() {
        let text = "See https://example.com/a/very/long/path/that/goes/on?x=1 now";
        assert_eq!(Counter::default().count(text), text.chars().count());
        let x = Counter {
            url_length: Some(23),
        };
        assert_eq!(x.count(text), 4 + 23 + 4);
        assert_eq!(x.count("https://e.co"), 23, "short URLs count 23 too");
        assert_eq!(x.count("(https://e.co/a)."), 1 + 23 + 2);
    }

    #[test]
    fn counting_up_to_a_bound_agrees_with_counting_whole() {
        let texts = [
            "",
            "plain ascii",
            "e\u{301}e\u{301} and a\r\nb",
            "👍🏽👍🏽🇫🇷🇫🇷 日本語",
            "see https://example.com/a/b, then (http://e.co) x",
            "xhttps://e.com/a https://e.com/b.",
            "https://e.com/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa tail",
        ];
        for url_length in [None, Some(23), Some(0)] {
            let counter = Counter { url_length };
            for text in texts {
                let whole = counter.count(text);
                for max in 0..whole + 3 {
                    let expected = (whole <= max).then_some(whole);
                    assert_eq!(counter.count_at_most(text, max), expected, "{text:?} {max}");
                }
            }
        }
        for text in texts {
            let ends: Vec<usize> = text
                .grapheme_indices(true)
                .map(|(i, g)| i + g.len())
                .collect();
            assert_eq!(graphemes(text), ends.len(), "{text:?}");
            for n in 0..ends.len() + 2 {
                let end = n
                    .checked_sub(1)
                    .map_or(0, |i| ends.get(i).copied().unwrap_or(text.len()));
                assert_eq!(clusters_end(text, n), end, "{text:?} {n}");
            }
        }
    }

    #[test]
    fn urls_end_before_sentence_punctuation_and_foreign_brackets() {
        assert_eq!(
            found("Read https://e.com/a. Or (https://e.com/b), or https://e.com/w_(x)!"),
            ["https://e.com/a", "https://e.com/b", "https://e.com/w_(x)"]
        );
        assert_eq!(
            found("“https://e.com/q?a=1&b=2”"),
            ["https://e.com/q?a=1&b=2"]
        );
        assert_eq!(found("HTTPS://E.COM/X"), ["HTTPS://E.COM/X"]);
    }

    #[test]
    fn only_urls_a_network_links_are_urls() {
        assert!(found("xhttps://e.com/a").is_empty(), "glued to a word");
        assert!(found("https://localhost/a https://10.0.0.1/ https://").is_empty());
        assert_eq!(
            found("https://ja.wikipedia.org/wiki/日本"),
            ["https://ja.wikipedia.org/wiki/"]
        );
        assert_eq!(
            found("http://user@e.org:8080/p"),
            ["http://user@e.org:8080/p"]
        );
    }
}
