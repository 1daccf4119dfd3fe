//! The one path every command takes: a run is set up once (`Session`: the configuration,
//! the templates, the venues chosen) and each post goes through it (`Session::run_post`)
//! into a `PostRun` — the post, its outputs rendered in memory and everything found about
//! it. Commands only present or persist that value; `build` persists it incrementally for
//! `repurpose build` and `watch`.

pub mod build;
mod render;
pub mod report;
mod run;
mod session;

pub use build::{BuildOptions, Summary, build};
pub use render::{
    Outputs, editions, render_post, render_venue_with, summary_text, venue_body, venue_thread,
    wanted,
};
pub use run::PostRun;
pub use session::{Session, SessionOptions, Unopened};
