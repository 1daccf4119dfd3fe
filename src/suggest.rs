//! "Did you mean …?": the known key an unknown one was probably meant to be.

/// The known key `key` is one edit from (a letter added, dropped, changed or two swapped,
/// ignoring case), when it is not itself known. Keys further off are left alone: writers
/// add keys of their own for their templates.
pub fn near<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    if known.contains(&key) {
        return None;
    }
    let lower = key.to_lowercase();
    known
        .iter()
        .copied()
        .find(|k| strsim::damerau_levenshtein(&lower, &k.to_lowercase()) <= 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: [&str; 3] = ["title", "tags", "url"];

    #[test]
    fn one_edit_away_is_suggested() {
        assert_eq!(near("titel", &KNOWN), Some("title"));
        assert_eq!(near("tag", &KNOWN), Some("tags"));
        assert_eq!(near("ulr", &KNOWN), Some("url"));
        assert_eq!(near("Title", &KNOWN), Some("title"), "case is ignored");
    }

    #[test]
    fn known_and_distant_keys_are_not() {
        assert_eq!(near("title", &KNOWN), None);
        assert_eq!(near("mood", &KNOWN), None);
        assert_eq!(near("tittle2", &KNOWN), None);
    }
}
