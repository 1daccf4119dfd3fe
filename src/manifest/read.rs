//! Reading a large manifest on every core: the file is read in blocks and cut between
//! posts, and each piece of posts is parsed on its own, while only a few pieces are held at
//! once. A manifest of 100,000 posts is ~300 MB of JSON; parsed as one stream on one thread
//! it took 2.0 s, most of a build that has nothing to do.
//!
//! Only the layout `Manifest` is written in is cut: one object whose `posts` member is an
//! object. Anything else, and any piece that does not parse, gives up (`None`) so the whole
//! file is parsed as one stream again, which reports where it is broken.

use std::io::Read;

use rayon::iter::{ParallelBridge, ParallelIterator};

use super::{Manifest, PostList, Posts};

/// The posts parsed as one piece: about this many bytes of them.
const PIECE: usize = 1 << 20;

/// The bytes read from the file at a time.
const BLOCK: usize = 1 << 20;

/// The manifest in `file`, its posts parsed in pieces on the thread pool; `None` when it
/// is not laid out as `Manifest` writes it, or something in it does not parse.
pub(super) fn in_pieces(file: std::fs::File) -> Option<Manifest> {
    cut_and_parse(
        file,
        Sizes {
            block: BLOCK,
            piece: PIECE,
        },
    )
}

/// How much the cutter reads at a time, and how large a piece it cuts.
#[derive(Debug, Clone, Copy)]
struct Sizes {
    block: usize,
    piece: usize,
}

/// For the fuzz target only (`fuzz/fuzz_targets/manifest.rs`): what the piece reader reads
/// from `json` in blocks of `block` bytes and pieces of about `piece` bytes (`None`: the
/// size a build uses; a block is at least a byte), and what `serde_json` reads from the
/// same bytes as one stream, as `Manifest::read` does when the first is `None`. Wherever
/// the first is `Some`, the second must be `Ok` and equal to it.
#[doc(hidden)]
pub fn read_both_ways(
    json: &[u8],
    block: Option<usize>,
    piece: Option<usize>,
) -> (Option<Manifest>, serde_json::Result<Manifest>) {
    let sizes = Sizes {
        block: block.map_or(BLOCK, |block| block.max(1)),
        piece: piece.unwrap_or(PIECE),
    };
    (cut_and_parse(json, sizes), serde_json::from_reader(json))
}

/// `in_pieces` from any reader, with `sizes`.
fn cut_and_parse(reader: impl Read + Send, sizes: Sizes) -> Option<Manifest> {
    let mut cutter = Cutter::new(reader, sizes);
    let mut pieces: Vec<(usize, Posts)> = (&mut cutter)
        .enumerate()
        .par_bridge()
        .map(|(index, piece)| Some((index, parse_posts(&piece?)?)))
        .collect::<Option<_>>()?;
    if !cutter.done() {
        return None;
    }
    // Its `posts` are `{}`: a second `posts` member would be refused as a duplicate.
    let mut manifest: Manifest = serde_json::from_slice(&cutter.rest).ok()?;
    pieces.sort_unstable_by_key(|(index, _)| *index);
    // A slug listed twice keeps its last entry, as parsing the file in one go does.
    manifest.posts = pieces.into_iter().flat_map(|(_, posts)| posts).collect();
    Some(manifest)
}

/// A piece of the `posts` object, `{` and `}` around some of its members.
fn parse_posts(piece: &[u8]) -> Option<Posts> {
    let mut de = serde_json::Deserializer::from_slice(piece);
    let posts = serde::Deserializer::deserialize_map(&mut de, PostList).ok()?;
    de.end().ok()?;
    Some(posts)
}

/// Where the cutter is in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// Before the `posts` object: kept in `rest`.
    Head,
    /// Inside it: cut into pieces.
    Posts,
    /// After it: kept in `rest`.
    Tail,
}

