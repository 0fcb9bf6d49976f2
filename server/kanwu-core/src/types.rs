//! Plain result types of the analysis core: diagnostics, fixes and edits over UTF-8 byte offsets,
//! and the one error type of the settings files, located in its file.

use std::borrow::Cow;
use std::ops::Range;
use std::path::PathBuf;

/// Which kind of settings file an error is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SettingsFile {
    /// `kanwu.toml`.
    Config,
    /// A glossary file (the built-in one or a workspace file).
    Glossary,
    /// The ignored occurrences, `.kanwu/ignored.toml`.
    Ignored,
}

impl SettingsFile {
    /// The file's name in a message when the error carries no path.
    pub fn default_name(self) -> &'static str {
        match self {
            SettingsFile::Config => "kanwu.toml",
            SettingsFile::Glossary => "builtin.toml",
            SettingsFile::Ignored => "ignored.toml",
        }
    }

    /// A short stable name of the kind of file, as a diagnostic code: `config`, `glossary`, `ignored`.
    pub fn code(self) -> &'static str {
        match self {
            SettingsFile::Config => "config",
            SettingsFile::Glossary => "glossary",
            SettingsFile::Ignored => "ignored",
        }
    }
}

/// An error in a settings file (`kanwu.toml`, a glossary file, `.kanwu/ignored.toml`) at its place
/// in the file. It shows as `file:line:column: message`; the server turns it into a diagnostic in
/// that file at `span`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}:{column}: {message}", self.file_name())]
pub struct LocatedError {
    /// Which kind of file the error is in.
    pub file: SettingsFile,
    /// The file, or `None` for text not read from a file (the built-in glossary, a string).
    pub path: Option<PathBuf>,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Byte range of the offending text in the file.
    pub span: Range<usize>,
    pub message: String,
}

impl LocatedError {
    /// An error about `span` of `text`, the contents of `path`; its line and column are those of the
    /// span's start (lines end at `\n`).
    pub fn at(file: SettingsFile, path: Option<PathBuf>, text: &str, span: Range<usize>, message: String) -> LocatedError {
        let (line, column) = crate::line_index::LineIndex::new(text).display_position(text, span.start);
        LocatedError { file, path, line, column, span, message }
    }

    /// An error about the whole file at `path` (it could not be read): at its start.
    pub fn whole_file(file: SettingsFile, path: PathBuf, message: String) -> LocatedError {
        LocatedError { file, path: Some(path), line: 1, column: 1, span: 0..0, message }
    }

    /// The file's name for messages: its path, or the default name of its kind.
    pub fn file_name(&self) -> String {
        self.path.as_ref().map_or_else(|| self.file.default_name().to_string(), |path| path.display().to_string())
    }
}

/// How serious a finding is; mirrors the four levels editors know.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

impl Severity {
    /// The lowercase name used in configuration files and JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
            Severity::Hint => "hint",
        }
    }

    /// Parses a severity name as written in `kanwu.toml` or editor settings.
    pub fn parse(name: &str) -> Option<Severity> {
        match name.to_ascii_lowercase().as_str() {
            "error" => Some(Severity::Error),
            "warning" | "warn" => Some(Severity::Warning),
            "information" | "info" => Some(Severity::Information),
            "hint" => Some(Severity::Hint),
            _ => None,
        }
    }

    /// True for the levels that make `kanwu check` exit with status 1.
    pub fn is_warning_or_above(self) -> bool {
        matches!(self, Severity::Error | Severity::Warning)
    }
}

/// The language in which messages are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Locale {
    Zh,
    #[default]
    En,
}

impl Locale {
    /// Chinese for any `zh*` tag (zh, zh-CN, zh_TW.UTF-8), English otherwise.
    pub fn from_tag(tag: &str) -> Locale {
        if tag.trim().to_ascii_lowercase().starts_with("zh") {
            Locale::Zh
        } else {
            Locale::En
        }
    }
}

/// A text in both of Kanwu's languages. Fixed texts are borrowed from the binary, so the many
/// diagnostics that share one message (a wrapped line on every line of a page) cost no allocation
/// to build, clone or drop.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Message {
    pub zh: Cow<'static, str>,
    pub en: Cow<'static, str>,
}

impl Message {
    /// Builds a message from its Chinese and English texts (string literals or formatted strings).
    pub fn new(zh: impl Into<Cow<'static, str>>, en: impl Into<Cow<'static, str>>) -> Message {
        Message { zh: zh.into(), en: en.into() }
    }

    /// The text in the requested locale.
    pub fn get(&self, locale: Locale) -> &str {
        match locale {
            Locale::Zh => &self.zh,
            Locale::En => &self.en,
        }
    }
}

/// One replacement of a byte range of the original text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Edit {
    pub range: Range<usize>,
    pub new_text: String,
}

impl Edit {
    /// Replaces `range` with `new_text`.
    pub fn replace(range: Range<usize>, new_text: impl Into<String>) -> Edit {
        Edit { range, new_text: new_text.into() }
    }

    /// Deletes `range`.
    pub fn delete(range: Range<usize>) -> Edit {
        Edit { range, new_text: String::new() }
    }

    /// Inserts `new_text` at byte offset `at`.
    pub fn insert(at: usize, new_text: impl Into<String>) -> Edit {
        Edit { range: at..at, new_text: new_text.into() }
    }
}

/// A way to repair a diagnostic: one or more non-overlapping edits.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Fix {
    pub title: Message,
    /// Safe fixes are applied by `kanwu fix` and by fix-all; the others are only suggested.
    pub safe: bool,
    /// The fix an editor should offer first.
    pub preferred: bool,
    pub edits: Vec<Edit>,
}

impl Fix {
    /// A fix that fix-all applies without asking.
    pub fn safe(title: Message, edits: Vec<Edit>) -> Fix {
        Fix { title, safe: true, preferred: true, edits }
    }

    /// A fix that is only offered to the user.
    pub fn suggested(title: Message, edits: Vec<Edit>) -> Fix {
        Fix { title, safe: false, preferred: false, edits }
    }
}

/// One finding of one rule over a byte range of a page.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub range: Range<usize>,
    pub code: &'static str,
    pub severity: Severity,
    pub message: Message,
    pub fixes: Vec<Fix>,
}

impl Diagnostic {
    /// The first safe fix, which `kanwu fix` and fix-all apply.
    pub fn safe_fix(&self) -> Option<&Fix> {
        self.fixes.iter().find(|fix| fix.safe)
    }
}
