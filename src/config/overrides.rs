//! `venues:` and `utm:` in `repurpose.yaml`: template header settings the writer sets per
//! venue, over what the template's header says.

use std::collections::BTreeMap;

use serde_yaml::Value;

use crate::error::Located;
use crate::render::{FootnoteStyle, LinkStyle, RawHtml};
use crate::venue::Header;
use crate::yaml::{Reader, key_name, kind};

/// `utm_*` parameters as written, in order; `None` (`~`) removes the parameter.
pub type Utm = Vec<(String, Option<String>)>;

/// A venue's own `utm:` setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UtmSetting {
    /// `utm: ~`: no utm parameters at all for this venue.
    Off,
    /// `utm: {…}`: merged over the header's and the file's top-level `utm`.
    Set(Utm),
}

/// `venues.<name>:`: template header keys the file sets for one venue; `None` keeps the
/// header's value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Override {
    /// `max_chars`
    pub max_chars: Option<usize>,
    /// `max_words`
    pub max_words: Option<usize>,
    /// `excerpt_words`
    pub excerpt_words: Option<usize>,
    /// `heading_offset`
    pub heading_offset: Option<i8>,
    /// `wrap`
    pub wrap: Option<usize>,
    /// `links`
    pub links: Option<LinkStyle>,
    /// `raw_html`
    pub raw_html: Option<RawHtml>,
    /// `utm`
    pub utm: Option<UtmSetting>,
    /// `url_length`: `Some(None)` (`~`) counts links whole, as Bluesky does.
    pub url_length: Option<Option<usize>>,
    /// `footnotes`
    pub footnotes: Option<FootnoteStyle>,
}

/// The header keys a venue entry may set.
pub const KEYS: [&str; 10] = [
    "max_chars",
    "max_words",
    "excerpt_words",
    "heading_offset",
    "wrap",
    "links",
    "raw_html",
    "utm",
    "url_length",
    "footnotes",
];

/// Header keys that belong to the template alone, and why.
const TEMPLATE_ONLY: [(&str, &str); 3] = [
    (
        "body",
        "the template is written for its body format (its markup and escaping depend on it)",
    ),
    (
        "lift_question",
        "only the template knows whether it places `post.question` itself",
    ),
    (
        "description",
        "it describes the template file, as `repurpose venues` lists it",
    ),
];

/// Reads the `venues:` map.
pub(super) fn venues(
    reader: &Reader<'_>,
    value: &Value,
) -> Result<BTreeMap<String, Override>, Located> {
    let Value::Mapping(map) = value else {
        return Err(reader.wrong(
            &["venues"],
            "a map of venue names to settings, like `forum: {max_chars: 10000}`",
            value,
        ));
    };
    let mut out = BTreeMap::new();
    for (name, settings) in map {
        let name = key_name(name);
        let over = venue(reader, &name, settings)?;
        out.insert(name, over);
    }
    Ok(out)
}

fn venue(reader: &Reader<'_>, name: &str, value: &Value) -> Result<Override, Located> {
    let mut over = Override::default();
    let map = match value {
        Value::Null => return Ok(over),
        Value::Mapping(map) => map,
        other => {
            return Err(reader.wrong(
                &["venues", name],
                "a map of template header settings, like `{max_chars: 10000}`",
                other,
            ));
        }
    };
    for (key, value) in map {
        let key = key_name(key);
        let path = ["venues", name, key.as_str()];
        if let Some((_, why)) = TEMPLATE_ONLY.iter().find(|(k, _)| *k == key) {
            return Err(reader.at(
                &path,
                format!(
                    "`{}` cannot be set here: {why}; change it in the template's header (`repurpose init` writes the built-in templates out to edit)",
                    path.join(".")
                ),
            ));
        }
        if !KEYS.contains(&key.as_str()) {
            return Err(reader.unknown(&path, &KEYS));
        }
        if key == "utm" {
            over.utm = Some(match value {
                Value::Null => UtmSetting::Off,
                value => UtmSetting::Set(utm(reader, &path, value)?),
            });
            continue;
        }
        if key == "url_length" {
            over.url_length = Some(match value {
                Value::Null => None,
                value => Some(
                    value
                        .as_u64()
                        .and_then(|n| usize::try_from(n).ok())
                        .filter(|&n| n > 0)
                        .ok_or_else(|| {
                            reader.wrong(
                                &path,
                                "a whole number of at least 1 (23 on X and Mastodon), or ~ to count links whole",
                                value,
                            )
                        })?,
                ),
            });
            continue;
        }
        if value.is_null() {
            continue;
        }
        let count = || {
            value
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| reader.wrong(&path, "a whole number", value))
        };
        match key.as_str() {
            "max_chars" => over.max_chars = Some(count()?),
            "max_words" => over.max_words = Some(count()?),
            "excerpt_words" => over.excerpt_words = Some(count()?),
            "wrap" => over.wrap = Some(count()?),
            "heading_offset" => {
                over.heading_offset = Some(
                    value
                        .as_i64()
                        .and_then(|n| i8::try_from(n).ok())
                        .ok_or_else(|| reader.wrong(&path, "a whole number like 1 or -1", value))?,
                );
            }
            "links" => {
                over.links = Some(match value.as_str() {
                    Some("numbered") => LinkStyle::Numbered,
                    Some("inline") => LinkStyle::Inline,
                    _ => return Err(reader.wrong(&path, "`numbered` or `inline`", value)),
                });
            }
            "raw_html" => {
                over.raw_html =
                    Some(value.as_str().and_then(RawHtml::from_name).ok_or_else(|| {
                        reader.wrong(&path, "`keep`, `sanitize` or `text`", value)
                    })?);
            }
            "footnotes" => {
                over.footnotes = Some(
                    value
                        .as_str()
                        .and_then(FootnoteStyle::from_name)
                        .ok_or_else(|| reader.wrong(&path, "`native` or `list`", value))?,
                );
            }
            // Every key in `KEYS` is handled above or here.
            _ => return Err(reader.unknown(&path, &KEYS)),
        }
    }
    Ok(over)
}

