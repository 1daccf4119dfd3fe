//! Slugs: lower-case ASCII letters, digits and `-`, safe as a folder name anywhere.

/// Names Windows reserves for devices, in any case and with any extension: a folder
/// called `con` or `lpt1` cannot be created there, so such slugs get a suffix.
const WINDOWS_DEVICES: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// A slug that is safe as a folder name on every system: a Windows device name gets
/// `-post` appended. Empty stays empty (the caller picks the next source).
pub fn safe_folder(slug: String) -> String {
    // Slugs have no dots, so only the bare name is reserved (`con-artist` is fine).
    if WINDOWS_DEVICES.contains(&slug.as_str()) {
        format!("{slug}-post")
    } else {
        slug
    }
}

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
    fn hostile_slugs_become_plain_folder_names() {
        for (input, want) in [
            ("..", ""),
            ("../../etc", "etc"),
            ("/etc/passwd", "etc-passwd"),
            ("C:\\Windows\\system32", "c-windows-system32"),
            ("a\0b", "a-b"),
            ("   ", ""),
            ("…", ""),
        ] {
            assert_eq!(slugify(input), want, "{input:?}");
        }
    }

    #[test]
    fn windows_device_names_get_a_suffix() {
        for name in ["con", "CON", "Nul", "com1", "lpt9", "aux"] {
            assert_eq!(
                safe_folder(slugify(name)),
                format!("{}-post", name.to_lowercase())
            );
        }
        assert_eq!(safe_folder("console".into()), "console");
        assert_eq!(safe_folder("con-artist".into()), "con-artist");
    }

    #[test]
    fn file_stem_drops_a_leading_date() {
        assert_eq!(from_file_stem("2024-05-01-hello-world"), "hello-world");
        assert_eq!(from_file_stem("2024-05-01"), "2024-05-01");
        assert_eq!(from_file_stem("My Post"), "my-post");
    }
}