/// Reads the manifest and cuts the members of its `posts` object into pieces; what is
/// around them (the other members) is kept in `rest`, with `{}` in place of the posts.
struct Cutter<R> {
    /// Where the manifest is read from: its file, in a build.
    reader: R,
    sizes: Sizes,
    block: Vec<u8>,
    /// Where the scan is in `block`.
    at: usize,
    /// The first byte of `block` not yet copied to where it belongs.
    copied: usize,
    part: Part,
    /// Objects and arrays open around the scan.
    depth: usize,
    in_string: bool,
    escaped: bool,
    /// At the top level, the next string is a member's name.
    expect_key: bool,
    /// The string being read is a member's name at the top level.
    in_key: bool,
    /// The name of the member being read at the top level, as written.
    key: Vec<u8>,
    posts_seen: bool,
    /// The piece being gathered: `{` and the members so far.
    piece: Vec<u8>,
    /// A member of `posts` began since the last comma between them (or since they opened).
    member: bool,
    /// A comma between members of `posts` was read.
    comma: bool,
    /// The file around the posts.
    rest: Vec<u8>,
    /// Something went wrong: the file could not be read, or is not laid out as expected.
    failed: bool,
    /// The file was read to its end.
    ended: bool,
}

impl<R: Read> Cutter<R> {
    fn new(reader: R, sizes: Sizes) -> Cutter<R> {
        Cutter {
            reader,
            sizes,
            block: Vec::new(),
            at: 0,
            copied: 0,
            part: Part::Head,
            depth: 0,
            in_string: false,
            escaped: false,
            expect_key: false,
            in_key: false,
            key: Vec::new(),
            posts_seen: false,
            piece: vec![b'{'],
            member: false,
            comma: false,
            rest: Vec::new(),
            failed: false,
            ended: false,
        }
    }

    /// The whole file was read and cut as expected.
    fn done(&self) -> bool {
        self.ended && !self.failed && self.posts_seen && self.part == Part::Tail
    }

    /// Copies the block's bytes up to `to` where the part being read keeps them. What is
    /// around the posts is a few lines in a manifest; a file with more there is not cut.
    fn copy_to(&mut self, to: usize) {
        let bytes = &self.block[self.copied..to];
        match self.part {
            Part::Posts => self.piece.extend_from_slice(bytes),
            Part::Head | Part::Tail => {
                self.rest.extend_from_slice(bytes);
                self.failed |= self.rest.len() > PIECE;
            }
        }
        self.copied = to;
    }

    /// Reads the next block; false at the end of the file or on an error.
    fn refill(&mut self) -> bool {
        self.copy_to(self.block.len());
        self.block.resize(self.sizes.block, 0);
        let read = loop {
            match self.reader.read(&mut self.block) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => {
                    self.failed = true;
                    break 0;
                }
            }
        };
        self.block.truncate(read);
        self.at = 0;
        self.copied = 0;
        read > 0
    }

    /// The piece gathered so far, closed, and a new one begun.
    fn take_piece(&mut self) -> Vec<u8> {
        self.piece.push(b'}');
        std::mem::replace(&mut self.piece, vec![b'{'])
    }

    /// Scans on to the end of the next piece.
    fn scan(&mut self) -> Option<Vec<u8>> {
        loop {
            if self.failed {
                return None;
            }
            if self.at == self.block.len() && !self.refill() {
                self.ended = true;
                return None;
            }
            let i = self.at;
            let byte = self.block[i];
            self.at += 1;
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if byte == b'\\' {
                    self.escaped = true;
                } else if byte == b'"' {
                    self.in_string = false;
                } else {
                    // Most of a string has neither: skip to the next `"` or `\`.
                    let rest = &self.block[self.at..];
                    self.at += memchr::memchr2(b'"', b'\\', rest).unwrap_or(rest.len());
                }
                if self.in_key {
                    // Only `posts` is looked for: a longer name is kept no further.
                    if self.in_string {
                        let run = &self.block[i..self.at];
                        let room = (b"posts".len() + 1).saturating_sub(self.key.len());
                        self.key.extend_from_slice(&run[..run.len().min(room)]);
                    } else {
                        // Its closing quote.
                        self.in_key = false;
                    }
                }
                continue;
            }
            match byte {
                b'"' => {
                    self.in_string = true;
                    self.member |= self.depth == 2 && self.part == Part::Posts;
                    if self.depth == 1 && self.expect_key {
                        self.key.clear();
                        self.in_key = true;
                        self.expect_key = false;
                    }
                }
                b'{' | b'[' => {
                    self.depth += 1;
                    if self.depth == 1 {
                        self.expect_key = byte == b'{';
                    } else if self.depth == 2 && byte == b'{' && self.key == b"posts" {
                        if self.posts_seen || self.part != Part::Head {
                            self.failed = true;
                            return None;
                        }
                        self.posts_seen = true;
                        self.copy_to(i);
                        self.rest.extend_from_slice(b"{}");
                        self.part = Part::Posts;
                        self.copied = self.at;
                    }
                }
                b'}' | b']' => {
                    if self.depth == 0 {
                        self.failed = true;
                        return None;
                    }
                    self.depth -= 1;
                    if self.depth == 1 && self.part == Part::Posts {
                        // The posts end here: the last piece, and the rest is the tail.
                        self.copy_to(i);
                        // Closed as they were opened, and not right after a comma: a comma
                        // a cut took out is seen by no parser.
                        if byte != b'}' || (self.comma && !self.member) {
                            self.failed = true;
                            return None;
                        }
                        self.part = Part::Tail;
                        self.copied = i + 1;
                        return Some(self.take_piece());
                    }
                }
                b',' if self.depth == 1 => self.expect_key = true,
                b',' if self.depth == 2 && self.part == Part::Posts => {
                    // Between two posts: the piece may end here. A comma with no member
                    // before it would be lost in a cut.
                    if !self.member {
                        self.failed = true;
                        return None;
                    }
                    self.member = false;
                    self.comma = true;
                    self.copy_to(i);
                    self.copied = i + 1;
                    if self.piece.len() >= self.sizes.piece {
                        return Some(self.take_piece());
                    }
                    self.piece.push(b',');
                }
                _ => {}
            }
        }
    }
}

