//! A small Forem (dev.to) on 127.0.0.1 for integration tests (tests/servers/devto_server.py),
//! stopped when dropped: the same helper the client's unit tests use.
//!
//! Include it with `#[path = "support/devto.rs"] mod devto;`. Without python3 `start` skips
//! with a note, unless `REPURPOSE_REQUIRE_SERVERS` is set, where that is a failure.

// Each test file that includes this module uses a part of it.
#![allow(dead_code)]

#[path = "../../src/publish/article_test_server.rs"]
mod server;

pub use server::{KEY, Server};

/// Starts a Forem site with the user `ana`, whose API key is `KEY`.
pub fn start() -> Option<Server> {
    Server::start("devto_server.py")
}
