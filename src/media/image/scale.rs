//! The copies venues and services need: scaled down to a width, or squeezed under a byte
//! limit, and encoded as PNG or JPEG, the formats every mail client and service shows.

use std::borrow::Cow;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::imageops::FilterType;
use image::{DynamicImage, ImageBuffer, Rgb};

use super::{Format, Probed, Unreadable, Variant, read, svg};

/// The smallest longest side `within_bytes` scales an image down to before giving up.
pub(super) const MIN_SIDE: u32 = 64;

/// The most encodes `within_bytes` tries: each costs a full encode of the picture.
const MAX_ENCODES: usize = 10;

/// JPEG quality for copies that only need to be smaller in pixels.
const JPEG_QUALITY: u8 = 85;

/// The JPEG quality `within_bytes` goes down to before it scales the picture down.
const LOWEST_QUALITY: u8 = 65;

/// How a copy is written.
#[derive(Debug, Clone, Copy)]
enum Encoding {
    Png,
    Jpeg { quality: u8 },
}

/// The copy of an image a venue needs: `None` when the original does (at most `max_width`
/// wide and in one of `formats`; an empty list takes any). Otherwise scaled down to
/// `max_width` (never up), as JPEG from a JPEG or an opaque WebP, else as PNG; the first
/// frame of a GIF. An SVG is drawn at twice its size, at most `max_width`: crisp on
/// high-density screens without giant bitmaps of icons. A venue that takes SVG takes it at
/// any width: it scales.
pub fn fit(
    bytes: &[u8],
    probed: &Probed,
    max_width: Option<u32>,
    formats: &[Format],
) -> Result<Option<Variant>, Unreadable> {
    let allowed = |format| formats.is_empty() || formats.contains(&format);
    let narrow = max_width.is_none_or(|max| probed.width <= max);
    if allowed(probed.format) && (narrow || probed.format == Format::Svg) {
        return Ok(None);
    }
    let image = if probed.format == Format::Svg {
        let twice = probed.width.saturating_mul(2);
        svg::rasterise(bytes, max_width.map_or(twice, |max| twice.min(max)))?
    } else {
        let image = read::decode(bytes, probed.format)?;
        match max_width {
            Some(max) if image.width() > max => {
                let height = height_at(image.width(), image.height(), max);
                resized(&image, max, height)
            }
            _ => image,
        }
    };
    let natural = match probed.format {
        Format::Jpeg => Format::Jpeg,
        Format::Webp if !image.color().has_alpha() => Format::Jpeg,
        Format::Png | Format::Gif | Format::Webp | Format::Svg => Format::Png,
    };
    let format = if allowed(natural) {
        natural
    } else {
        // A venue that lists neither PNG nor JPEG still gets the one that suits the image.
        formats
            .iter()
            .copied()
            .find(|format| matches!(format, Format::Png | Format::Jpeg))
            .unwrap_or(natural)
    };
    let encoding = match format {
        Format::Jpeg => Encoding::Jpeg {
            quality: JPEG_QUALITY,
        },
        _ => Encoding::Png,
    };
    encode(&image, encoding).map(Some)
}

/// A copy of at most `max_bytes` whose longest side is at most `max_side`: the original when
/// it already is (and is not SVG); else PNG when the picture has transparency and a PNG
/// fits, else JPEG (transparency on white) at falling quality, then smaller, down to
/// `MIN_SIDE` pixels. At most `MAX_ENCODES` encodes.
pub fn within_bytes(
    bytes: &[u8],
    probed: &Probed,
    max_bytes: usize,
    max_side: Option<u32>,
) -> Result<Variant, Unreadable> {
    let longest = probed.width.max(probed.height);
    let small = max_side.is_none_or(|max| longest <= max);
    if probed.format != Format::Svg && bytes.len() <= max_bytes && small {
        return Ok(Variant {
            bytes: bytes.to_vec(),
            format: probed.format,
            width: probed.width,
            height: probed.height,
        });
    }
    let image = if probed.format == Format::Svg {
        let mut width = probed.width.saturating_mul(2);
        if let Some(max) = max_side.filter(|&max| longest.saturating_mul(2) > max) {
            width = height_at(longest, probed.width, max);
        }
        svg::rasterise(bytes, width)?
    } else {
        read::decode(bytes, probed.format)?
    };
    let image = match max_side {
        Some(max) if image.width().max(image.height()) > max => {
            let (width, height) = longest_side(&image, max);
            resized(&image, width, height)
        }
        _ => image,
    };
    squeeze(&image, max_bytes)
}

fn squeeze(image: &DynamicImage, max_bytes: usize) -> Result<Variant, Unreadable> {
    let mut encodes = 0;
    let mut smallest = (image.width(), image.height(), usize::MAX);
    if transparent(image) {
        // Transparency is worth a smaller picture: one PNG at full size, one smaller when
        // that can be enough.
        let mut current = Cow::Borrowed(image);
        for _ in 0..2 {
            let variant = encode(&current, Encoding::Png)?;
            encodes += 1;
            if variant.bytes.len() <= max_bytes {
                return Ok(variant);
            }
            if variant.bytes.len() > 4 * max_bytes {
                break;
            }
            match smaller(image, &current, variant.bytes.len(), max_bytes) {
                Some(next) => current = Cow::Owned(next),
                None => break,
            }
        }
    }
    let mut current = Cow::Borrowed(image);
    let mut quality = JPEG_QUALITY;
    while encodes < MAX_ENCODES {
        let variant = encode(&current, Encoding::Jpeg { quality })?;
        encodes += 1;
        let size = variant.bytes.len();
        if size <= max_bytes {
            return Ok(variant);
        }
        smallest = (variant.width, variant.height, size);
        // Lower quality saves a third or so; far over the limit, only fewer pixels will do.
        if quality > LOWEST_QUALITY && size <= 2 * max_bytes {
            quality -= 10;
            continue;
        }
        match smaller(image, &current, size, max_bytes) {
            Some(next) => current = Cow::Owned(next),
            None => break,
        }
    }
    let (width, height, bytes) = smallest;
    Err(Unreadable::OverBytes {
        max_bytes,
        width,
        height,
        bytes,
    })
}