impl<R: Read> Iterator for Cutter<R> {
    /// A piece of posts, or `None` for a file that cannot be cut (so the pieces stop).
    type Item = Option<Vec<u8>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.ended {
            return None;
        }
        match self.scan() {
            Some(piece) => Some(Some(piece)),
            None if self.failed => Some(None),
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{Name, PostEntry};

    fn entry(i: usize) -> Box<PostEntry> {
        let json = serde_json::json!({
            "source": format!("posts/{i}.md"),
            "title": format!("A \"quoted\" {{title}}, with [brackets] and \\: {i}"),
            "inputs": format!("sha256:{}", "ab".repeat(32)),
            "source_size": i,
            "files": [{
                "path": format!("post-{i}/blog.html"),
                "venue": "blog",
                "bytes": 10,
                "hash": format!("sha256:{}", "cd".repeat(32)),
                "mtime": 1,
            }],
        });
        serde_json::from_value(json).unwrap()
    }

    fn written(posts: usize) -> (Manifest, Vec<u8>) {
        let mut manifest = Manifest {
            generator: "repurpose test".into(),
            keyed: true,
            ..Manifest::default()
        };
        for i in 0..posts {
            manifest
                .posts
                .insert(Name::new(&format!("post-{i}")), entry(i));
        }
        let json = serde_json::to_vec_pretty(&manifest).unwrap();
        (manifest, json)
    }

    /// Block and piece sizes that put a block's edge and a cut everywhere in small files:
    /// inside names, strings and escapes, and at every comma.
    const SIZES: [Sizes; 6] = [
        Sizes {
            block: BLOCK,
            piece: PIECE,
        },
        Sizes { block: 1, piece: 1 },
        Sizes {
            block: 2,
            piece: 40,
        },
        Sizes { block: 3, piece: 1 },
        Sizes {
            block: 7,
            piece: 300,
        },
        Sizes {
            block: 64,
            piece: 1,
        },
    ];

    /// What the cutter reads from `json` with each of `SIZES`; they must agree.
    fn read(json: &[u8]) -> Option<Manifest> {
        let read = |sizes| cut_and_parse(json, sizes);
        let first = read(SIZES[0]);
        for sizes in &SIZES[1..] {
            assert_eq!(read(*sizes), first, "{sizes:?}");
        }
        // Never a manifest the parser of the whole file would not read, nor another one.
        if let Some(manifest) = &first {
            assert_eq!(
                serde_json::from_reader::<_, Manifest>(json).ok().as_ref(),
                Some(manifest)
            );
        }
        first
    }

    #[test]
    fn a_manifest_cut_into_many_pieces_reads_back_whole() {
        // Each entry is a few hundred bytes: several pieces and blocks.
        let (manifest, json) = written(12_000);
        assert!(json.len() > 3 * PIECE, "{}", json.len());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("manifest.json");
        std::fs::write(&path, json).unwrap();
        assert_eq!(
            in_pieces(std::fs::File::open(&path).unwrap()),
            Some(manifest)
        );
    }

    #[test]
    fn a_small_or_compact_manifest_reads_back_whole() {
        for posts in [0, 1, 2, 5] {
            let (manifest, _) = written(posts);
            assert_eq!(
                read(&serde_json::to_vec(&manifest).unwrap()),
                Some(manifest.clone())
            );
            assert_eq!(
                read(&serde_json::to_vec_pretty(&manifest).unwrap()),
                Some(manifest)
            );
        }
    }

    #[test]
    fn names_and_strings_with_escapes_read_back_whole() {
        let json = r#"{"generator": "g \\\\ \" \u00e9", "keyed": true, "posts": {"a\\\"b,}": {"source": "x\\\\.md", "title": "\\\\\"{[,]}\" é ✓", "files": []}, "p\u006fsts": {"source": "y.md", "title": "\\\\", "files": []}}}"#;
        let manifest = read(json.as_bytes()).unwrap();
        assert_eq!(manifest.posts.len(), 2);
        assert_eq!(&*manifest.posts[&Name::new("posts")].title, r"\\");
        assert_eq!(
            &*manifest.posts[&Name::new(r#"a\"b,}"#)].title,
            r#"\\"{[,]}" é ✓"#
        );
    }

    #[test]
    fn members_in_another_order_read_back_whole() {
        let (manifest, _) = written(3);
        let posts = serde_json::to_string(&manifest.posts).unwrap();
        let json =
            format!("{{\"posts\": {posts}, \"keyed\": true, \"generator\": \"repurpose test\"}}");
        assert_eq!(read(json.as_bytes()), Some(manifest));
    }

    #[test]
    fn a_slug_listed_twice_keeps_its_last_entry() {
        // Cut apart with the small pieces of `SIZES`, and together with the others.
        let json = br#"{"generator": "g", "keyed": true, "posts": {"a": {"source": "x.md", "title": "one", "files": []}, "b": {"source": "z.md", "title": "three", "files": []}, "a": {"source": "y.md", "title": "two", "files": []}}}"#;
        let manifest = read(json).unwrap();
        assert_eq!(manifest.posts.len(), 2);
        assert_eq!(&*manifest.posts[&Name::new("a")].title, "two");
    }

    #[test]
    fn anything_else_is_left_to_the_parser_of_the_whole_file() {
        let (_, json) = written(3);
        let text = String::from_utf8(json).unwrap();
        let entry = r#""a": {"source": "s", "title": "t", "files": []}"#;
        for broken in [
            // Cut short, inside the posts and after them.
            text[..text.len() / 2].to_string(),
            text[..text.len() - 2].to_string(),
            // Trailing bytes, a missing comma, two `posts`.
            format!("{text} x"),
            text.replacen("},\n    \"post-1\"", "}\n    \"post-1\"", 1),
            text.replacen("\"posts\": {", "\"posts\": {}, \"posts\": {", 1),
            // Commas with no post before or after them, wherever a cut falls.
            format!(r#"{{"generator": "g", "posts": {{{entry},}}}}"#),
            format!(r#"{{"generator": "g", "posts": {{{entry},   }}}}"#),
            format!(r#"{{"generator": "g", "posts": {{ ,{entry}}}}}"#),
            format!(r#"{{"generator": "g", "posts": {{{entry}, ,{entry}}}}}"#),
            format!(
                r#"{{"generator": "g", "posts": {{{}, {entry}}}}}"#,
                " ".repeat(400)
            ),
            // The posts closed as an array.
            r#"{"generator": "", "posts": {]}"#.to_string(),
            format!(r#"{{"generator": "g", "posts": {{{entry}]}}"#),
            // `posts` not an object, or not there; not an object at all.
            text.replacen("\"posts\": {", "\"posts\": [{", 1),
            r#"{"generator": "g", "keyed": true}"#.to_string(),
            "[]".to_string(),
            "]".to_string(),
            String::new(),
        ] {
            assert_eq!(read(broken.as_bytes()), None, "{broken}");
            assert!(
                serde_json::from_reader::<_, Manifest>(broken.as_bytes()).is_err(),
                "{broken}"
            );
        }
        // More than a few lines around the posts: read, but as one stream.
        let padded = format!("{{\"x\": \"{}\", {}", "a".repeat(PIECE), &text[1..]);
        assert_eq!(read(padded.as_bytes()), None);
    }
}
