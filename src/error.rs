//! Error helpers: a message placed at a line and column, and filesystem calls that name
//! the path they touched.

use std::fmt;
use std::path::Path;

use anyhow::{Context, Result};

/// A problem at a place in a file; the caller knows which file and prefixes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong, and how to fix it when we know.
    pub message: String,
}

impl Located {
    /// A message at `line:column`.
    pub fn new(line: usize, column: usize, message: impl Into<String>) -> Self {
        Located {
            line,
            column,
            message: message.into(),
        }
    }

    /// The error for `path`, printed `path:line:column: message`.
    pub fn in_file(self, path: &Path) -> anyhow::Error {
        anyhow::Error::msg(format!(
            "{}:{}:{}: {}",
            path.display(),
            self.line,
            self.column,
            self.message
        ))
    }
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for Located {}

/// Reads a file, naming it in the error.
pub fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("failed to read `{}`", path.display()))
}

/// Reads a UTF-8 text file, naming it (and the first bad byte) in the error.
pub fn read_text(path: &Path) -> Result<String> {
    utf8(path, read(path)?)
}

/// A file's bytes as text, naming the file and the first bad byte when it is not UTF-8.
pub fn utf8(path: &Path, bytes: Vec<u8>) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}: not UTF-8 text (invalid byte at offset {}); save the file as UTF-8",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

/// Creates a folder and its parents, naming it in the error.
pub fn create_dir_all(path: &Path) -> Result<()> {
    std::fs::create_dir_all(path)
        .with_context(|| format!("failed to create folder `{}`", path.display()))
}
