//! Differential: the manifest's piece reader (`src/manifest/read.rs`, which cuts the `posts`
//! object into pieces parsed in parallel) against `serde_json` reading the same bytes as one
//! stream. Whenever the pieces give a manifest, the stream must give the same one, with any
//! block and piece size: a manifest the stream would refuse, or read otherwise, is a build
//! that forgets or misreads which files are its own.
//!
//! The first byte of the input gives the block size, the second the piece size (1 to 64
//! bytes, or a quarter of the time the size a build uses); the rest is the manifest. From
//! the repository root (`cargo install cargo-fuzz` once; see `pipeline.rs` for the flags):
//!
//! ```text
//! RUSTC_BOOTSTRAP=1 cargo fuzz run -a manifest -- -max_total_time=600 -dict=fuzz/manifest.dict
//! ```
//!
//! A mismatch lands in `fuzz/artifacts/manifest/`; `cargo fuzz tmin -a manifest <file>`
//! minimises it. The seeds in `fuzz/corpus/manifest/` are manifests `repurpose build` wrote
//! for `fixtures/`, each after two size bytes.

#![no_main]

use libfuzzer_sys::fuzz_target;
use repurpose::manifest::read_both_ways;

/// A block or piece size from a byte: 1 to 64 bytes, which puts a block's edge or a cut
/// anywhere in a small manifest, or, for a quarter of the bytes, the size a build uses.
fn size(byte: u8) -> Option<usize> {
    (byte < 192).then_some(1 + usize::from(byte % 64))
}

fuzz_target!(|data: &[u8]| {
    let [block, piece, json @ ..] = data else {
        return;
    };
    let (block, piece) = (size(*block), size(*piece));
    let (in_pieces, whole) = read_both_ways(json, block, piece);
    if let Some(manifest) = in_pieces {
        match whole {
            Ok(whole) => assert_eq!(
                manifest, whole,
                "blocks of {block:?}, pieces of {piece:?}: the pieces (left) and the whole stream (right) read different manifests"
            ),
            Err(e) => panic!(
                "blocks of {block:?}, pieces of {piece:?}: the pieces read a manifest, the whole stream refuses it: {e}"
            ),
        }
    }
});
