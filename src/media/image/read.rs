//! Raster images in: the format from the magic numbers, the size from the header, and a
//! bounded decode that applies the EXIF orientation, as browsers do.

use std::io::Cursor;

use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};

use super::{Format, MAX_PIXELS, Unreadable, svg};

/// The most a decoder may allocate. `MAX_PIXELS` at 8 bytes a pixel (16-bit RGBA) fits;
/// a header that lies about its size fails here instead of taking the machine's memory.
const MAX_ALLOC: u64 = 1 << 30;

/// The format the bytes are in, from their first bytes.
pub(super) fn format(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Format::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Format::Jpeg)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(Format::Gif)
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some(Format::Webp)
    } else if svg::is_svg(bytes) {
        Some(Format::Svg)
    } else {
        None
    }
}

/// The width and height a raster image's header states, before any EXIF rotation.
pub(super) fn header_size(bytes: &[u8], format: Format) -> Result<(u32, u32), Unreadable> {
    let size = imagesize::blob_size(bytes).map_err(|err| Unreadable::Corrupt {
        format,
        reason: match err {
            imagesize::ImageError::IoError(_) => "the file ends inside its header".to_owned(),
            imagesize::ImageError::NotSupported | imagesize::ImageError::CorruptedImage => {
                "its header is damaged".to_owned()
            }
        },
    })?;
    let side = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Ok((side(size.width), side(size.height)))
}

/// An error when `width × height` is over `MAX_PIXELS`.
pub(super) fn within_pixel_limit(width: u32, height: u32) -> Result<(), Unreadable> {
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        Err(Unreadable::TooLarge { width, height })
    } else {
        Ok(())
    }
}

/// `width` and `height` swapped when the image's EXIF orientation turns it a quarter turn.
pub(super) fn oriented(bytes: &[u8], format: Format, width: u32, height: u32) -> (u32, u32) {
    let turned = decoder(bytes, format)
        .ok()
        .and_then(|mut decoder| decoder.orientation().ok())
        .is_some_and(quarter_turn);
    if turned {
        (height, width)
    } else {
        (width, height)
    }
}

/// Every pixel of a raster image (the first frame of an animation), upright.
pub(super) fn decode(bytes: &[u8], format: Format) -> Result<DynamicImage, Unreadable> {
    let corrupt = |err: ImageError| Unreadable::Corrupt {
        format,
        reason: reason(&err),
    };
    if format == Format::Jpeg && !jpeg_is_whole(bytes) {
        // zune-jpeg fills a truncated scan with grey and calls it a success.
        return Err(Unreadable::Corrupt {
            format,
            reason: "the file ends before its image data does".to_owned(),
        });
    }
    let mut decoder = decoder(bytes, format).map_err(corrupt)?;
    let (width, height) = decoder.dimensions();
    within_pixel_limit(width, height)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    image.apply_orientation(orientation);
    Ok(image)
}

fn decoder(bytes: &[u8], format: Format) -> Result<impl ImageDecoder + '_, ImageError> {
    let format = match format {
        Format::Png => ImageFormat::Png,
        Format::Jpeg => ImageFormat::Jpeg,
        Format::Gif => ImageFormat::Gif,
        Format::Webp => ImageFormat::WebP,
        // Never reached: SVG goes to usvg; this format is not compiled in, so it would
        // come back as an error, not a panic.
        Format::Svg => ImageFormat::Pnm,
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    reader.into_decoder()
}

fn quarter_turn(orientation: Orientation) -> bool {
    matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    )
}

/// Whether a JPEG's end-of-image marker follows its first scan. Walks the segments to the
/// first scan (an EXIF thumbnail before it holds markers of its own), then looks for the
/// marker: inside entropy-coded data a 0xFF byte is only ever followed by 0x00 or a restart.
fn jpeg_is_whole(bytes: &[u8]) -> bool {
    let mut at = 2;
    loop {
        while bytes.get(at) == Some(&0xFF) && bytes.get(at + 1) == Some(&0xFF) {
            at += 1; // fill bytes
        }
        match (bytes.get(at), bytes.get(at + 1)) {
            (Some(0xFF), Some(0xDA)) => break,
            (Some(0xFF), Some(0xD0..=0xD8 | 0x01)) => at += 2,
            (Some(0xFF), Some(_)) => {
                let (Some(&high), Some(&low)) = (bytes.get(at + 2), bytes.get(at + 3)) else {
                    return false;
                };
                at += 2 + usize::from(u16::from_be_bytes([high, low]));
            }
            _ => return false,
        }
    }
    bytes[at..].windows(2).any(|pair| pair == [0xFF, 0xD9])
}

/// The decoder's own message, without the "Format error decoding Png:" it wraps it in.
fn reason(err: &ImageError) -> String {
    match err {
        ImageError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            "the file ends before its image data does".to_owned()
        }
        ImageError::Decoding(decoding) => std::error::Error::source(decoding)
            .map_or_else(|| decoding.to_string(), ToString::to_string),
        ImageError::Limits(_) => format!(
            "it needs more than {} MiB of memory to decode",
            MAX_ALLOC >> 20
        ),
        other => other.to_string(),
    }
}
