//! Ignored occurrences: single diagnostics a proofreader has dismissed, kept beside the pages.
//!
//! The editor's "Ignore this occurrence" action records the dismissed diagnostic in the sidecar
//! file `<root>/.kanwu/ignored.toml` (`root` is the folder of the workspace's `kanwu.toml`, or the
//! workspace folder when there is none). The page itself is never touched. Each entry names the
//! page (its path relative to `root`, with `/` separators), the rule code, the flagged text and a
//! few characters of context on either side:
//!
//! ```toml
//! # Occurrences of diagnostics that the proofreaders chose to leave alone.
//! [[occurrence]]
//! page = "2020-02/page-a.txt"
//! code = "cjk-space"
//! text = " "
//! before = "志愿小队本周走访"
//! after = "300 多户居民家"
//! ```
//!
//! An entry silences a diagnostic of the same page and code whose flagged text equals `text`,
//! whose preceding text ends with `before` and whose following text starts with `after`. Byte
//! offsets are not stored, so the entry survives edits elsewhere on the page; an edit of the
//! flagged text or its immediate context ends it, since it is then no longer the same occurrence.
//! When the same text and context appear twice on a page, both occurrences are silenced.

use crate::types::Diagnostic;
use crate::workspace::fs::{self, FileStamp};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The folder, below the workspace root, that holds Kanwu's sidecar files.
pub const SIDECAR_DIR: &str = ".kanwu";

/// The sidecar file of ignored occurrences, inside [`SIDECAR_DIR`].
pub const SIDECAR_FILE: &str = "ignored.toml";

/// How many characters of context are recorded on either side of the flagged text.
pub const CONTEXT_CHARS: usize = 8;

/// One dismissed diagnostic.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Occurrence {
    /// The page, relative to the workspace root, with `/` separators.
    pub page: String,
    /// The rule code.
    pub code: String,
    /// The flagged text.
    pub text: String,
    /// Up to [`CONTEXT_CHARS`] characters just before the flagged text.
    #[serde(default)]
    pub before: String,
    /// Up to [`CONTEXT_CHARS`] characters just after the flagged text.
    #[serde(default)]
    pub after: String,
}

impl Occurrence {
    /// Describes `diagnostic` on the page `page` (already relative to the root) whose text is `text`.
    pub fn of(page: &str, text: &str, diagnostic: &Diagnostic) -> Occurrence {
        Occurrence::at(page, text, diagnostic.code, diagnostic.range.clone())
    }

    /// Describes a finding of rule `code` over the byte range `range` of `text`.
    pub fn at(page: &str, text: &str, code: &str, range: std::ops::Range<usize>) -> Occurrence {
        let (start, end) = clamp(text, range);
        Occurrence {
            page: page.to_string(),
            code: code.to_string(),
            text: text[start..end].to_string(),
            before: context_before(text, start),
            after: context_after(text, end),
        }
    }

    /// Whether this entry silences a finding of `code` over `range` of `text` on `page`.
    pub fn matches(&self, page: &str, text: &str, code: &str, range: std::ops::Range<usize>) -> bool {
        if self.page != page || self.code != code {
            return false;
        }
        let (start, end) = clamp(text, range);
        text[start..end] == self.text && text[..start].ends_with(&self.before) && text[end..].starts_with(&self.after)
    }
}

/// The ignored occurrences of one workspace root.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppressions {
    #[serde(default, rename = "occurrence")]
    pub occurrences: Vec<Occurrence>,
}

/// Why the sidecar file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SuppressError {
    #[error("{0}")]
    File(fs::FsError),
    #[error("{}: {message}", path.display())]
    Parse { path: PathBuf, message: String },
}

impl Suppressions {
    /// The sidecar path for the workspace root `root`.
    pub fn path_for(root: &Path) -> PathBuf {
        root.join(SIDECAR_DIR).join(SIDECAR_FILE)
    }