/// Reads a map of utm parameters: text values, or `~` to remove one.
pub(super) fn utm(reader: &Reader<'_>, path: &[&str], value: &Value) -> Result<Utm, Located> {
    let Value::Mapping(map) = value else {
        return Err(reader.wrong(
            path,
            "a map of parameters, like `utm_campaign: spring`",
            value,
        ));
    };
    map.iter()
        .map(|(key, value)| {
            let key = key_name(key);
            match value {
                Value::Null => Ok((key, None)),
                Value::String(text) => Ok((key, Some(text.clone()))),
                other => {
                    let mut at: Vec<&str> = path.to_vec();
                    at.push(&key);
                    Err(reader.at(
                        &at,
                        format!(
                            "`{}` must be text (quote it: \"…\") or ~ to remove the parameter, found {}",
                            at.join("."),
                            kind(other)
                        ),
                    ))
                }
            }
        })
        .collect()
}

/// Sets a template's header from the file: the venue's own settings replace the header's;
/// utm parameters are merged (see `merged_utm`).
pub(super) fn apply(header: &mut Header, defaults: &Utm, own: Option<&Override>) {
    let own_utm = own.and_then(|o| o.utm.as_ref());
    header.utm = merged_utm(&header.utm, defaults, own_utm);
    let Some(own) = own else {
        return;
    };
    header.max_chars = own.max_chars.or(header.max_chars);
    header.max_words = own.max_words.or(header.max_words);
    header.excerpt_words = own.excerpt_words.or(header.excerpt_words);
    header.heading_offset = own.heading_offset.unwrap_or(header.heading_offset);
    // The header applies the same floor.
    header.wrap = own.wrap.map_or(header.wrap, |w| w.max(20));
    header.links = own.links.unwrap_or(header.links);
    header.raw_html = own.raw_html.unwrap_or(header.raw_html);
    header.url_length = own.url_length.unwrap_or(header.url_length);
    header.footnotes = own.footnotes.unwrap_or(header.footnotes);
    let set = [
        ("max_chars", own.max_chars.is_some()),
        ("max_words", own.max_words.is_some()),
        ("excerpt_words", own.excerpt_words.is_some()),
        ("heading_offset", own.heading_offset.is_some()),
        ("wrap", own.wrap.is_some()),
        ("links", own.links.is_some()),
        ("raw_html", own.raw_html.is_some()),
        ("utm", own.utm.is_some()),
        ("url_length", own.url_length.is_some()),
        ("footnotes", own.footnotes.is_some()),
    ];
    header.configured = set.iter().filter(|(_, s)| *s).map(|(k, _)| *k).collect();
}

