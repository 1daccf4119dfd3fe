//! The venue settings: one table of the keys a template's header sets and
//! `venues.<name>` in `repurpose.yaml` sets over it, read by one function.
//!
//! A venue's settings are merged once, in layers: the defaults in the table, then the
//! template's header, then the configuration's entry for the venue. Adding a setting is one
//! row in `settings!` below (its type, default, reader and meaning) plus the code that uses it.

use serde_yaml::{Mapping, Value};

use crate::error::Located;
use crate::media::MediaLinks;
use crate::media::image::Format as ImageFormat;
use crate::render::{FootnoteStyle, Format, LinkStyle, RawHtml};
use crate::yaml::{Reader, key_name};

/// Builds `Header` (a field and its default per row) and `SETTINGS` (a `Setting` per row,
/// in the rows' order) from the table below.
macro_rules! settings {
    ($(
        $(#[doc = $doc:literal])*
        $key:ident: $type:ty = $default:expr, $read:path, $place:expr;
    )*) => {
        /// A template's settings, merged: defaults, then its header, then `repurpose.yaml`.
        #[derive(Debug, Clone, PartialEq)]
        pub struct Header {
            $( $(#[doc = $doc])* pub $key: $type, )*
            /// The keys `repurpose.yaml` set for this venue (`venues.<name>`), over the
            /// header's: messages about a value say where it came from.
            pub configured: Vec<&'static str>,
        }

        impl Default for Header {
            fn default() -> Self {
                Header {
                    $( $key: $default, )*
                    configured: Vec::new(),
                }
            }
        }

        /// Every setting, in the order messages list them.
        pub const SETTINGS: [Setting; [$(stringify!($key)),*].len()] = [$(
            Setting {
                key: stringify!($key),
                place: $place,
                set: |header, value| $read(&mut header.$key, value),
            },
        )*];
    };
}

settings! {
    /// One line for `repurpose venues`.
    description: String = String::new(), read::text,
        Place::Template("it describes the template file, as `repurpose venues` lists it");
    /// The body format; `None` means "from the file extension".
    body: Option<Format> = None, read::body,
        Place::Template("the template is written for its body format (its markup and escaping depend on it)");
    /// Longest output, in characters, before `check` warns.
    max_chars: Option<usize> = None, read::count, Place::Anywhere;
    /// Longest output, in words, before `check` warns.
    max_words: Option<usize> = None, read::count, Place::Anywhere;
    /// Words in `post.excerpt`; set means "the venue shows the excerpt, not the body".
    excerpt_words: Option<usize> = None, read::count, Place::Anywhere;
    /// Added to every heading level in the body (whose top level is 2).
    heading_offset: i8 = 0, read::offset, Place::Anywhere;
    /// Text width for the text format and the `wrap` filter's default.
    wrap: usize = 72, read::wrap, Place::Anywhere;
    /// How the text format shows links.
    links: LinkStyle = LinkStyle::Numbered, read::links, Place::Anywhere;
    /// What HTML formats do with the writer's raw HTML (email never keeps it verbatim).
    raw_html: RawHtml = RawHtml::Keep, read::raw_html, Place::Anywhere;
    /// `utm_*` parameters for links to the writer's own site, in the order written;
    /// `{slug}` in a value is replaced by the post's slug.
    utm: Vec<(String, String)> = Vec::new(), read::utm, Place::Anywhere;
    /// How many characters each URL counts for in `thread` (`23` on X and Mastodon, which
    /// shorten links); `None` counts URLs whole, as Bluesky does.
    url_length: Option<usize> = None, read::url_length, Place::Anywhere;
    /// How the markdown format writes footnotes.
    footnotes: FootnoteStyle = FootnoteStyle::Native, read::footnotes, Place::Anywhere;
    /// How the post's own images are referred to: `absolute` (under `site.media_url`, else
    /// `site.url`), or `relative` to the output (`media/<file>`, for a page that sits beside
    /// its media: a blog page, a Hugo page bundle).
    media: MediaLinks = MediaLinks::Absolute, read::media, Place::Anywhere;
    /// Widest an image is shown, in CSS pixels: larger images get a copy scaled to twice
    /// this (for high-density screens) and `width`/`height` to show it at this width.
    image_width: Option<u32> = None, read::pixels, Place::Anywhere;
    /// The image formats the venue shows (`png`, `jpeg`, `gif`, `webp`, `svg`); an image in
    /// another gets a copy in one of these. Empty: all.
    image_formats: Vec<ImageFormat> = Vec::new(), read::image_formats, Place::Anywhere;
    /// Largest image file the venue should carry, in bytes, before `check` warns.
    image_max_bytes: Option<usize> = None, read::count, Place::Anywhere;
    /// Most pixels (width × height) an image the venue carries should have, before `check`
    /// warns.
    image_max_pixels: Option<usize> = None, read::count, Place::Anywhere;
    /// Take the closing question out of `body` / `post.outro` (the template places
    /// `post.question` itself).
    lift_question: bool = false, read::flag,
        Place::Template("only the template knows whether it places `post.question` itself");
}

impl Header {
    /// What the venue asks of the post's own images.
    pub fn image_needs(&self) -> crate::media::Needs {
        crate::media::Needs {
            links: self.media,
            image_width: self.image_width,
            image_formats: self.image_formats.clone(),
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    /// The key, as headers and `repurpose.yaml` write it.
    pub key: &'static str,
    /// Where it may be set.
    pub place: Place,
    /// Sets the value over the layer below: `Ok(false)` when `~` keeps that layer's.
    set: fn(&mut Header, &Value) -> Result<bool, Refused>,
}

/// Where a setting may be set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// The template's header and the configuration's `venues.<name>`.
    Anywhere,
    /// The template's header alone, for the reason given.
    Template(&'static str),
}

/// Whose settings a map holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A template's `{#--- … ---#}` header.
    Header,
    /// `venues.<name>` in `repurpose.yaml`.
    Config,
}

/// Every key, as a template header may write them.
pub const KEYS: [&str; SETTINGS.len()] = {
    let mut keys = [""; SETTINGS.len()];
    let mut i = 0;
    while i < SETTINGS.len() {
        keys[i] = SETTINGS[i].key;
        i += 1;
    }
    keys
};

/// How many settings `repurpose.yaml` may set.
const CONFIGURABLE_COUNT: usize = {
    let mut count = 0;
    let mut i = 0;
    while i < SETTINGS.len() {
        if matches!(SETTINGS[i].place, Place::Anywhere) {
            count += 1;
        }
        i += 1;
    }
    count
};

/// The keys `venues.<name>` in `repurpose.yaml` may set.
pub const CONFIGURABLE: [&str; CONFIGURABLE_COUNT] = {
    let mut keys = [""; CONFIGURABLE_COUNT];
    let (mut i, mut n) = (0, 0);
    while i < SETTINGS.len() {
        if matches!(SETTINGS[i].place, Place::Anywhere) {
            keys[n] = SETTINGS[i].key;
            n += 1;
        }
        i += 1;
    }
    keys
};

/// Sets every key of `map` over `header`, in the order written, and returns the keys set.
/// `path` is the map's place in the file `reader` reads (empty for a template header);
/// errors name the key by its path and give its line.
pub fn read(
    header: &mut Header,
    map: &Mapping,
    source: Source,
    reader: &Reader<'_>,
    path: &[&str],
) -> Result<Vec<&'static str>, Located> {
    let known: &[&str] = match source {
        Source::Header => &KEYS,
        Source::Config => &CONFIGURABLE,
    };
    let mut set = Vec::new();
    for (key, value) in map {
        let key = key_name(key);
        let mut at = path.to_vec();
        at.push(&key);
        let Some(setting) = SETTINGS.iter().find(|s| s.key == key) else {
            return Err(reader.unknown(&at, known));
        };
        if let (Source::Config, Place::Template(why)) = (source, setting.place) {
            return Err(reader.at(
                &at,
                format!(
                    "`{}` cannot be set here: {why}; change it in the template's header (`repurpose init` writes the built-in templates out to edit)",
                    at.join(".")
                ),
            ));
        }
        match (setting.set)(header, value) {
            Ok(true) => set.push(setting.key),
            Ok(false) => {}
            Err(refused) => return Err(refused.error(reader, &at, value)),
        }
    }
    Ok(set)
}

/// `utm_*` parameters as written, in order; `None` (`~`) removes the parameter.
pub type Utm = Vec<(String, Option<String>)>;

/// Reads a map of utm parameters: text values, or `~` to remove one.
pub fn utm_pairs(value: &Value) -> Result<Utm, Refused> {
    let Value::Mapping(map) = value else {
        return Err(Refused::new(
            "a map of parameters, like `utm_campaign: spring`",
        ));
    };
    map.iter()
        .map(|(key, value)| {
            let key = key_name(key);
            match value {
                Value::Null => Ok((key, None)),
                Value::String(text) => Ok((key, Some(text.clone()))),
                other => Err(Refused {
                    expected: "text (quote it: \"…\") or ~ to remove the parameter",
                    part: Some((key, other.clone())),
                }),
            }
        })
        .collect()
}

/// Sets `pairs` over `utm`: each replaces a parameter of the same name, adds a new one, or
/// removes it with `~`.
pub fn merge_utm(utm: &mut Vec<(String, String)>, pairs: &Utm) {
    for (key, value) in pairs {
        match value {
            None => utm.retain(|(k, _)| k != key),
            Some(value) => match utm.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1.clone_from(value),
                None => utm.push((key.clone(), value.clone())),
            },
        }
    }
}

/// A value a setting refused: what it must be, and the entry at fault when it is one entry
/// of a map.
#[derive(Debug, Clone, PartialEq)]
pub struct Refused {
    expected: &'static str,
    part: Option<(String, Value)>,
}

impl Refused {
    fn new(expected: &'static str) -> Self {
        Refused {
            expected,
            part: None,
        }
    }

    /// The error for `value` at `path`: "`path` must be …, found …".
    pub fn error(self, reader: &Reader<'_>, path: &[&str], value: &Value) -> Located {
        match &self.part {
            None => reader.wrong(path, self.expected, value),
            Some((key, found)) => {
                let mut at = path.to_vec();
                at.push(key);
                reader.wrong(&at, self.expected, found)
            }
        }
    }
}

/// The readers the table names: each sets its value over the layer below, `Ok(false)` for a
/// `~` that keeps the layer below's.
mod read {
    use super::{Refused, Utm, merge_utm, utm_pairs};
    use crate::media::MediaLinks;
    use crate::media::image::Format as ImageFormat;
    use crate::render::{FootnoteStyle, Format, LinkStyle, RawHtml};
    use serde_yaml::Value;

    /// `value` read by `read` into `slot`; `~` keeps what `slot` holds.
    fn set<T>(
        slot: &mut T,
        value: &Value,
        expected: &'static str,
        read: impl FnOnce(&Value) -> Option<T>,
    ) -> Result<bool, Refused> {
        if value.is_null() {
            return Ok(false);
        }
        *slot = read(value).ok_or(Refused::new(expected))?;
        Ok(true)
    }

    fn whole(value: &Value) -> Option<usize> {
        value.as_u64().and_then(|n| usize::try_from(n).ok())
    }

    pub(super) fn text(slot: &mut String, value: &Value) -> Result<bool, Refused> {
        // Any scalar, as written: `description: 2024` is the text `2024`.
        set(slot, value, "text", |v| {
            Some(crate::yaml::scalar_text(v)?.trim().to_string())
        })
    }

    pub(super) fn flag(slot: &mut bool, value: &Value) -> Result<bool, Refused> {
        set(slot, value, "`true` or `false`", Value::as_bool)
    }

    pub(super) fn count(slot: &mut Option<usize>, value: &Value) -> Result<bool, Refused> {
        set(slot, value, "a whole number", |v| whole(v).map(Some))
    }

    pub(super) fn wrap(slot: &mut usize, value: &Value) -> Result<bool, Refused> {
        // Narrower text is unreadable; the floor holds whichever layer sets it.
        set(slot, value, "a whole number", |v| {
            whole(v).map(|w| w.max(20))
        })
    }

    pub(super) fn offset(slot: &mut i8, value: &Value) -> Result<bool, Refused> {
        set(slot, value, "a whole number like 1 or -1", |v| {
            v.as_i64().and_then(|n| i8::try_from(n).ok())
        })
    }

    pub(super) fn body(slot: &mut Option<Format>, value: &Value) -> Result<bool, Refused> {
        set(
            slot,
            value,
            "`html`, `email`, `text`, `bbcode` or `markdown`",
            |v| Format::from_name(v.as_str()?).map(Some),
        )
    }

    pub(super) fn links(slot: &mut LinkStyle, value: &Value) -> Result<bool, Refused> {
        set(slot, value, "`numbered` or `inline`", |v| {
            match v.as_str() {
                Some("numbered") => Some(LinkStyle::Numbered),
                Some("inline") => Some(LinkStyle::Inline),
                _ => None,
            }
        })
    }

    pub(super) fn raw_html(slot: &mut RawHtml, value: &Value) -> Result<bool, Refused> {
        set(slot, value, "`keep`, `sanitize` or `text`", |v| {
            RawHtml::from_name(v.as_str()?)
        })
    }

    pub(super) fn footnotes(slot: &mut FootnoteStyle, value: &Value) -> Result<bool, Refused> {
        set(slot, value, "`native` or `list`", |v| {
            FootnoteStyle::from_name(v.as_str()?)
        })
    }

    pub(super) fn media(slot: &mut MediaLinks, value: &Value) -> Result<bool, Refused> {
        set(slot, value, "`absolute` or `relative`", |v| {
            match v.as_str() {
                Some("absolute") => Some(MediaLinks::Absolute),
                Some("relative") => Some(MediaLinks::Relative),
                _ => None,
            }
        })
    }

    pub(super) fn pixels(slot: &mut Option<u32>, value: &Value) -> Result<bool, Refused> {
        set(slot, value, "a width in pixels, like 560", |v| {
            whole(v)
                .and_then(|n| u32::try_from(n).ok())
                .filter(|&n| (16..=10_000).contains(&n))
                .map(Some)
        })
    }

    pub(super) fn image_formats(
        slot: &mut Vec<ImageFormat>,
        value: &Value,
    ) -> Result<bool, Refused> {
        let expected = "a list of image formats among `png`, `jpeg`, `gif`, `webp` and `svg`, like `[png, jpeg]`";
        set(slot, value, expected, |v| {
            let names: Vec<&str> = match v {
                Value::String(s) => s.split([',', ' ']).filter(|n| !n.is_empty()).collect(),
                Value::Sequence(items) => items.iter().map(Value::as_str).collect::<Option<_>>()?,
                _ => return None,
            };
            names.into_iter().map(ImageFormat::from_name).collect()
        })
    }

    /// `~` counts links whole, as Bluesky does.
    pub(super) fn url_length(slot: &mut Option<usize>, value: &Value) -> Result<bool, Refused> {
        if value.is_null() {
            *slot = None;
            return Ok(true);
        }
        let expected =
            "a whole number of at least 1 (23 on X and Mastodon), or ~ to count links whole";
        set(slot, value, expected, |v| {
            whole(v).filter(|&n| n > 0).map(Some)
        })
    }

    /// Merged over the layer below by parameter name; `~` turns them all off.
    pub(super) fn utm(slot: &mut Vec<(String, String)>, value: &Value) -> Result<bool, Refused> {
        if value.is_null() {
            slot.clear();
            return Ok(true);
        }
        let pairs: Utm = utm_pairs(value)?;
        merge_utm(slot, &pairs);
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(yaml: &str, source: Source) -> Result<(Header, Vec<&'static str>), Located> {
        let map: Mapping = serde_yaml::from_str(yaml).unwrap();
        let mut header = Header::default();
        let set = read(&mut header, &map, source, &Reader::new(yaml, 1), &[])?;
        Ok((header, set))
    }

    #[test]
    fn the_configuration_may_set_all_but_the_template_only_keys_in_table_order() {
        let template_only: Vec<&str> = SETTINGS
            .iter()
            .filter(|s| matches!(s.place, Place::Template(_)))
            .map(|s| s.key)
            .collect();
        assert_eq!(template_only, ["description", "body", "lift_question"]);
        let rest: Vec<&str> = KEYS
            .into_iter()
            .filter(|k| !template_only.contains(k))
            .collect();
        assert_eq!(CONFIGURABLE.to_vec(), rest);
        assert_eq!(CONFIGURABLE[..2], ["max_chars", "max_words"]);
    }

    #[test]
    fn template_only_keys_are_refused_from_the_configuration_alone() {
        assert!(header("lift_question: true\n", Source::Header).is_ok());
        let err = header("lift_question: true\n", Source::Config).unwrap_err();
        assert!(
            err.message
                .starts_with("`lift_question` cannot be set here: only the template knows"),
            "{}",
            err.message
        );
        let err = header("width: 1\n", Source::Config).unwrap_err();
        assert!(
            err.message
                .starts_with("unknown key `width` (known: max_chars, "),
            "{}",
            err.message
        );
    }

    #[test]
    fn the_body_formats_named_are_every_format() {
        let err = header("body: rtf\n", Source::Header).unwrap_err();
        for format in Format::ALL {
            assert!(
                err.message.contains(&format!("`{}`", format.name())),
                "{}",
                err.message
            );
        }
    }

    #[test]
    fn a_tilde_keeps_the_layer_below_except_where_it_means_none() {
        let (h, set) = header("max_chars: ~\nwrap: ~\nurl_length: ~\n", Source::Config).unwrap();
        assert_eq!((h.max_chars, h.wrap, h.url_length), (None, 72, None));
        assert_eq!(set, ["url_length"], "`url_length: ~` is a value");
    }

    #[test]
    fn wrap_has_a_floor_and_keys_set_are_listed_in_the_order_written() {
        let (h, set) = header("wrap: 5\nlinks: inline\n", Source::Config).unwrap();
        assert_eq!((h.wrap, h.links), (20, LinkStyle::Inline));
        assert_eq!(set, ["wrap", "links"]);
    }

    #[test]
    fn utm_entries_merge_by_name_and_tilde_removes() {
        let mut utm = vec![("utm_source".to_string(), "a".to_string())];
        merge_utm(
            &mut utm,
            &vec![
                ("utm_medium".into(), Some("m".into())),
                ("utm_source".into(), None),
            ],
        );
        assert_eq!(utm, [("utm_medium".to_string(), "m".to_string())]);
    }
}
