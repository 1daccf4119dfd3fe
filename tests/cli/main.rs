//! Integration tests: the real binary, run in a temporary folder through one harness.

mod harness;

mod atomic;
mod build;
mod config;
mod errors;
mod formats;
mod hostile;
mod init;
mod snapshots;
mod venues;
mod watch;
