use std::io::Cursor;

use image::codecs::gif::GifEncoder;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::webp::WebPEncoder;
use image::{DynamicImage, Frame, ImageEncoder, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};

use super::*;

fn encoded(image: impl Into<DynamicImage>, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Cursor::new(Vec::new());
    image.into().write_to(&mut bytes, format).unwrap();
    bytes.into_inner()
}

fn solid(width: u32, height: u32) -> RgbImage {
    RgbImage::from_pixel(width, height, Rgb([40, 120, 200]))
}

/// Pixels from a fixed pseudo-random sequence: compresses as badly as a photo's grain.
fn noisy(width: u32, height: u32) -> RgbImage {
    let mut state = 0x2545_F491_u32;
    RgbImage::from_fn(width, height, |_, _| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let [r, g, b, _] = state.to_le_bytes();
        Rgb([r, g, b])
    })
}

/// A smooth picture with some grain, more like a photo than noise or a flat colour.
fn photo_like(width: u32, height: u32) -> RgbImage {
    let grain = noisy(width, height);
    RgbImage::from_fn(width, height, |x, y| {
        let [r, g, b] = grain.get_pixel(x, y).0;
        Rgb([
            ((x * 255 / width) as u8).saturating_add(r / 16),
            ((y * 255 / height) as u8).saturating_add(g / 16),
            (((x + y) % 256) as u8).saturating_add(b / 16),
        ])
    })
}

fn decoded(variant: &Variant) -> DynamicImage {
    image::load_from_memory(&variant.bytes).unwrap()
}

fn svg(width: u32, height: u32) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0"?>
<!-- a chart -->
<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">
  <rect width="100%" height="100%" fill="red"/>
</svg>"#
    )
    .into_bytes()
}

fn probed(bytes: &[u8]) -> Probed {
    probe(bytes).unwrap()
}

#[test]
fn probes_each_format_with_its_size() {
    let webp = {
        let mut bytes = Vec::new();
        WebPEncoder::new_lossless(&mut bytes)
            .write_image(
                solid(33, 23).as_raw(),
                33,
                23,
                image::ExtendedColorType::Rgb8,
            )
            .unwrap();
        bytes
    };
    let cases = [
        (
            encoded(solid(30, 20), ImageFormat::Png),
            Format::Png,
            30,
            20,
        ),
        (
            encoded(solid(31, 21), ImageFormat::Jpeg),
            Format::Jpeg,
            31,
            21,
        ),
        (
            encoded(solid(32, 22), ImageFormat::Gif),
            Format::Gif,
            32,
            22,
        ),
        (webp, Format::Webp, 33, 23),
        (svg(40, 25), Format::Svg, 40, 25),
    ];
    for (bytes, format, width, height) in cases {
        let expected = Probed {
            format,
            width,
            height,
        };
        assert_eq!(probe(&bytes), Ok(expected), "{format:?}");
        assert_eq!(sniff(&bytes), Some(expected), "{format:?}");
    }
}

#[test]
fn svg_size_falls_back_to_its_view_box_rounded() {
    let bytes = br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120.4 80.6"/>"#;
    assert_eq!(
        probe(bytes),
        Ok(Probed {
            format: Format::Svg,
            width: 120,
            height: 81
        })
    );
}

#[test]
fn svg_is_told_by_its_root_element() {
    let doctype = br#"<?xml version="1.0"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" [ <!ENTITY x "y"> ]>
<svg:svg xmlns:svg="http://www.w3.org/2000/svg" width="10" height="10"/>"#;
    assert_eq!(read::format(doctype), Some(Format::Svg));
    assert_eq!(read::format(b"\xEF\xBB\xBF <svg>"), Some(Format::Svg));
    assert_eq!(read::format(b"<html><svg></svg></html>"), None);
    assert_eq!(read::format(b"<svgx/>"), None);
    assert_eq!(probe(b"<html><svg/></html>"), Err(Unreadable::Unknown));
}

#[test]
fn errors_on_a_file_that_is_no_image() {
    let err = probe(b"# Notes\n\nNot a picture at all.\n").unwrap_err();
    assert_eq!(err, Unreadable::Unknown);
    assert_eq!(
        err.to_string(),
        "is not an image repurpose can read (PNG, JPEG, GIF, WebP or SVG)"
    );
    assert_eq!(sniff(b"# Notes"), None);
}