    /// Parses the text of a sidecar file.
    pub fn parse(text: &str) -> Result<Suppressions, String> {
        toml::from_str(text).map_err(|error| error.message().trim().to_string())
    }

    /// Reads the sidecar of `root`; a missing file gives an empty set. The file must be a regular
    /// file of at most `MAX_SETTINGS_BYTES` (a pipe or a device there is an error, never a hang).
    pub fn load(root: &Path) -> Result<Suppressions, SuppressError> {
        Suppressions::load_stamped(root).map(|(suppressions, _)| suppressions)
    }

    /// Like [`Suppressions::load`], with what the file was when read (`None`: no file), for a save
    /// that must not overwrite changes made meanwhile.
    pub fn load_stamped(root: &Path) -> Result<(Suppressions, Option<FileStamp>), SuppressError> {
        let path = Suppressions::path_for(root);
        // The sidecar belongs to the workspace: a link out of it is not read.
        if let Err(error) = fs::ensure_inside(&path, &[root.to_path_buf()]) {
            if std::fs::symlink_metadata(&path).is_ok() {
                return Err(SuppressError::File(error));
            }
        }
        match fs::read_settings_text(&path) {
            Ok((text, stamp)) => {
                let suppressions = Suppressions::parse(&text).map_err(|message| SuppressError::Parse { path, message })?;
                Ok((suppressions, Some(stamp)))
            }
            Err(error) if error.is_not_found() => Ok((Suppressions::default(), None)),
            Err(error) => Err(SuppressError::File(error)),
        }
    }

    /// The text of the sidecar file.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string(self).unwrap_or_default();
        format!("# Occurrences of diagnostics that the proofreaders chose to leave alone (see kanwu's suppress module).\n{body}")
    }

    /// Writes the sidecar of `root` atomically, creating `.kanwu/` if needed, only inside
    /// `inside` (links followed), and only over the file as it was read (`read`: its stamp, or
    /// `None` when there was none) and when that file is a valid sidecar.
    pub fn save(&self, root: &Path, inside: &[PathBuf], read: Option<FileStamp>) -> Result<(), SuppressError> {
        fs::create_dir_inside(&root.join(SIDECAR_DIR), inside).map_err(SuppressError::File)?;
        let expect = match read {
            Some(stamp) => fs::Expect::Unchanged(stamp),
            None => fs::Expect::Absent,
        };
        let rules =
            fs::WriteRules { inside, expect, format: Some(("ignored-occurrences sidecar", |text| Suppressions::parse(text).is_ok())) };
        fs::write_atomically(&Suppressions::path_for(root), self.to_toml().as_bytes(), &rules).map_err(SuppressError::File)?;
        Ok(())
    }

    /// Adds an entry unless an equal one is already there; returns whether it was added.
    pub fn add(&mut self, occurrence: Occurrence) -> bool {
        if self.occurrences.contains(&occurrence) {
            return false;
        }
        self.occurrences.push(occurrence);
        true
    }

    /// Whether the entries say nothing about `page`.
    pub fn is_empty_for(&self, page: &str) -> bool {
        !self.occurrences.iter().any(|occurrence| occurrence.page == page)
    }

    /// Whether `diagnostic` on `page` (with text `text`) is silenced.
    pub fn silences(&self, page: &str, text: &str, diagnostic: &Diagnostic) -> bool {
        self.silences_at(page, text, diagnostic.code, diagnostic.range.clone())
    }

    /// Whether a diagnostic of rule `code` over `range` of `page` (with text `text`) is silenced.
    pub fn silences_at(&self, page: &str, text: &str, code: &str, range: std::ops::Range<usize>) -> bool {
        self.occurrences.iter().any(|occurrence| occurrence.matches(page, text, code, range.clone()))
    }

    /// Drops the silenced findings of `page` (the language server's shared findings).
    pub fn retain_findings(&self, page: &str, text: &str, findings: &mut crate::Findings) {
        if self.is_empty_for(page) {
            return;
        }
        findings.retain(|found| !self.silences_at(page, text, found.code(), found.range()));
    }

    /// Drops the silenced diagnostics of `page`.
    pub fn retain(&self, page: &str, text: &str, diagnostics: &mut Vec<Diagnostic>) {
        if self.is_empty_for(page) {
            return;
        }
        diagnostics.retain(|diagnostic| !self.silences(page, text, diagnostic));
    }
}

