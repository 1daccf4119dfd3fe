//! `venues:` and `utm:` in `repurpose.yaml`: venue settings the writer sets per venue, over
//! what the template's header says. The keys and their values are `venue::settings`'s.

use std::collections::BTreeMap;

use serde_yaml::{Mapping, Value};

use crate::error::Located;
use crate::venue::Header;
use crate::venue::settings::{self, Source, Utm};
use crate::yaml::{Reader, key_name};

/// A venue's entry under `venues:`, its keys and values checked when the file is read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VenueSettings {
    map: Mapping,
}

/// Reads the `venues:` map.
pub(super) fn venues(
    reader: &Reader<'_>,
    value: &Value,
) -> Result<BTreeMap<String, VenueSettings>, Located> {
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
        let entry = venue(reader, &name, settings)?;
        out.insert(name, entry);
    }
    Ok(out)
}

fn venue(reader: &Reader<'_>, name: &str, value: &Value) -> Result<VenueSettings, Located> {
    let map = match value {
        Value::Null => Mapping::new(),
        Value::Mapping(map) => map.clone(),
        other => {
            return Err(reader.wrong(
                &["venues", name],
                "a map of template header settings, like `{max_chars: 10000}`",
                other,
            ));
        }
    };
    // Read once over the defaults now, so a mistake is reported before any template loads.
    settings::read(
        &mut Header::default(),
        &map,
        Source::Config,
        reader,
        &["venues", name],
    )?;
    Ok(VenueSettings { map })
}

/// Reads the top-level `utm:` map: text values, or `~` to remove a parameter.
pub(super) fn utm(reader: &Reader<'_>, value: &Value) -> Result<Utm, Located> {
    settings::utm_pairs(value).map_err(|refused| refused.error(reader, &["utm"], value))
}

/// Sets the file's settings over a template's header (the venue called `name`). Only a
/// venue that adds utm parameters (its header has `utm`, or its entry sets `utm`) gets any:
/// the header's, then the file's top-level `utm`, then the entry's own, each replacing a
/// parameter of the same name, adding one, or removing it with `~`; the entry's `utm: ~`
/// turns them off. Every other key the entry sets replaces the header's.
pub(super) fn apply(
    header: &mut Header,
    reader: &Reader<'_>,
    top_utm: &Utm,
    name: &str,
    own: Option<&VenueSettings>,
) -> Result<(), Located> {
    if !header.utm.is_empty() || own.is_some_and(|o| o.map.contains_key("utm")) {
        settings::merge_utm(&mut header.utm, top_utm);
    }
    if let Some(own) = own {
        header.configured =
            settings::read(header, &own.map, Source::Config, reader, &["venues", name])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::Config;
    use crate::render::{LinkStyle, RawHtml};

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

    /// `header` with the configuration `text` applied, as the venue `forum`.
    fn applied(text: &str, header: Header) -> Header {
        let config = Config::parse(Path::new("r.yaml"), text).unwrap();
        let mut header = header;
        apply(
            &mut header,
            &Reader::new(text, 1),
            &config.utm,
            "forum",
            config.venues.get("forum"),
        )
        .unwrap();
        header
    }

    fn with_utm(list: &[(&str, &str)]) -> Header {
        Header {
            utm: pairs(list),
            ..Header::default()
        }
    }

    #[test]
    fn file_utm_merges_over_the_header_by_name() {
        let header = with_utm(&[("utm_source", "newsletter"), ("utm_medium", "email")]);
        let top = "utm: {utm_medium: mail, utm_campaign: spring}\n";
        assert_eq!(
            applied(top, header.clone()).utm,
            pairs(&[
                ("utm_source", "newsletter"),
                ("utm_medium", "mail"),
                ("utm_campaign", "spring")
            ])
        );
        let own = format!(
            "{top}venues:\n  forum:\n    utm: {{utm_campaign: '{{slug}}', utm_source: ~}}\n"
        );
        assert_eq!(
            applied(&own, header).utm,
            pairs(&[("utm_medium", "mail"), ("utm_campaign", "{slug}")])
        );
    }

    #[test]
    fn venues_without_utm_get_none_unless_their_entry_asks() {
        let top = "utm: {utm_campaign: spring}\n";
        assert!(applied(top, Header::default()).utm.is_empty());
        assert_eq!(
            applied(
                &format!("{top}venues: {{forum: {{utm: {{}}}}}}\n"),
                Header::default()
            )
            .utm,
            pairs(&[("utm_campaign", "spring")])
        );
        let header = with_utm(&[("utm_source", "newsletter")]);
        assert!(
            applied(&format!("{top}venues: {{forum: {{utm: ~}}}}\n"), header)
                .utm
                .is_empty()
        );
    }

    #[test]
    fn entries_replace_header_values() {
        let header = Header {
            max_chars: Some(20000),
            excerpt_words: Some(30),
            ..Header::default()
        };
        let header = applied(
            "venues:\n  forum:\n    max_chars: 10000\n    wrap: 5\n    links: inline\n    heading_offset: -1\n    raw_html: text\n",
            header,
        );
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
        assert_eq!(
            header.configured,
            ["max_chars", "wrap", "links", "heading_offset", "raw_html"]
        );
    }

    #[test]
    fn template_only_and_unknown_keys_are_errors() {
        assert_eq!(
            error("venues:\n  forum:\n    body: html\n"),
            "r.yaml:3:1: `venues.forum.body` cannot be set here: the template is written for its body format (its markup and escaping depend on it); change it in the template's header (`repurpose init` writes the built-in templates out to edit)"
        );
        assert_eq!(
            error("venues: {forum: {max_char: 5}}\n"),
            "r.yaml:1:1: unknown key `venues.forum.max_char` (known: max_chars, max_words, excerpt_words, heading_offset, wrap, links, raw_html, utm, url_length, footnotes, media, image_width, image_formats, image_max_bytes, image_max_pixels)"
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
