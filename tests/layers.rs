//! The module picture is a straight stack (issue 11): every `crate::…` (and `super::…`)
//! reference in `src/` points from a module to one in its own layer or below, but for the
//! upward arrows listed by name; no import cycles between modules but the ones listed (at
//! most one); no source file over 1,000 lines.
//!
//! The layers are data, below. Test code (`#[cfg(test)]` items and the files they declare)
//! is left out: a test may reach anywhere. Run the report, which prints the graph's cycles,
//! upward arrows and long files before checking them:
//!
//! ```text
//! cargo test --test layers -- --nocapture
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The layers, from the bottom up, each with the top-level modules of `src/` in it (`lib`
/// is the crate root: `lib.rs`'s own items). A module may use modules of its own layer and
/// of layers below it.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "foundations",
        &[
            "error", "shell", "status", "output", "manifest", "hash", "slug", "date", "yaml",
            "suggest", "progress", "inputs",
        ],
    ),
    ("markdown", &["markdown"]),
    ("media", &["media"]),
    (
        "model and formats",
        &[
            "render", "post", "thread", "venue", "config", "context", "filters",
        ],
    ),
    ("findings", &["findings"]),
    ("pipeline", &["pipeline"]),
    ("publishing", &["publish"]),
    ("commands", &["cmd"]),
    ("top", &["cli", "lib"]),
];

/// Arrows from a lower layer up to a higher one that are accepted, `(from, to)` by
/// top-level module (issue 11 allows at most two).
const ALLOWED_UPWARD: &[(&str, &str)] = &[
    // A command takes its own clap arguments (`cli::BuildArgs` …): parsed at the top,
    // read where the command runs.
    ("cmd", "cli"),
];

/// Import cycles that are accepted, each as the sorted names of the modules in it (issue 11
/// allows at most one, e.g. a renderer and its loss accounting).
const ALLOWED_CYCLES: &[&[&str]] = &[];

/// The most lines a source file may have.
const MAX_LINES: usize = 1000;

#[test]
fn modules_form_a_straight_stack() {
    let graph = Graph::read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    let findings = graph.findings();
    println!("{}", findings.report());
    assert!(
        ALLOWED_UPWARD.len() <= 2,
        "issue 11 allows two upward arrows"
    );
    assert!(ALLOWED_CYCLES.len() <= 1, "issue 11 allows one cycle");
    assert!(
        findings.is_clean(),
        "the module stack is not straight:\n{}",
        findings.report()
    );
}

/// A sanity check of the reader itself on a small made-up tree, so that the layers test
/// cannot pass by reading nothing.
#[test]
fn the_reader_finds_references_cycles_and_upward_arrows() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let write = |path: &str, text: &str| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("folders");
        std::fs::write(path, text).expect("a file");
    };
    write(
        "lib.rs",
        "pub mod error;\npub mod render;\npub mod post;\npub struct Status;\nfn run() { render::run(); }\n",
    );
    write(
        "error.rs",
        "// crate::post in a comment is no reference\nuse crate::Status;\nconst S: &str = \"crate::render\";\n",
    );
    write(
        "render/mod.rs",
        "mod loss;\nmod text;\nuse crate::{error, post::{Post, edition::Editions}};\n#[cfg(test)]\nmod tests { use crate::build::x; }\n",
    );
    write("render/loss.rs", "use super::text::Writer;\n");
    write(
        "render/text.rs",
        "use super::loss::Loss;\nfn f(c: char) -> bool { c == '{' }\n",
    );
    write("post/mod.rs", "pub mod edition;\n");
    write(
        "post/edition.rs",
        "use crate::render::Format;\nuse super::super::error::Error;\n",
    );
    let graph = Graph::read(dir.path());
    let edges: BTreeSet<(String, String)> = graph
        .edges
        .keys()
        .map(|(a, b)| (a.clone(), b.clone()))
        .collect();
    let edge = |a: &str, b: &str| (a.to_owned(), b.to_owned());
    assert_eq!(
        edges,
        BTreeSet::from([
            edge("error", "lib"),
            edge("lib", "render"),
            edge("render", "error"),
            edge("render", "post"),
            edge("render", "post::edition"),
            edge("render::loss", "render::text"),
            edge("render::text", "render::loss"),
            edge("post::edition", "render"),
            edge("post::edition", "error"),
        ])
    );
    let findings = graph.findings();
    // The root runs render, which uses error, which uses the root's `Status`: one cycle.
    assert_eq!(
        findings.cycles,
        [
            ["error", "lib", "post", "render"]
                .map(str::to_owned)
                .to_vec(),
            ["render::loss", "render::text"].map(str::to_owned).to_vec(),
        ]
    );
    let upward: Vec<(&str, &str)> = findings
        .upward
        .iter()
        .map(|u| (u.from.as_str(), u.to.as_str()))
        .collect();
    assert_eq!(upward, [("error", "lib")]);
}