/// The page path as recorded: relative to `root`, `/`-separated; `None` when outside `root`.
pub fn page_key(root: &Path, page: &Path) -> Option<String> {
    let relative = page.strip_prefix(root).ok()?;
    let parts: Vec<String> = relative.components().map(|part| part.as_os_str().to_string_lossy().into_owned()).collect();
    if parts.is_empty() {
        return None;
    }
    Some(parts.join("/"))
}

fn clamp(text: &str, range: std::ops::Range<usize>) -> (usize, usize) {
    let mut start = range.start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = range.end.clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    (start, end)
}

fn context_before(text: &str, start: usize) -> String {
    let from = text[..start].char_indices().rev().nth(CONTEXT_CHARS - 1).map_or(0, |(index, _)| index);
    text[from..start].to_string()
}

fn context_after(text: &str, end: usize) -> String {
    let to = text[end..].char_indices().nth(CONTEXT_CHARS).map_or(text.len(), |(index, _)| end + index);
    text[end..to].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn survives_edits_elsewhere_and_ends_with_edits_nearby() {
        let text = "第一行文字\n志愿小队本周走访 300 多户居民\n";
        let start = text.find(" 300").unwrap();
        let occurrence = Occurrence::at("a/p.txt", text, "cjk-space", start..start + 1);
        assert_eq!(occurrence.text, " ");
        assert_eq!(occurrence.before, "志愿小队本周走访");
        assert_eq!(occurrence.after, "300 多户居民");
        let mut set = Suppressions::default();
        assert!(set.add(occurrence.clone()));
        assert!(!set.add(occurrence));

        let edited = format!("新增一段。\n{text}");
        let moved = edited.find(" 300").unwrap();
        assert!(set.occurrences[0].matches("a/p.txt", &edited, "cjk-space", moved..moved + 1));
        assert!(!set.occurrences[0].matches("b/p.txt", &edited, "cjk-space", moved..moved + 1));
        let changed = edited.replace("本周走访", "本周慰问");
        let at = changed.find(" 300").unwrap();
        assert!(!set.occurrences[0].matches("a/p.txt", &changed, "cjk-space", at..at + 1));
    }

    #[test]
    fn round_trips_through_toml_and_disk() {
        let mut set = Suppressions::default();
        set.add(Occurrence {
            page: "p.txt".into(),
            code: "x".into(),
            text: "\"引号\"\n".into(),
            before: String::new(),
            after: "尾".into(),
        });
        let text = set.to_toml();
        assert_eq!(Suppressions::parse(&text).unwrap(), set);
        let folder = tempfile::tempdir().unwrap();
        let root = folder.path().to_path_buf();
        let inside = [root.clone()];
        set.save(&root, &inside, None).unwrap();
        let (loaded, stamp) = Suppressions::load_stamped(&root).unwrap();
        assert_eq!(loaded, set);
        // Saving again needs the stamp of what was read: a save over a file it never saw is refused.
        assert!(set.save(&root, &inside, None).is_err());
        set.save(&root, &inside, stamp).unwrap();
        std::fs::remove_dir_all(root.join(SIDECAR_DIR)).unwrap();
        assert_eq!(Suppressions::load(&root).unwrap(), Suppressions::default());
        assert_eq!(page_key(Path::new("/w"), Path::new("/w/a/b.txt")).as_deref(), Some("a/b.txt"));
        assert_eq!(page_key(Path::new("/w"), Path::new("/x/b.txt")), None);
    }
}