/// A venue's utm parameters. Only a venue that adds them (its header has `utm`, or the
/// file sets `venues.<name>.utm`) gets any: the header's, then the file's top-level `utm`,
/// then the venue's own, each replacing a parameter of the same name, adding a new one, or
/// removing it with `~`. `venues.<name>.utm: ~` turns them off.
fn merged_utm(
    header: &[(String, String)],
    defaults: &Utm,
    own: Option<&UtmSetting>,
) -> Vec<(String, String)> {
    let own = match own {
        Some(UtmSetting::Off) => return Vec::new(),
        Some(UtmSetting::Set(pairs)) => Some(pairs),
        None if header.is_empty() => return Vec::new(),
        None => None,
    };
    let mut out = header.to_vec();
    for (key, value) in defaults.iter().chain(own.into_iter().flatten()) {
        match value {
            None => out.retain(|(k, _)| k != key),
            Some(value) => match out.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1.clone_from(value),
                None => out.push((key.clone(), value.clone())),
            },
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::Config;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn error(text: &str) -> String {
        format!(
            "{:#}",
            Config::parse(Path::new("r.yaml"), text).unwrap_err()
        )
    }

    #[test]
    fn file_utm_merges_over_the_header_by_name() {
        let header = pairs(&[("utm_source", "newsletter"), ("utm_medium", "email")]);
        let defaults: Utm = vec![
            ("utm_medium".into(), Some("mail".into())),
            ("utm_campaign".into(), Some("spring".into())),
        ];
        assert_eq!(
            merged_utm(&header, &defaults, None),
            pairs(&[
                ("utm_source", "newsletter"),
                ("utm_medium", "mail"),
                ("utm_campaign", "spring")
            ])
        );
        let own = UtmSetting::Set(vec![
            ("utm_campaign".into(), Some("{slug}".into())),
            ("utm_source".into(), None),
        ]);
        assert_eq!(
            merged_utm(&header, &defaults, Some(&own)),
            pairs(&[("utm_medium", "mail"), ("utm_campaign", "{slug}")])
        );
    }

    #[test]
    fn venues_without_utm_get_none_unless_their_entry_asks() {
        let defaults: Utm = vec![("utm_campaign".into(), Some("spring".into()))];
        assert!(merged_utm(&[], &defaults, None).is_empty());
        assert_eq!(
            merged_utm(&[], &defaults, Some(&UtmSetting::Set(Vec::new()))),
            pairs(&[("utm_campaign", "spring")])
        );
        let header = pairs(&[("utm_source", "newsletter")]);
        assert!(merged_utm(&header, &defaults, Some(&UtmSetting::Off)).is_empty());
    }

    #[test]
    fn entries_replace_header_values() {
        let config = Config::parse(
            Path::new("r.yaml"),
            "venues:\n  forum:\n    max_chars: 10000\n    wrap: 5\n    links: inline\n    heading_offset: -1\n    raw_html: text\n",
        )
        .unwrap();
        let mut header = Header {
            max_chars: Some(20000),
            excerpt_words: Some(30),
            ..Header::default()
        };
        apply(&mut header, &config.utm, config.venues.get("forum"));
        assert_eq!(header.max_chars, Some(10000));
        assert_eq!(
            header.excerpt_words,
            Some(30),
            "unset keys keep the header's"
        );
        assert_eq!(header.wrap, 20, "the header's floor");
        assert_eq!(header.links, LinkStyle::Inline);
        assert_eq!(header.heading_offset, -1);
        assert_eq!(header.raw_html, RawHtml::Text);
    }

    #[test]
    fn template_only_and_unknown_keys_are_errors() {
        assert_eq!(
            error("venues:\n  forum:\n    body: html\n"),
            "r.yaml:3:1: `venues.forum.body` cannot be set here: the template is written for its body format (its markup and escaping depend on it); change it in the template's header (`repurpose init` writes the built-in templates out to edit)"
        );
        assert_eq!(
            error("venues: {forum: {max_char: 5}}\n"),
            "r.yaml:1:1: unknown key `venues.forum.max_char` (known: max_chars, max_words, excerpt_words, heading_offset, wrap, links, raw_html, utm, url_length, footnotes)"
        );
        assert!(
            error("venues:\n  forum:\n    max_char:\n").starts_with("r.yaml:3:1: unknown key"),
            "an unknown key without a value is still unknown"
        );
    }

    #[test]
    fn wrong_types_name_the_key() {
        assert_eq!(
            error("site: {}\nvenues:\n  newsletter:\n    excerpt_words: lots\n"),
            "r.yaml:4:1: `venues.newsletter.excerpt_words` must be a whole number, found the text `lots`"
        );
        assert_eq!(
            error("venues:\n  forum:\n    links: footnotes\n"),
            "r.yaml:3:1: `venues.forum.links` must be `numbered` or `inline`, found the text `footnotes`"
        );
        assert_eq!(
            error("utm:\n  utm_campaign: 2024\n"),
            "r.yaml:2:1: `utm.utm_campaign` must be text (quote it: \"…\") or ~ to remove the parameter, found the number `2024`"
        );
        assert_eq!(
            error("venues: [forum]\n"),
            "r.yaml:1:1: `venues` must be a map of venue names to settings, like `forum: {max_chars: 10000}`, found a list"
        );
    }
}