/// The references between the file modules of a source tree.
struct Graph {
    /// `(from, to)` file modules (`render::text`; `lib` for the crate root) → where the
    /// first reference is, and how many there are.
    edges: BTreeMap<(String, String), (String, usize)>,
    /// Every file with its line count.
    lines: Vec<(String, usize)>,
    /// The top-level modules there are.
    modules: BTreeSet<String>,
}

/// An arrow from a lower layer to a higher one.
struct Upward {
    from: String,
    to: String,
    /// Where the first reference is, and how many there are.
    at: String,
    count: usize,
}

/// What the check finds.
struct Findings {
    /// Top-level module → top-level modules it uses, with the number of references.
    top: BTreeMap<String, BTreeMap<String, usize>>,
    /// Each cycle (strongly connected modules) as sorted names, top-level ones first.
    cycles: Vec<Vec<String>>,
    /// The top-level cycles that do not pass through the crate root, whose own items
    /// (`Status`, `report`, …) tie every command to it: the circles behind the big one.
    cycles_without_root: Vec<Vec<String>>,
    upward: Vec<Upward>,
    long_files: Vec<(String, usize)>,
    unplaced: Vec<String>,
}

impl Graph {
    fn read(src: &Path) -> Graph {
        let mut files: Vec<PathBuf> = walkdir::WalkDir::new(src)
            .into_iter()
            .map(|e| e.expect("src/ walks").into_path())
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
            .collect();
        files.sort();
        let mut graph = Graph {
            edges: BTreeMap::new(),
            lines: Vec::new(),
            modules: BTreeSet::new(),
        };
        let mut texts = BTreeMap::new();
        let mut test_only = BTreeSet::new();
        for file in &files {
            let relative = file.strip_prefix(src).expect("under src/");
            let shown = format!("src/{}", relative.display());
            let text = std::fs::read_to_string(file).expect("a source file reads");
            graph.lines.push((shown.clone(), text.lines().count()));
            if relative == Path::new("main.rs") {
                continue; // the binary: it reaches the library as `repurpose::`
            }
            let module = module_of(relative);
            let (code, tests) = without_tests(&strip(&text));
            for child in tests {
                test_only.insert(join(&module, &child));
            }
            texts.insert(module, (shown, code));
        }
        let known: BTreeSet<Vec<String>> = texts.keys().cloned().collect();
        for module in &known {
            if let Some(top) = module.first() {
                graph.modules.insert(top.clone());
            }
        }
        graph.modules.insert("lib".to_owned());
        for (module, (shown, code)) in &texts {
            if test_only.iter().any(|t| module.starts_with(t)) {
                continue;
            }
            for (line, path) in references(module, code, &graph.modules) {
                let target = resolve(&known, &path);
                if target == *module
                    || (!target.is_empty() && !module.is_empty())
                        && (target.starts_with(module) || module.starts_with(&target))
                {
                    continue; // itself, or its own parent or child
                }
                let entry = graph
                    .edges
                    .entry((name(module), name(&target)))
                    .or_insert_with(|| (format!("{shown}:{line}"), 0));
                entry.1 += 1;
            }
        }
        graph
    }

