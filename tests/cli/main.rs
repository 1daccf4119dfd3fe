//! Integration tests: the real binary, run in a temporary folder through one harness.

mod harness;

mod atomic;
mod build;
mod errors;
mod formats;
mod hostile;
mod init;
mod markdown_venues;
mod snapshots;
mod social;
mod venues;
