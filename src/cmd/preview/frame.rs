//! An HTML venue's output made fit for a sandboxed `<iframe srcdoc>` in the preview.
//!
//! The frame's sandbox already stops scripts, but a blocked script, an embedded frame or an
//! image the frame may not load (a relative URL resolves to a `file:` URL there) each cost a
//! console error, and a preview should open clean. So scripts, event attributes, embedded
//! frames and `<meta http-equiv>` are taken out, and resource URLs the frame could not load
//! are dropped; everything else is left exactly as the venue wrote it.

use std::collections::HashMap;

use lol_html::html_content::{Attribute, ContentType, Element};
use lol_html::{RewriteStrSettings, element, rewrite_str};

/// The HTML with what a sandboxed frame would refuse taken out, and the post's own images
/// (`images`: URL as linked → `data:` URL) carried in the page.
pub fn for_frame(
    html: &str,
    images: &HashMap<String, String>,
) -> Result<String, lol_html::errors::RewritingError> {
    let settings = RewriteStrSettings::new()
        .append_element_content_handler(element!("img[src]", |el| {
            if let Some(data) = el.get_attribute("src").and_then(|src| images.get(&src)) {
                el.set_attribute("src", data)?;
            }
            Ok(())
        }))
        .append_element_content_handler(element!("script, meta[http-equiv]", |el| {
            el.remove();
            Ok(())
        }))
        .append_element_content_handler(element!("iframe, frame, object, embed", |el| {
            let src = ["src", "data"]
                .iter()
                .find_map(|a| el.get_attribute(a))
                .unwrap_or_default();
            el.replace(
                &format!("[embedded {}: {src}]", el.tag_name()),
                ContentType::Text,
            );
            Ok(())
        }))
        .append_element_content_handler(element!("*", |el| {
            clean_attributes(el);
            Ok(())
        }))
        // The sandbox is the safety here; an ambiguous construct is passed on, not refused.
        .with_strict(false)
        .with_enable_esi_tags(false);
    rewrite_str(html, settings)
}

/// Drops event handler attributes and resource URLs the frame cannot load.
fn clean_attributes(el: &mut Element<'_, '_>) {
    let names: Vec<String> = el.attributes().iter().map(Attribute::name).collect();
    let is_link = el.tag_name() == "link";
    for name in names {
        let drop = if name.starts_with("on") {
            true
        } else {
            let value = el.get_attribute(&name).unwrap_or_default();
            match name.as_str() {
                "src" | "poster" | "background" => !loadable(&value),
                "href" if is_link => !loadable(&value),
                "srcset" | "imagesrcset" => value
                    .split(',')
                    .filter_map(|candidate| candidate.split_whitespace().next())
                    .any(|url| !loadable(url)),
                _ => false,
            }
        };
        if drop {
            el.remove_attribute(&name);
        }
    }
}

/// Whether a frame with an opaque origin can load this URL: an absolute http(s) or data URL.
fn loadable(url: &str) -> bool {
    url::Url::parse(url.trim()).is_ok_and(|u| matches!(u.scheme(), "http" | "https" | "data"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(html: &str) -> String {
        for_frame(html, &HashMap::new()).unwrap()
    }

    #[test]
    fn the_posts_own_images_are_carried_in_the_page() {
        let images = HashMap::from([(
            "media/chart-1a2b3c4d.png".to_string(),
            "data:image/png;base64,iVBORw0KGgo=".to_string(),
        )]);
        assert_eq!(
            for_frame(
                "<img src=\"media/chart-1a2b3c4d.png\" alt=\"C\"><img src=\"media/other.png\" alt=\"O\">",
                &images
            )
            .unwrap(),
            "<img src=\"data:image/png;base64,iVBORw0KGgo=\" alt=\"C\"><img alt=\"O\">"
        );
    }

    #[test]
    fn scripts_and_event_attributes_are_removed() {
        assert_eq!(
            clean(
                "<p onclick=\"x()\" class=\"a\">Hi</p><script>if (a < b) alert(\"</p>\")</script><img src=\"https://e.com/i.png\" onerror=\"x()\" alt=\"A\">"
            ),
            "<p class=\"a\">Hi</p><img src=\"https://e.com/i.png\" alt=\"A\">"
        );
    }

    #[test]
    fn a_whole_page_keeps_its_doctype_head_and_style() {
        let page = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"0;url=https://e.com\"><style>a > b { color: red }</style></head><body><h1>T</h1></body></html>";
        assert_eq!(
            clean(page),
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><style>a > b { color: red }</style></head><body><h1>T</h1></body></html>"
        );
    }

    #[test]
    fn urls_the_frame_cannot_load_are_dropped() {
        assert_eq!(
            clean(
                "<img src=\"images/chart.png\" alt=\"Chart\"><img src=\"//cdn.e.com/x.png\"><img srcset=\"a.png 1x, https://e.com/b.png 2x\"><link rel=\"stylesheet\" href=\"style.css\"><a href=\"../about/\">About</a><img src=\"data:image/gif;base64,R0lGOD\">"
            ),
            "<img alt=\"Chart\"><img><img><link rel=\"stylesheet\"><a href=\"../about/\">About</a><img src=\"data:image/gif;base64,R0lGOD\">"
        );
    }

    #[test]
    fn embedded_frames_become_a_note() {
        assert_eq!(
            clean("<iframe src=\"https://video.e.com/1\"></iframe><p>after</p>"),
            "[embedded iframe: https://video.e.com/1]<p>after</p>"
        );
    }
}
