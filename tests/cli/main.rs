//! Integration tests: the real binary, run in a temporary folder through one harness.

mod harness;

mod atomic;
mod build;
mod check;
mod completions_man;
mod config;
mod docs;
mod errors;
mod footnotes;
mod formats;
mod hostile;
mod init;
mod markdown_venues;
mod media;
mod new;
mod output_style;
mod per_venue;
mod preview;
mod safety;
mod snapshots;
mod social;
mod stdout;
mod venues;
mod watch;
