//! The `text` body format.

use pulldown_cmark::Event;

use super::RenderOptions;

/// Renders events as text.
pub fn render(events: &[Event<'static>], opts: &RenderOptions) -> String {
    let _ = (events, opts);
    String::new()
}

/// The body and its end matter separately (stub until the renderer lands).
pub fn render_split(events: &[Event<'static>], opts: &RenderOptions) -> (String, String) {
    (render(events, opts), String::new())
}