    fn findings(&self) -> Findings {
        let layer_of = |module: &str| {
            LAYERS
                .iter()
                .position(|(_, modules)| modules.contains(&module))
        };
        let top_of = |name: &str| name.split("::").next().unwrap_or(name).to_owned();
        let mut top: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
        let mut first_at: BTreeMap<(String, String), String> = BTreeMap::new();
        for ((from, to), (at, count)) in &self.edges {
            let (from, to) = (top_of(from), top_of(to));
            if from != to {
                *top.entry(from.clone())
                    .or_default()
                    .entry(to.clone())
                    .or_default() += count;
                first_at.entry((from, to)).or_insert_with(|| at.clone());
            }
        }
        let mut cycles = strongly_connected(&top);
        let mut without_root = top.clone();
        without_root.remove("lib");
        for tos in without_root.values_mut() {
            tos.remove("lib");
        }
        let cycles_without_root = strongly_connected(&without_root);
        // Cycles inside one top-level module, between its files.
        let mut inner: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
        for ((from, to), (_, count)) in &self.edges {
            if top_of(from) == top_of(to) {
                inner
                    .entry(from.clone())
                    .or_default()
                    .insert(to.clone(), *count);
            }
        }
        cycles.extend(strongly_connected(&inner));
        cycles.retain(|c| !ALLOWED_CYCLES.iter().any(|a| a.iter().eq(c.iter())));
        let mut upward = Vec::new();
        for (from, tos) in &top {
            for (to, count) in tos {
                let (Some(a), Some(b)) = (layer_of(from), layer_of(to)) else {
                    continue;
                };
                if b > a && !ALLOWED_UPWARD.contains(&(from.as_str(), to.as_str())) {
                    upward.push(Upward {
                        from: from.clone(),
                        to: to.clone(),
                        at: first_at[&(from.clone(), to.clone())].clone(),
                        count: *count,
                    });
                }
            }
        }
        Findings {
            top,
            cycles,
            cycles_without_root,
            upward,
            long_files: self
                .lines
                .iter()
                .filter(|(_, n)| *n > MAX_LINES)
                .cloned()
                .collect(),
            unplaced: self
                .modules
                .iter()
                .filter(|m| layer_of(m).is_none())
                .cloned()
                .collect(),
        }
    }
}

impl Findings {
    fn is_clean(&self) -> bool {
        self.cycles.is_empty()
            && self.upward.is_empty()
            && self.long_files.is_empty()
            && self.unplaced.is_empty()
    }

    /// The graph by layer, then what breaks the stack.
    fn report(&self) -> String {
        let mut out = String::from("imports between top-level modules, by layer (top first):\n");
        for (layer, modules) in LAYERS.iter().rev() {
            let _ = writeln!(out, "  {layer}");
            for module in *modules {
                if let Some(tos) = self.top.get(*module) {
                    let uses: Vec<String> =
                        tos.iter().map(|(to, n)| format!("{to} ({n})")).collect();
                    let _ = writeln!(out, "    {module} → {}", uses.join(", "));
                }
            }
        }
        let _ = writeln!(out, "cycles ({}):", self.cycles.len());
        for cycle in &self.cycles {
            let _ = writeln!(out, "  {}", cycle.join(" ⇄ "));
        }
        if self.cycles.iter().any(|c| c.iter().any(|m| m == "lib")) {
            let _ = writeln!(out, "  without the crate root:");
            for cycle in &self.cycles_without_root {
                let _ = writeln!(out, "    {}", cycle.join(" ⇄ "));
            }
        }
        let _ = writeln!(out, "upward arrows ({}):", self.upward.len());
        for u in &self.upward {
            let plural = if u.count == 1 { "" } else { "s" };
            let _ = writeln!(
                out,
                "  {} → {} ({} reference{plural}; first at {})",
                u.from, u.to, u.count, u.at
            );
        }
        let _ = writeln!(
            out,
            "files over {MAX_LINES} lines ({}):",
            self.long_files.len()
        );
        for (file, n) in &self.long_files {
            let _ = writeln!(out, "  {file}: {n}");
        }
        if !self.unplaced.is_empty() {
            let _ = writeln!(
                out,
                "modules in no layer (add them to LAYERS): {}",
                self.unplaced.join(", ")
            );
        }
        out
    }
}

