//! Publishing: the targets named under `publish:` in repurpose.yaml, the plan of what each
//! would receive, the ledger of what was sent where, and one module per service.

pub mod ledger;
pub mod secret;
pub mod smtp;
pub mod wordpress;

pub use secret::Secret;