#[test]
fn errors_on_a_truncated_png() {
    let bytes = encoded(noisy(64, 64), ImageFormat::Png);
    let err = probe(&bytes[..bytes.len() / 2]).unwrap_err();
    assert!(
        matches!(
            err,
            Unreadable::Corrupt {
                format: Format::Png,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().starts_with("cannot be read as PNG: "),
        "{err}"
    );
}

#[test]
fn errors_on_a_truncated_jpeg() {
    let bytes = encoded(noisy(64, 64), ImageFormat::Jpeg);
    let err = probe(&bytes[..bytes.len() / 2]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot be read as JPEG: the file ends before its image data does"
    );
    // The header alone is whole: only the decode finds out.
    assert!(sniff(&bytes[..bytes.len() / 2]).is_some());
}

#[test]
fn errors_on_a_corrupt_gif_and_svg() {
    let gif = encoded(noisy(64, 64), ImageFormat::Gif);
    let err = probe(&gif[..gif.len() / 2]).unwrap_err();
    assert!(
        err.to_string().starts_with("cannot be read as GIF: "),
        "{err}"
    );

    let err = probe(b"<svg xmlns=\"http://www.w3.org/2000/svg\"><rect").unwrap_err();
    assert!(
        err.to_string().starts_with("cannot be read as SVG: "),
        "{err}"
    );
}

#[test]
fn refuses_a_huge_header_before_decoding() {
    // A PNG signature and a header chunk for 12,000 × 9,000 (with a wrong checksum), then
    // no pixel data at all: decoding it would fail as corrupt, so the size error proves
    // the limit came first.
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    bytes.extend_from_slice(&12_000_u32.to_be_bytes());
    bytes.extend_from_slice(&9_000_u32.to_be_bytes());
    bytes.extend_from_slice(&[8, 2, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef]);
    bytes.extend_from_slice(b"garbage, not a chunk");
    let err = probe(&bytes).unwrap_err();
    assert_eq!(
        err,
        Unreadable::TooLarge {
            width: 12_000,
            height: 9_000
        }
    );
    assert_eq!(
        err.to_string(),
        "is 12,000 × 9,000 pixels, over the 100-megapixel limit repurpose decodes"
    );
}

#[test]
fn a_jpeg_turned_by_exif_is_sized_and_copied_upright() {
    // A TIFF block with one entry: orientation 6, "rotate 90° clockwise to show".
    let exif = b"MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0\0\0\0\0".to_vec();
    let mut bytes = Vec::new();
    let mut encoder = JpegEncoder::new_with_quality(&mut bytes, 90);
    encoder.set_exif_metadata(exif).unwrap();
    encoder
        .write_image(
            solid(40, 30).as_raw(),
            40,
            30,
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();

    let upright = Probed {
        format: Format::Jpeg,
        width: 30,
        height: 40,
    };
    assert_eq!(probe(&bytes), Ok(upright));
    assert_eq!(sniff(&bytes), Some(upright));
    let copy = fit(&bytes, &upright, Some(15), &[]).unwrap().unwrap();
    assert_eq!((copy.width, copy.height), (15, 20));
    assert_eq!(decoded(&copy).height(), 20);
}

#[test]
fn fits_a_40_megapixel_jpeg_to_1200_wide() {
    let bytes = encoded(solid(8_000, 5_000), ImageFormat::Jpeg);
    let probed = probed(&bytes);
    assert_eq!((probed.width, probed.height), (8_000, 5_000));

    let copy = fit(&bytes, &probed, Some(1_200), &[Format::Png, Format::Jpeg])
        .unwrap()
        .unwrap();
    assert_eq!(
        (copy.format, copy.width, copy.height),
        (Format::Jpeg, 1_200, 750)
    );
    let image = decoded(&copy);
    assert_eq!((image.width(), image.height()), (1_200, 750));
}

#[test]
fn never_upscales_a_small_image() {
    let bytes = encoded(solid(300, 200), ImageFormat::Png);
    let probed = probed(&bytes);
    assert_eq!(fit(&bytes, &probed, Some(1_200), &[Format::Png]), Ok(None));
    assert_eq!(fit(&bytes, &probed, None, &[]), Ok(None));

    // Only the format changes when the venue does not take PNG.
    let copy = fit(&bytes, &probed, Some(1_200), &[Format::Jpeg])
        .unwrap()
        .unwrap();
    assert_eq!(
        (copy.format, copy.width, copy.height),
        (Format::Jpeg, 300, 200)
    );
}

#[test]
fn a_wide_png_keeps_its_transparency() {
    let picture = RgbaImage::from_fn(400, 100, |x, _| Rgba([255, 0, 0, (x % 256) as u8]));
    let bytes = encoded(picture, ImageFormat::Png);
    let copy = fit(
        &bytes,
        &probed(&bytes),
        Some(200),
        &[Format::Png, Format::Jpeg],
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        (copy.format, copy.width, copy.height),
        (Format::Png, 200, 50)
    );
    assert!(decoded(&copy).color().has_alpha());
}

#[test]
fn transparency_goes_on_white_in_a_jpeg() {
    let picture = RgbaImage::from_pixel(20, 20, Rgba([0, 0, 0, 0]));
    let bytes = encoded(picture, ImageFormat::Png);
    let copy = fit(&bytes, &probed(&bytes), None, &[Format::Jpeg])
        .unwrap()
        .unwrap();
    assert_eq!(copy.format, Format::Jpeg);
    let pixel = decoded(&copy).to_rgb8().get_pixel(10, 10).0;
    assert!(pixel.iter().all(|&c| c > 245), "{pixel:?}");
}

#[test]
fn an_opaque_webp_becomes_a_jpeg() {
    let mut bytes = Vec::new();
    WebPEncoder::new_lossless(&mut bytes)
        .write_image(
            solid(50, 40).as_raw(),
            50,
            40,
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    let copy = fit(
        &bytes,
        &probed(&bytes),
        Some(25),
        &[Format::Png, Format::Jpeg],
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        (copy.format, copy.width, copy.height),
        (Format::Jpeg, 25, 20)
    );
}

#[test]
fn a_gif_gives_its_first_frame_as_png() {
    let red = RgbaImage::from_pixel(100, 50, Rgba([255, 0, 0, 255]));
    let blue = RgbaImage::from_pixel(100, 50, Rgba([0, 0, 255, 255]));
    let mut bytes = Vec::new();
    {
        let mut encoder = GifEncoder::new(&mut bytes);
        encoder
            .encode_frames([Frame::new(red), Frame::new(blue)])
            .unwrap();
    }
    let probed = probed(&bytes);
    assert_eq!(
        (probed.format, probed.width, probed.height),
        (Format::Gif, 100, 50)
    );

    let copy = fit(&bytes, &probed, Some(1_200), &[Format::Png, Format::Jpeg])
        .unwrap()
        .unwrap();
    assert_eq!(
        (copy.format, copy.width, copy.height),
        (Format::Png, 100, 50)
    );
    assert_eq!(
        decoded(&copy).to_rgba8().get_pixel(50, 25).0,
        [255, 0, 0, 255]
    );
}

#[test]
fn an_svg_is_drawn_at_twice_its_size_at_most_the_width() {
    let small = svg(100, 50);
    let copy = fit(
        &small,
        &probed(&small),
        Some(1_200),
        &[Format::Png, Format::Jpeg],
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        (copy.format, copy.width, copy.height),
        (Format::Png, 200, 100)
    );
    assert_eq!(
        decoded(&copy).to_rgba8().get_pixel(100, 50).0,
        [255, 0, 0, 255]
    );

    let large = svg(800, 400);
    let copy = fit(
        &large,
        &probed(&large),
        Some(1_200),
        &[Format::Png, Format::Jpeg],
    )
    .unwrap()
    .unwrap();
    assert_eq!((copy.width, copy.height), (1_200, 600));
    let image = decoded(&copy);
    assert_eq!((image.width(), image.height()), (1_200, 600));
}

#[test]
fn an_svg_stays_svg_where_the_venue_takes_it() {
    let bytes = svg(3_000, 400);
    let probed = probed(&bytes);
    assert_eq!(fit(&bytes, &probed, Some(1_200), &[]), Ok(None));
    assert_eq!(
        fit(&bytes, &probed, Some(1_200), &[Format::Svg, Format::Png]),
        Ok(None)
    );
}

#[test]
fn within_bytes_squeezes_a_noisy_png_under_the_limit() {
    let bytes = encoded(noisy(3_000, 2_000), ImageFormat::Png);
    assert!(bytes.len() > 1_000_000);
    let copy = within_bytes(&bytes, &probed(&bytes), 1_000_000, None).unwrap();
    assert!(copy.bytes.len() <= 1_000_000, "{}", copy.bytes.len());
    assert_eq!(copy.format, Format::Jpeg);
    let image = decoded(&copy);
    assert_eq!((image.width(), image.height()), (copy.width, copy.height));
    assert_eq!(copy.height, display_size(3_000, 2_000, copy.width).1);
}

#[test]
fn within_bytes_keeps_an_original_that_fits() {
    let bytes = encoded(solid(300, 200), ImageFormat::Gif);
    let copy = within_bytes(&bytes, &probed(&bytes), 1_000_000, Some(2_000)).unwrap();
    assert_eq!(copy.bytes, bytes);
    assert_eq!(
        (copy.format, copy.width, copy.height),
        (Format::Gif, 300, 200)
    );
}

#[test]
fn within_bytes_caps_the_longest_side() {
    let bytes = encoded(solid(300, 600), ImageFormat::Jpeg);
    let copy = within_bytes(&bytes, &probed(&bytes), 1_000_000, Some(100)).unwrap();
    assert_eq!(
        (copy.format, copy.width, copy.height),
        (Format::Jpeg, 50, 100)
    );
}

#[test]
fn within_bytes_keeps_transparency_when_a_png_fits() {
    let picture = RgbaImage::from_fn(200, 200, |x, y| {
        Rgba([
            (x % 256) as u8,
            (y % 256) as u8,
            0,
            if x < 100 { 0 } else { 255 },
        ])
    });
    let bytes = encoded(picture, ImageFormat::Png);
    let copy = within_bytes(&bytes, &probed(&bytes), 1_000_000, Some(100)).unwrap();
    assert_eq!(
        (copy.format, copy.width, copy.height),
        (Format::Png, 100, 100)
    );

    let dot = br#"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50">
  <circle cx="50" cy="25" r="20" fill="red"/>
</svg>"#;
    let copy = within_bytes(dot, &probed(dot), 1_000_000, None).unwrap();
    assert_eq!(
        (copy.format, copy.width, copy.height),
        (Format::Png, 200, 100)
    );

    // Opaque all over, a drawing is as well off as a JPEG.
    let opaque = svg(100, 50);
    let copy = within_bytes(&opaque, &probed(&opaque), 2_000, None).unwrap();
    assert_eq!(copy.format, Format::Jpeg);
}

#[test]
fn within_bytes_gives_up_below_the_smallest_size() {
    let bytes = encoded(noisy(600, 400), ImageFormat::Png);
    let err = within_bytes(&bytes, &probed(&bytes), 100, None).unwrap_err();
    let Unreadable::OverBytes {
        max_bytes,
        width,
        height,
        bytes,
    } = err.clone()
    else {
        panic!("{err:?}");
    };
    assert_eq!((max_bytes, width, height), (100, 64, 43));
    assert_eq!(
        err.to_string(),
        format!(
            "cannot be brought under 100 bytes: even at 64 × 43 pixels it takes {}",
            grouped(bytes as u64)
        )
    );
}

#[test]
fn display_size_scales_only_what_is_too_wide() {
    assert_eq!(display_size(500, 300, 600), (500, 300));
    assert_eq!(display_size(600, 300, 600), (600, 300));
    assert_eq!(display_size(1_200, 801, 600), (600, 401));
    assert_eq!(display_size(8_000, 5, 600), (600, 1));
}

#[test]
fn numbers_are_grouped_by_thousands() {
    assert_eq!(grouped(0), "0");
    assert_eq!(grouped(999), "999");
    assert_eq!(grouped(1_000), "1,000");
    assert_eq!(grouped(120_000), "120,000");
    assert_eq!(grouped(1_000_000), "1,000,000");
}

/// Times for the report, not a test of speed: run in a release build with
/// `cargo test --release --lib media::image::tests::time_probe_and_fit -- --ignored --nocapture`.
#[test]
#[ignore = "prints timings; run in a release build"]
fn time_probe_and_fit() {
    use std::time::Instant;

    let pictures = [
        (
            "8,000 × 5,000 JPEG (solid)",
            encoded(solid(8_000, 5_000), ImageFormat::Jpeg),
        ),
        (
            "8,000 × 5,000 JPEG (photo-like)",
            encoded(photo_like(8_000, 5_000), ImageFormat::Jpeg),
        ),
        (
            "4,000 × 3,000 PNG (photo-like)",
            encoded(photo_like(4_000, 3_000), ImageFormat::Png),
        ),
    ];
    for (name, bytes) in pictures {
        let start = Instant::now();
        let probed = probed(&bytes);
        let probing = start.elapsed();
        let start = Instant::now();
        let copy = fit(&bytes, &probed, Some(1_200), &[Format::Png, Format::Jpeg])
            .unwrap()
            .unwrap();
        let fitting = start.elapsed();
        let start = Instant::now();
        let squeezed = within_bytes(&bytes, &probed, 1_000_000, Some(2_000)).unwrap();
        let squeezing = start.elapsed();
        println!(
            "{name}, {} bytes: probe {probing:.2?}, fit to 1,200 wide {fitting:.2?} \
             ({} bytes {:?}), within 1,000,000 bytes and 2,000 px {squeezing:.2?} \
             ({} bytes, {} × {})",
            grouped(bytes.len() as u64),
            grouped(copy.bytes.len() as u64),
            copy.format,
            grouped(squeezed.bytes.len() as u64),
            squeezed.width,
            squeezed.height,
        );
    }
}
