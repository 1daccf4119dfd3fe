//! The `markdown` body format.

use pulldown_cmark::Event;

use super::RenderOptions;

/// Renders events as markdown.
pub fn render(events: &[Event<'static>], opts: &RenderOptions) -> String {
    let _ = (events, opts);
    String::new()
}
