//! The ground floor every part of a post stands on: the one Markdown parse, and the small
//! helpers over its events, raw HTML and URLs that the post model, the renderers and the
//! thread share.

mod anchors;
mod events;
mod footnotes;
mod html;
mod nesting;
pub mod parse;
mod url;

pub use anchors::Anchors;
pub use events::{alert_label, is_inline, matching_end, plain_text, shifted_level, superscript};
pub use footnotes::{Footnotes, NoteNumbers, split_footnotes};
pub use html::{
    ScriptSkip, find_ignore_ascii_case, html_paragraphs, opens_element,
    starts_with_ignore_ascii_case, strip_html,
};
pub use nesting::MAX_NESTING;
pub use url::{add_query, folder_url, has_scheme, is_safe_url, starts_with_scheme};