/// `render/text.rs` → `[render, text]`; `render/mod.rs` → `[render]`; `lib.rs` → `[]`.
fn module_of(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_owned());
    }
    parts
}

fn join(module: &[String], child: &str) -> Vec<String> {
    let mut path = module.to_vec();
    path.push(child.to_owned());
    path
}

/// `render::text`, or `lib` for the crate root.
fn name(module: &[String]) -> String {
    if module.is_empty() {
        "lib".to_owned()
    } else {
        module.join("::")
    }
}

/// The longest prefix of `path` that is a file module (the crate root if none is).
fn resolve(known: &BTreeSet<Vec<String>>, path: &[String]) -> Vec<String> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|prefix| known.contains(prefix))
        .unwrap_or_default()
}

/// Source text with comments, strings and character literals blanked out (line breaks
/// kept, so lines still count).
fn strip(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |out: &mut String, c: char| out.push(if c == '\n' { '\n' } else { ' ' });
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
            }
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !ident_before(&chars, i) {
            // A raw string: r"…", r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            while j < chars.len() {
                if chars[j] == '"' && (1..=hashes).all(|k| chars.get(j + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                blank(&mut out, chars[j]);
                j += 1;
            }
            i = j;
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                if let Some(&c) = chars.get(i) {
                    blank(&mut out, c);
                }
                i += 1;
            }
            i += 1;
        } else if c == '\'' && (next == Some('\\') || chars.get(i + 2) == Some(&'\'')) {
            // A character literal (a lifetime has no closing quote).
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("' '");
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident_before(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// The code without its `#[cfg(test)]` items (blanked, line breaks kept), and the names
/// of the child modules declared under `#[cfg(test)]` (`mod tests;`).
fn without_tests(code: &str) -> (String, Vec<String>) {
    let mut out = String::with_capacity(code.len());
    let mut children = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let item = &rest[at..];
        // The item ends at its first `;` or at the brace closing its first `{`.
        let mut depth = 0;
        let mut end = item.len();
        for (i, c) in item.char_indices() {
            match c {
                ';' if depth == 0 => {
                    end = i + 1;
                    break;
                }
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        let declared = &item[..end];
        let words: Vec<&str> = declared
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .collect();
        if declared.ends_with(';')
            && let Some(at) = words.iter().position(|w| *w == "mod")
            && let Some(child) = words.get(at + 1)
        {
            children.push((*child).to_owned());
        }
        out.extend(declared.chars().map(|c| if c == '\n' { '\n' } else { ' ' }));
        rest = &item[end..];
    }
    out.push_str(rest);
    (out, children)
}

/// Every path the code reaches through `crate::` or `super::` (and, in the crate root,
/// through a top-level module's own name), as absolute module paths with the line each
/// starts on; `use` groups (`crate::{a, b::{c, d}}`) are expanded.
fn references(module: &[String], code: &str, tops: &BTreeSet<String>) -> Vec<(usize, Vec<String>)> {
    let chars: Vec<char> = code.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let after_path = i > 0 && (chars[i - 1] == ':' || chars[i - 1] == '.');
        let root_path = module.is_empty()
            && !after_path
            && tops
                .iter()
                .any(|top| starts(&chars, i, &format!("{top}::")));
        if ident_before(&chars, i)
            || !(root_path || starts(&chars, i, "crate::") || starts(&chars, i, "super::"))
        {
            i += 1;
            continue;
        }
        let line = chars[..i].iter().filter(|&&c| c == '\n').count() + 1;
        let mut base: Vec<String> = Vec::new();
        if root_path {
            // The crate root names its modules directly: `build::run`.
        } else if starts(&chars, i, "crate::") {
            i += "crate::".len();
        } else {
            base = module.to_vec();
            while starts(&chars, i, "super::") {
                base.pop();
                i += "super::".len();
            }
        }
        let mut paths = Vec::new();
        i = use_tree(&chars, i, base, &mut paths);
        found.extend(paths.into_iter().map(|p| (line, p)));
    }
    found
}

fn starts(chars: &[char], i: usize, word: &str) -> bool {
    word.chars()
        .enumerate()
        .all(|(k, c)| chars.get(i + k) == Some(&c))
}

/// Reads a path or `{…}` group at `i` onto `prefix`, pushing each whole path; returns
/// where it stops.
fn use_tree(
    chars: &[char],
    mut i: usize,
    mut prefix: Vec<String>,
    paths: &mut Vec<Vec<String>>,
) -> usize {
    loop {
        while chars.get(i).is_some_and(|c| c.is_whitespace()) {
            i += 1;
        }
        if chars.get(i) == Some(&'{') {
            i += 1;
            loop {
                while chars.get(i).is_some_and(|c| c.is_whitespace() || *c == ',') {
                    i += 1;
                }
                match chars.get(i) {
                    None => return i,
                    Some('}') => return i + 1,
                    Some(_) => {
                        let before = i;
                        i = use_tree(chars, i, prefix.clone(), paths);
                        if i == before {
                            i += 1; // not a path: `*`, `self as x`, …
                        }
                    }
                }
            }
        }
        let start = i;
        while chars
            .get(i)
            .is_some_and(|c| c.is_alphanumeric() || *c == '_')
        {
            i += 1;
        }
        if i == start {
            if !prefix.is_empty() {
                paths.push(prefix);
            }
            return i;
        }
        let word: String = chars[start..i].iter().collect();
        if word != "self" {
            prefix.push(word);
        }
        if starts(chars, i, "::") {
            i += 2;
        } else {
            paths.push(prefix);
            return i;
        }
    }
}

/// The groups of two or more nodes that reach each other (Tarjan's algorithm), each sorted.
fn strongly_connected(graph: &BTreeMap<String, BTreeMap<String, usize>>) -> Vec<Vec<String>> {
    struct State<'g> {
        graph: &'g BTreeMap<String, BTreeMap<String, usize>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        groups: Vec<Vec<String>>,
    }
    fn visit<'g>(s: &mut State<'g>, node: &'g str) {
        let n = s.index.len();
        s.index.insert(node, n);
        s.low.insert(node, n);
        s.stack.push(node);
        s.on_stack.insert(node);
        let graph = s.graph;
        for next in graph.get(node).into_iter().flat_map(|tos| tos.keys()) {
            let next = next.as_str();
            if !s.index.contains_key(next) {
                visit(s, next);
                let low = s.low[node].min(s.low[next]);
                s.low.insert(node, low);
            } else if s.on_stack.contains(next) {
                let low = s.low[node].min(s.index[next]);
                s.low.insert(node, low);
            }
        }
        if s.low[node] == s.index[node] {
            let mut group = Vec::new();
            while let Some(top) = s.stack.pop() {
                s.on_stack.remove(top);
                group.push(top.to_owned());
                if top == node {
                    break;
                }
            }
            if group.len() > 1 {
                group.sort();
                s.groups.push(group);
            }
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        groups: Vec::new(),
    };
    for node in graph.keys() {
        if !state.index.contains_key(node.as_str()) {
            visit(&mut state, node);
        }
    }
    state.groups.sort();
    state.groups
}
