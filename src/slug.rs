//! Slugs: lower-case ASCII letters, digits and `-`, safe as a folder name anywhere.

/// Turns any text into a slug: transliterated to ASCII, lower-cased, every run of other
/// characters collapsed to one `-`, no leading or trailing `-`. May return an empty string.
pub fn slugify(text: &str) -> String {
    let ascii = deunicode::deunicode(text);
    let mut out = String::with_capacity(ascii.len());
    let mut dash = false;
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else if c != '\'' && c != '’' {
            dash = true;
        }
    }
    out
}

/// A slug from a file stem: a leading `YYYY-MM-DD-` date is dropped first.
pub fn from_file_stem(stem: &str) -> String {
    let bytes = stem.as_bytes();
    let dated = bytes.len() > 11
        && bytes[..10].iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
        && (bytes[10] == b'-' || bytes[10] == b'_');
    slugify(if dated { &stem[11..] } else { stem })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugify_transliterates_and_collapses() {
        assert_eq!(
            slugify("Leverage and Networking"),
            "leverage-and-networking"
        );
        assert_eq!(slugify("  Café — crème brûlée!  "), "cafe-creme-brulee");
        assert_eq!(slugify("What's new in 2.0?"), "whats-new-in-2-0");
        assert_eq!(slugify("../../etc/passwd"), "etc-passwd");
        assert_eq!(slugify("///"), "");
    }

    #[test]
    fn file_stem_drops_a_leading_date() {
        assert_eq!(from_file_stem("2024-05-01-hello-world"), "hello-world");
        assert_eq!(from_file_stem("2024-05-01"), "2024-05-01");
        assert_eq!(from_file_stem("My Post"), "my-post");
    }
}
