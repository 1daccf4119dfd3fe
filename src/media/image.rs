//! Reading images: the format and pixel size of a file, a full decode that proves it is
//! readable, and the scaled copies a venue or a service needs.

use std::fmt;

mod read;
mod scale;
mod svg;
#[cfg(test)]
mod tests;

pub use scale::{fit, within_bytes};

/// An image format repurpose reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Png,
    Jpeg,
    Gif,
    Webp,
    Svg,
}

impl Format {
    /// The file extension its copies get (`jpg` for JPEG).
    pub fn ext(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Jpeg => "jpg",
            Format::Gif => "gif",
            Format::Webp => "webp",
            Format::Svg => "svg",
        }
    }

    /// Its MIME type.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Png => "image/png",
            Format::Jpeg => "image/jpeg",
            Format::Gif => "image/gif",
            Format::Webp => "image/webp",
            Format::Svg => "image/svg+xml",
        }
    }

    /// Its name in messages and template headers (`png`, `jpeg`, …).
    pub fn name(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Jpeg => "jpeg",
            Format::Gif => "gif",
            Format::Webp => "webp",
            Format::Svg => "svg",
        }
    }

    /// The format a name in a template header stands for (`jpg` and `jpeg` alike).
    pub fn from_name(name: &str) -> Option<Format> {
        match name.to_ascii_lowercase().as_str() {
            "png" => Some(Format::Png),
            "jpeg" | "jpg" => Some(Format::Jpeg),
            "gif" => Some(Format::Gif),
            "webp" => Some(Format::Webp),
            "svg" => Some(Format::Svg),
            _ => None,
        }
    }

    /// Its name in prose (`PNG`, `WebP`, …).
    fn label(self) -> &'static str {
        match self {
            Format::Png => "PNG",
            Format::Jpeg => "JPEG",
            Format::Gif => "GIF",
            Format::Webp => "WebP",
            Format::Svg => "SVG",
        }
    }
}

/// What reading an image found: its format and size in pixels (for SVG, its intrinsic
/// size in CSS pixels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Probed {
    pub format: Format,
    pub width: u32,
    pub height: u32,
}

/// A copy of an image made for a venue or a service: scaled down, re-encoded, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    pub bytes: Vec<u8>,
    pub format: Format,
    pub width: u32,
    pub height: u32,
}

/// The most pixels repurpose decodes: a header is checked against it before any decoding,
/// so a small file that claims a huge picture (a decompression bomb) costs nothing.
const MAX_PIXELS: u64 = 100_000_000;

/// Why an image cannot be used; the message reads after "image `x.png` ".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    /// Not a format repurpose reads.
    Unknown,
    /// A format it reads, but truncated or corrupt.
    Corrupt { format: Format, reason: String },
    /// More than `MAX_PIXELS`, as its header says.
    TooLarge { width: u32, height: u32 },
    /// Cannot be brought under a byte limit: even its smallest copy, `width × height`, took
    /// `bytes`.
    OverBytes {
        max_bytes: usize,
        width: u32,
        height: u32,
        bytes: usize,
    },
    /// Decoded, but its copy could not be encoded.
    Unencodable { format: Format, reason: String },
}

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unreadable::Unknown => {
                f.write_str("is not an image repurpose can read (PNG, JPEG, GIF, WebP or SVG)")
            }
            Unreadable::Corrupt { format, reason } => {
                write!(f, "cannot be read as {}: {reason}", format.label())
            }
            Unreadable::TooLarge { width, height } => write!(
                f,
                "is {} × {} pixels, over the {}-megapixel limit repurpose decodes",
                grouped(u64::from(*width)),
                grouped(u64::from(*height)),
                MAX_PIXELS / 1_000_000
            ),
            Unreadable::OverBytes {
                max_bytes,
                width,
                height,
                bytes,
            } => write!(
                f,
                "cannot be brought under {} bytes: even at {width} × {height} pixels it takes {}",
                grouped(*max_bytes as u64),
                grouped(*bytes as u64)
            ),
            Unreadable::Unencodable { format, reason } => {
                write!(f, "could not be encoded as {}: {reason}", format.label())
            }
        }
    }
}

impl std::error::Error for Unreadable {}

/// Reads an image whole: its format from the bytes, its size from the header, then a full
/// decode (a parse for SVG) that proves every pixel is there.
pub fn probe(bytes: &[u8]) -> Result<Probed, Unreadable> {
    let format = read::format(bytes).ok_or(Unreadable::Unknown)?;
    if format == Format::Svg {
        return svg::probe(bytes);
    }
    let (width, height) = read::header_size(bytes, format)?;
    read::within_pixel_limit(width, height)?;
    let decoded = read::decode(bytes, format)?;
    Ok(Probed {
        format,
        width: decoded.width(),
        height: decoded.height(),
    })
}

/// The format and size from the header alone, for a file `probe` has already accepted.
pub fn sniff(bytes: &[u8]) -> Option<Probed> {
    let format = read::format(bytes)?;
    if format == Format::Svg {
        return svg::probe(bytes).ok();
    }
    let (width, height) = read::header_size(bytes, format).ok()?;
    let (width, height) = read::oriented(bytes, format, width, height);
    Some(Probed {
        format,
        width,
        height,
    })
}

/// The size to show an image at in HTML: as it is up to `max_width`, else `max_width` wide
/// with the height in proportion.
pub fn display_size(width: u32, height: u32, max_width: u32) -> (u32, u32) {
    if width <= max_width {
        (width, height)
    } else {
        (max_width, scale::height_at(width, height, max_width))
    }
}

/// `1234567` as `1,234,567`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}
