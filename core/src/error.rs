//! The one error type of `strata-core`.
//!
//! Every variant says *what* went wrong and *where*: the file (a path relative to the table root
//! as the storage trait sees it) and, where it helps, the field or byte offset. Table metadata is
//! untrusted input, so parsers return these errors instead of panicking.

use std::fmt;

/// Result alias used throughout `strata-core`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Errors raised by `strata-core`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file's bytes do not follow the format: truncated, corrupt or hostile input.
    #[error("corrupt {file}: {what}")]
    Corrupt {
        /// The file (or logical object, such as `_MIN_KEY of manifest-x`) that is corrupt.
        file: String,
        /// What was wrong, with offsets or field names where known.
        what: String,
    },
    /// A JSON metadata file (schema, snapshot, tag, consumer) could not be parsed.
    #[error("invalid JSON in {file}: {source}")]
    Json {
        /// The file being parsed.
        file: String,
        /// The parser's complaint (it carries line and column).
        #[source]
        source: serde_json::Error,
    },
    /// A format feature or version Strata does not support.
    #[error("unsupported in {file}: {what}")]
    Unsupported {
        /// The file that uses the feature.
        file: String,
        /// What is unsupported.
        what: String,
    },
    /// A data type string or object that does not follow Paimon's type grammar.
    #[error("invalid data type {text:?}: {what}")]
    InvalidType {
        /// The offending type text.
        text: String,
        /// Why it is invalid.
        what: String,
    },
    /// A value that does not fit the type it is written as.
    #[error("invalid value: {0}")]
    InvalidValue(String),
    /// A requested object does not exist.
    #[error("not found: {path}")]
    NotFound {
        /// The missing path.
        path: String,
    },
    /// A commit clashes with what another committer published since it was planned (a file
    /// it deletes is gone, overlapping files at one level, differing bucket counts).
    #[error("commit conflict: {0}")]
    Conflict(String),
    /// A put-if-absent found the object already there.
    #[error("already exists: {path}")]
    AlreadyExists {
        /// The existing path.
        path: String,
    },
    /// A storage operation failed for another reason.
    #[error("storage error on {path}: {message}")]
    Storage {
        /// The path involved.
        path: String,
        /// The storage backend's message.
        message: String,
    },
}

impl Error {
    /// Builds a [`Error::Corrupt`] for `file`.
    pub fn corrupt(file: impl fmt::Display, what: impl fmt::Display) -> Self {
        Error::Corrupt {
            file: file.to_string(),
            what: what.to_string(),
        }
    }

    /// Builds a [`Error::Unsupported`] for `file`.
    pub fn unsupported(file: impl fmt::Display, what: impl fmt::Display) -> Self {
        Error::Unsupported {
            file: file.to_string(),
            what: what.to_string(),
        }
    }

    /// Builds a [`Error::InvalidType`].
    pub fn invalid_type(text: impl fmt::Display, what: impl fmt::Display) -> Self {
        Error::InvalidType {
            text: text.to_string(),
            what: what.to_string(),
        }
    }

    /// Replaces the file named by a `Corrupt`, `Unsupported` or `Json` error, so a low-level
    /// decoder can report against a placeholder and the caller can name the real file.
    pub fn in_file(self, file: &str) -> Self {
        match self {
            Error::Corrupt { what, .. } => Error::Corrupt {
                file: file.to_string(),
                what,
            },
            Error::Unsupported { what, .. } => Error::Unsupported {
                file: file.to_string(),
                what,
            },
            Error::Json { source, .. } => Error::Json {
                file: file.to_string(),
                source,
            },
            other => other,
        }
    }
}
