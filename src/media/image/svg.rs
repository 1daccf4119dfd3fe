//! SVG: told from other XML by its root element, sized and checked by usvg, and drawn to
//! pixels by resvg for the venues and services that cannot show it.

use std::sync::{Arc, OnceLock};

use image::{DynamicImage, RgbaImage};
use resvg::tiny_skia::{Pixmap, Transform};
use resvg::usvg::{self, ImageHrefResolver, Options, Tree, fontdb};

use super::{Format, MAX_PIXELS, Probed, Unreadable};

/// Whether the bytes are XML whose root element is `svg` (any namespace prefix).
pub(super) fn is_svg(bytes: &[u8]) -> bool {
    let mut rest = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    loop {
        rest = rest.trim_ascii_start();
        let after = if let Some(after) = rest.strip_prefix(b"<?") {
            past(after, b"?>")
        } else if let Some(after) = rest.strip_prefix(b"<!--") {
            past(after, b"-->")
        } else if let Some(after) = rest.strip_prefix(b"<!") {
            past_doctype(after)
        } else if let Some(after) = rest.strip_prefix(b"<") {
            let end = after
                .iter()
                .position(|&b| b.is_ascii_whitespace() || b == b'>' || b == b'/')
                .unwrap_or(after.len());
            let name = &after[..end];
            let local = name.rsplit(|&b| b == b':').next().unwrap_or(name);
            return local == b"svg" && end < after.len();
        } else {
            return false;
        };
        match after {
            Some(after) => rest = after,
            None => return false,
        }
    }
}

/// The bytes after the first `end`.
fn past<'a>(bytes: &'a [u8], end: &[u8]) -> Option<&'a [u8]> {
    let at = bytes.windows(end.len()).position(|window| window == end)?;
    Some(&bytes[at + end.len()..])
}

/// The bytes after a `<!DOCTYPE …>`, which may hold an internal subset in `[…]`.
fn past_doctype(bytes: &[u8]) -> Option<&[u8]> {
    let close = bytes.iter().position(|&b| b == b'>')?;
    match bytes[..close].iter().position(|&b| b == b'[') {
        Some(open) => past(past(&bytes[open..], b"]")?, b">"),
        None => Some(&bytes[close + 1..]),
    }
}

/// Parses an SVG and gives its intrinsic size: its width and height, else its viewBox,
/// rounded, at least 1.
pub(super) fn probe(bytes: &[u8]) -> Result<Probed, Unreadable> {
    // Text needs no fonts to be sized: leave loading them to the first drawing.
    let tree = parse(bytes, Arc::new(fontdb::Database::new()))?;
    let size = tree.size();
    Ok(Probed {
        format: Format::Svg,
        width: side(size.width()),
        height: side(size.height()),
    })
}

/// The SVG drawn `width` pixels wide (fewer if that would go over `MAX_PIXELS`), its height
/// in proportion, with the transparency it has.
pub(super) fn rasterise(bytes: &[u8], width: u32) -> Result<DynamicImage, Unreadable> {
    let tree = parse(bytes, system_fonts())?;
    let size = tree.size();
    let mut scale = f64::from(width.max(1)) / f64::from(size.width());
    let pixels = f64::from(size.width()) * f64::from(size.height()) * scale * scale;
    if pixels > MAX_PIXELS as f64 {
        scale *= (MAX_PIXELS as f64 / pixels).sqrt();
    }
    let (width, height) = (
        side((f64::from(size.width()) * scale) as f32),
        side((f64::from(size.height()) * scale) as f32),
    );
    let mut pixmap = Pixmap::new(width, height).ok_or_else(|| Unreadable::Corrupt {
        format: Format::Svg,
        reason: format!("it cannot be drawn at {width} × {height} pixels"),
    })?;
    let transform =
        Transform::from_scale(width as f32 / size.width(), height as f32 / size.height());
    resvg::render(&tree, transform, &mut pixmap.as_mut());
    let rgba = pixmap
        .pixels()
        .iter()
        .flat_map(|pixel| {
            let color = pixel.demultiply();
            [color.red(), color.green(), color.blue(), color.alpha()]
        })
        .collect();
    RgbaImage::from_raw(width, height, rgba)
        .map(DynamicImage::ImageRgba8)
        .ok_or_else(|| Unreadable::Corrupt {
            format: Format::Svg,
            reason: "resvg drew fewer pixels than asked".to_owned(),
        })
}

fn parse(bytes: &[u8], fonts: Arc<fontdb::Database>) -> Result<Tree, Unreadable> {
    let options = Options {
        // Pictures inside the file (data: URLs) only: never a file elsewhere on disk.
        image_href_resolver: ImageHrefResolver {
            resolve_data: ImageHrefResolver::default_data_resolver(),
            resolve_string: Box::new(|_, _| None),
        },
        fontdb: fonts,
        ..Options::default()
    };
    Tree::from_data(bytes, &options).map_err(|err| Unreadable::Corrupt {
        format: Format::Svg,
        reason: match err {
            usvg::Error::ParsingFailed(xml) => xml.to_string(),
            other => other.to_string(),
        },
    })
}

/// The machine's fonts, for text in SVGs: loaded once, and only when an SVG is drawn.
fn system_fonts() -> Arc<fontdb::Database> {
    static FONTS: OnceLock<Arc<fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut fonts = fontdb::Database::new();
            fonts.load_system_fonts();
            Arc::new(fonts)
        })
        .clone()
}

/// A length in CSS pixels as whole pixels, at least 1.
fn side(length: f32) -> u32 {
    (length.round() as u32).max(1)
}
