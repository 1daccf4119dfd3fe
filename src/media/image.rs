//! Reading images: the format and pixel size of a file, a full decode that proves it is
//! readable, and the scaled copies a venue or a service needs.

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
// First cut of the reader (probe, fit, display_size); the full one replaces it.
#[derive(Debug)]
pub struct Unreadable(pub String);
impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
pub fn probe(bytes: &[u8]) -> Result<Probed, Unreadable> {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]);
    if text.trim_start().starts_with("<svg") || text.trim_start().starts_with("<?xml") {
        let tree = resvg::usvg::Tree::from_data(bytes, &Default::default())
            .map_err(|e| Unreadable(format!("cannot be read as SVG: {e}")))?;
        let size = tree.size();
        return Ok(Probed {
            format: Format::Svg,
            width: size.width().round() as u32,
            height: size.height().round() as u32,
        });
    }
    let reader = ::image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| Unreadable(e.to_string()))?;
    let format = match reader.format() {
        Some(::image::ImageFormat::Png) => Format::Png,
        Some(::image::ImageFormat::Jpeg) => Format::Jpeg,
        Some(::image::ImageFormat::Gif) => Format::Gif,
        Some(::image::ImageFormat::WebP) => Format::Webp,
        _ => {
            return Err(Unreadable(
                "is not an image repurpose can read (PNG, JPEG, GIF, WebP or SVG)".into(),
            ));
        }
    };
    let img = reader
        .decode()
        .map_err(|e| Unreadable(format!("cannot be read as {}: {e}", format.name())))?;
    Ok(Probed {
        format,
        width: img.width(),
        height: img.height(),
    })
}
pub fn fit(
    bytes: &[u8],
    probed: &Probed,
    max_width: Option<u32>,
    formats: &[Format],
) -> Result<Option<Variant>, Unreadable> {
    let wide = max_width.is_some_and(|m| probed.width > m);
    let ok_format = formats.is_empty() || formats.contains(&probed.format);
    if !wide && ok_format {
        return Ok(None);
    }
    if probed.format == Format::Svg {
        return Ok(None);
    }
    let img = ::image::load_from_memory(bytes).map_err(|e| Unreadable(e.to_string()))?;
    let img = match max_width {
        Some(m) if probed.width > m => {
            img.resize(m, u32::MAX, ::image::imageops::FilterType::Triangle)
        }
        _ => img,
    };
    let mut out = Vec::new();
    img.write_to(
        &mut std::io::Cursor::new(&mut out),
        ::image::ImageFormat::Png,
    )
    .map_err(|e| Unreadable(e.to_string()))?;
    Ok(Some(Variant {
        bytes: out,
        format: Format::Png,
        width: img.width(),
        height: img.height(),
    }))
}
pub fn display_size(width: u32, height: u32, max_width: u32) -> (u32, u32) {
    if width <= max_width {
        return (width, height);
    }
    (
        max_width,
        ((height as u64 * max_width as u64 + width as u64 / 2) / width as u64).max(1) as u32,
    )
}
