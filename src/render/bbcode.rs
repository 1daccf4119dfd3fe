//! The `bbcode` body format.

use pulldown_cmark::Event;

use super::RenderOptions;

/// Renders events as bbcode.
pub fn render(events: &[Event<'static>], opts: &RenderOptions) -> String {
    let _ = (events, opts);
    String::new()
}

/// Neutralises BBCode-looking text (stub until the renderer lands).
pub fn escape(text: &str) -> String {
    text.to_string()
}
