//! The commands: each presents or persists what the pipeline makes of the posts, and none
//! imports another.

pub mod check;
