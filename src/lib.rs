//! repurpose: write a post once in Markdown, get a variant for every venue.

pub mod parse;
pub mod render;
pub mod slug;
