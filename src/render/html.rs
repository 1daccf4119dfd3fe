//! The `html` and `email` body formats.

use pulldown_cmark::Event;

use super::RenderOptions;

/// Which HTML the renderer writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// A web page: classes, heading ids, raw HTML kept.
    Web,
    /// Mail clients: inline styles, absolute URLs, raw HTML reduced to text.
    Email,
}

/// Renders events as HTML of the given flavor.
pub fn render(events: &[Event<'static>], opts: &RenderOptions, flavor: Flavor) -> String {
    let _ = (events, opts, flavor);
    String::new()
}
