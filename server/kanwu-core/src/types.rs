//! Plain result types of the analysis core: diagnostics, fixes and edits over UTF-8 byte offsets.

use std::borrow::Cow;
use std::ops::Range;

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
