//! A small Discourse on 127.0.0.1 for integration tests (tests/servers/discourse_server.py),
//! stopped when dropped: the same helper the client's unit tests use.
//!
//! Include it with `#[path = "support/discourse.rs"] mod discourse;`. Without python3 `start`
//! skips with a note, unless `REPURPOSE_REQUIRE_SERVERS` is set, where that is a failure.

// Each test file that includes this module uses a part of it.
#![allow(dead_code)]

#[path = "../../src/publish/article_test_server.rs"]
mod server;

pub use server::{KEY, Server};

/// Starts a forum with the user `ana`, whose API key is `KEY`, and the categories
/// `uncategorized` (1), `general` (4) and `blog` (7).
pub fn start() -> Option<Server> {
    Server::start("discourse_server.py")
}
