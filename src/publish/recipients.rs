//! A newsletter's subscribers: a CSV file with a header line naming an `email` column and,
//! optionally, a `name` column (RFC 4180: commas, double-quoted fields, `""` for a quote).

use std::path::Path;

use anyhow::Result;

/// One subscriber.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscriber {
    /// The address, as written (trimmed).
    pub email: String,
    /// The name, when the file has one for them.
    pub name: Option<String>,
    /// The line of the file.
    pub line: usize,
}

/// Reads the subscribers in `path`: errors name the file and line. An address listed twice
/// (case aside) is kept once, at its first line.
pub fn read(path: &Path) -> Result<Vec<Subscriber>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        anyhow::anyhow!("cannot read the subscribers list `{}`: {e}", path.display())
    })?;
    parse(&text).map_err(|(line, message)| anyhow::anyhow!("{}:{line}: {message}", path.display()))
}

fn parse(text: &str) -> Result<Vec<Subscriber>, (usize, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rows = rows(text)?;
    let Some((_, header)) = rows.first() else {
        return Err((
            1,
            "the subscribers list is empty: it needs a header line with an `email` column".into(),
        ));
    };
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let Some(email) = column("email") else {
        return Err((
            1,
            format!(
                "the header line has no `email` column (found: {})",
                header.join(", ")
            ),
        ));
    };
    let name = column("name");
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (line, row) in &rows[1..] {
        if row.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let address = row.get(email).map_or("", |s| s.trim());
        if address.parse::<lettre::Address>().is_err() {
            return Err((*line, format!("`{address}` is not an email address")));
        }
        if !seen.insert(address.to_lowercase()) {
            continue;
        }
        out.push(Subscriber {
            email: address.to_string(),
            name: name
                .and_then(|i| row.get(i))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
            line: *line,
        });
    }
    Ok(out)
}

/// A record of the file: the line it starts on, and its fields.
type Row = (usize, Vec<String>);

/// The file's records.
fn rows(text: &str) -> Result<Vec<Row>, (usize, String)> {
    let mut rows = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while chars.peek().is_some() {
        let start = line;
        let mut row = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        loop {
            match chars.next() {
                None => {
                    if quoted {
                        return Err((start, "a quoted field is not closed".into()));
                    }
                    row.push(std::mem::take(&mut field));
                    break;
                }
                Some('"') if quoted => {
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        field.push('"');
                    } else {
                        quoted = false;
                    }
                }
                Some('"') if field.trim().is_empty() => {
                    field.clear();
                    quoted = true;
                }
                Some('\n') if !quoted => {
                    line += 1;
                    row.push(std::mem::take(&mut field));
                    break;
                }
                Some('\r') if !quoted && chars.peek() == Some(&'\n') => {}
                Some(',') if !quoted => row.push(std::mem::take(&mut field)),
                Some(c) => {
                    if c == '\n' {
                        line += 1;
                    }
                    field.push(c);
                }
            }
        }
        rows.push((start, row));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_email_and_name_columns_in_any_order_with_quotes() {
        let list = parse(
            "name,email\n\"Lee, Ana\",ana@example.org\r\n,bo@example.org\n\nBO,BO@example.org\n",
        )
        .unwrap();
        assert_eq!(list.len(), 2, "{list:?}");
        assert_eq!(list[0].name.as_deref(), Some("Lee, Ana"));
        assert_eq!(
            list[1],
            Subscriber {
                email: "bo@example.org".into(),
                name: None,
                line: 3
            }
        );
    }

    #[test]
    fn mistakes_name_their_line() {
        assert_eq!(parse("mail\nx@y.org\n").unwrap_err().0, 1);
        let (line, message) = parse("email\na@b.org\nnot an address\n").unwrap_err();
        assert_eq!(
            (line, message.as_str()),
            (3, "`not an address` is not an email address")
        );
        assert_eq!(parse("email\n\"a@b.org\n").unwrap_err().0, 2);
    }
}
