//! One output of a venue rendered for a post, in memory: what `build` writes, `check`
//! measures and `preview` shows.

/// One output rendered for a post, before it is written.
#[derive(Debug)]
pub struct Rendered {
    /// The venue that rendered it.
    pub venue: String,
    /// Its file name under `<out>/<slug>/`.
    pub file: String,
    /// The content, ending with one newline.
    pub bytes: Vec<u8>,
    /// URLs of link and image tags the format may not keep (`javascript:` in a BBCode
    /// `[url=…]` a template wrote), left as text: `check` warns of each.
    pub dropped_links: Vec<String>,
}