/// `image` scaled from its original to at most half of `current`'s size, less when `size`
/// is far over `max_bytes` (bytes go roughly with the pixel count); `None` at `MIN_SIDE`.
fn smaller(
    image: &DynamicImage,
    current: &DynamicImage,
    size: usize,
    max_bytes: usize,
) -> Option<DynamicImage> {
    let longest = current.width().max(current.height());
    if longest <= MIN_SIDE {
        return None;
    }
    let factor = ((max_bytes as f64 / size as f64).sqrt() * 0.9).min(0.5);
    let side = ((f64::from(longest) * factor) as u32).max(MIN_SIDE);
    let (width, height) = longest_side(image, side);
    Some(resized(image, width, height))
}

/// The size of `image` with its longest side `side` long.
fn longest_side(image: &DynamicImage, side: u32) -> (u32, u32) {
    let (width, height) = (image.width(), image.height());
    if width >= height {
        (side, height_at(width, height, side))
    } else {
        (height_at(height, width, side), side)
    }
}

/// The height of a `width × height` picture scaled to `new_width`, rounded, at least 1.
pub(super) fn height_at(width: u32, height: u32, new_width: u32) -> u32 {
    let width = u64::from(width.max(1));
    let scaled = (u64::from(height) * u64::from(new_width) + width / 2) / width;
    u32::try_from(scaled).unwrap_or(u32::MAX).max(1)
}

/// `image` at `width × height`, through a Lanczos filter. A large reduction is first
/// averaged down to twice the target: Lanczos on its own weighs some 40 source pixels a
/// side for each pixel of a 40-megapixel photo brought to 1,200 wide, seconds of work for
/// no visible gain.
fn resized(image: &DynamicImage, width: u32, height: u32) -> DynamicImage {
    let (double_width, double_height) = (width.saturating_mul(2), height.saturating_mul(2));
    if image.width() > 2 * double_width && image.height() > 2 * double_height {
        image
            .thumbnail_exact(double_width, double_height)
            .resize_exact(width, height, FilterType::Lanczos3)
    } else {
        image.resize_exact(width, height, FilterType::Lanczos3)
    }
}

/// Whether any pixel is less than opaque.
fn transparent(image: &DynamicImage) -> bool {
    match image {
        DynamicImage::ImageRgba8(pixels) => pixels.pixels().any(|pixel| pixel[3] < u8::MAX),
        DynamicImage::ImageLumaA8(pixels) => pixels.pixels().any(|pixel| pixel[1] < u8::MAX),
        other if other.color().has_alpha() => {
            other.to_rgba8().pixels().any(|pixel| pixel[3] < u8::MAX)
        }
        _ => false,
    }
}

fn encode(image: &DynamicImage, encoding: Encoding) -> Result<Variant, Unreadable> {
    let mut bytes = Vec::new();
    let (format, written) = match encoding {
        Encoding::Png => (
            Format::Png,
            eight_bit(image).write_with_encoder(PngEncoder::new_with_quality(
                &mut bytes,
                CompressionType::Default,
                PngFilter::Adaptive,
            )),
        ),
        Encoding::Jpeg { quality } => (
            Format::Jpeg,
            opaque(image).write_with_encoder(JpegEncoder::new_with_quality(&mut bytes, quality)),
        ),
    };
    written.map_err(|err| Unreadable::Unencodable {
        format,
        reason: err.to_string(),
    })?;
    Ok(Variant {
        bytes,
        format,
        width: image.width(),
        height: image.height(),
    })
}

/// The image with 8 bits a channel, which is what a copy needs and PNG encodes smallest.
fn eight_bit(image: &DynamicImage) -> Cow<'_, DynamicImage> {
    match image {
        DynamicImage::ImageLuma8(_)
        | DynamicImage::ImageLumaA8(_)
        | DynamicImage::ImageRgb8(_)
        | DynamicImage::ImageRgba8(_) => Cow::Borrowed(image),
        DynamicImage::ImageLuma16(_) => Cow::Owned(image.to_luma8().into()),
        DynamicImage::ImageLumaA16(_) => Cow::Owned(image.to_luma_alpha8().into()),
        other if other.color().has_alpha() => Cow::Owned(image.to_rgba8().into()),
        _ => Cow::Owned(image.to_rgb8().into()),
    }
}

/// The image as JPEG takes it: grey or RGB, transparency laid on white.
fn opaque(image: &DynamicImage) -> Cow<'_, DynamicImage> {
    match image {
        DynamicImage::ImageLuma8(_) | DynamicImage::ImageRgb8(_) => Cow::Borrowed(image),
        other if !other.color().has_alpha() && other.color().has_color() => {
            Cow::Owned(image.to_rgb8().into())
        }
        other if !other.color().has_alpha() => Cow::Owned(image.to_luma8().into()),
        _ => {
            let rgba = image.to_rgba8();
            let on_white = ImageBuffer::from_fn(rgba.width(), rgba.height(), |x, y| {
                let [r, g, b, a] = rgba.get_pixel(x, y).0;
                let blend =
                    |c: u8| ((u16::from(c) * u16::from(a) + 255 * u16::from(255 - a)) / 255) as u8;
                Rgb([blend(r), blend(g), blend(b)])
            });
            Cow::Owned(DynamicImage::ImageRgb8(on_white))
        }
    }
}
