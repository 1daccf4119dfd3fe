//! Where a key or list item sits in YAML text (`repurpose.yaml`, a post's front matter),
//! for errors found after parsing: serde_yaml's values carry no positions.

/// The 1-based line of the key at `path` (`["venues", "forum", "wrap"]`), in block or flow
/// style; when part of the path is not found, the line of the deepest part that is (1 when
/// not even the top-level key is).
pub fn key_line(text: &str, path: &[&str]) -> usize {
    find(text, path, None)
}

/// The 1-based line of the list item `item` under the top-level key `key`
/// (`default_venues: [forum, blog]` or one `- forum` per line).
pub fn item_line(text: &str, key: &str, item: &str) -> usize {
    find(text, &[key], Some(item))
}

fn find(text: &str, path: &[&str], item: Option<&str>) -> usize {
    let lines: Vec<&str> = text.lines().map(without_comment).collect();
    let Some((first, rest)) = path.split_first() else {
        return 1;
    };
    let Some(start) = lines.iter().position(|l| top_level_key(l) == Some(first)) else {
        return 1;
    };
    // The key's block ends where the next top-level key starts.
    let end = (start + 1..lines.len())
        .find(|&i| top_level_key(lines[i]).is_some())
        .unwrap_or(lines.len());
    let mut at = (start, first.len());
    let needles = rest
        .iter()
        .map(|k| (*k, true))
        .chain(item.map(|i| (i, false)));
    for (word, is_key) in needles {
        match search(&lines[..end], at, word, is_key) {
            Some(found) => at = found,
            None => break,
        }
    }
    at.0 + 1
}

/// The key a line starts at column 0 with, if any.
fn top_level_key(line: &str) -> Option<&str> {
    if line.starts_with([' ', '\t', '-', '#']) {
        return None;
    }
    let (key, _) = line.split_once(':')?;
    let key = key.trim().trim_matches(['"', '\'']);
    (!key.is_empty()).then_some(key)
}

/// The first `word` at or after `(line, byte)`, standing alone (as a key: followed by `:`);
/// returns the position just after it.
fn search(
    lines: &[&str],
    from: (usize, usize),
    word: &str,
    is_key: bool,
) -> Option<(usize, usize)> {
    for (i, line) in lines.iter().enumerate().skip(from.0) {
        let offset = if i == from.0 {
            from.1.min(line.len())
        } else {
            0
        };
        let Some(hay) = line.get(offset..) else {
            continue;
        };
        let mut pos = 0;
        while let Some(found) = hay[pos..].find(word) {
            let begin = pos + found;
            let after = begin + word.len();
            let before_ok = hay[..begin]
                .trim_end_matches(['"', '\''])
                .chars()
                .next_back()
                .is_none_or(|c| matches!(c, ' ' | '\t' | '{' | '[' | ',' | '-'));
            let tail = hay[after..].trim_start_matches(['"', '\'']).trim_start();
            let after_ok = if is_key {
                tail.starts_with(':')
            } else {
                tail.is_empty() || tail.starts_with([',', ']'])
            };
            if before_ok && after_ok {
                return Some((i, offset + after));
            }
            pos = after;
        }
    }
    None
}

/// A line without its `# comment` (a `#` at the start or after a space).
fn without_comment(line: &str) -> &str {
    if line.trim_start().starts_with('#') {
        return "";
    }
    match line.find(" #") {
        Some(i) => &line[..i],
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "\
# comment mentioning venues: and forum:
site:
  url: https://example.com   # the forum: link
out: public
default_venues:
  - blog
  - forum
venues:
  newsletter:
    excerpt_words: 80
  forum: {max_chars: 10000, wrap: 60}
utm: {utm_campaign: spring}
";

    #[test]
    fn finds_block_and_flow_keys() {
        assert_eq!(key_line(TEXT, &["out"]), 4);
        assert_eq!(key_line(TEXT, &["venues", "newsletter"]), 9);
        assert_eq!(
            key_line(TEXT, &["venues", "newsletter", "excerpt_words"]),
            10
        );
        assert_eq!(key_line(TEXT, &["venues", "forum", "wrap"]), 11);
        assert_eq!(key_line(TEXT, &["utm", "utm_campaign"]), 12);
    }

    #[test]
    fn finds_list_items() {
        assert_eq!(item_line(TEXT, "default_venues", "forum"), 7);
        assert_eq!(
            item_line("default_venues: [blog, forum]\n", "default_venues", "forum"),
            1
        );
    }

    #[test]
    fn falls_back_to_the_deepest_key_found() {
        assert_eq!(key_line(TEXT, &["venues", "nowhere"]), 8);
        assert_eq!(key_line(TEXT, &["missing"]), 1);
    }
}
