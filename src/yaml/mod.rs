//! All YAML reading: a post's front matter, `repurpose.yaml` and template headers are
//! bounded, parsed and placed here, so each reads its keys the same way and says what is
//! wrong in the same words.

pub mod bounds;
pub mod lines;
