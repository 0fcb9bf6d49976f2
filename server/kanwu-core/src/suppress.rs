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
//!
//! A diagnostic that groups several repairs inside its range (`cjk-space` reports all the spaces
//! of a justified line at once, one deletion per space) is also matched repair by repair: an
//! entry recorded for a single space, before the spaces of a line were grouped, takes that space
//! out of its line's fix, and silences the line's diagnostic once every space of it is silenced.
//!
//! This module is the entries and their matching only; reading and writing the sidecar file is
//! `workspace/sidecar.rs`, as every file access of the core is under `workspace/`.

use crate::findings::Revision;
use crate::types::{Diagnostic, Edit, LocatedError, SettingsFile};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::path::Path;

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

impl Suppressions {
    /// Parses the text of a sidecar file.
    pub fn parse(text: &str) -> Result<Suppressions, String> {
        Suppressions::parse_in(text, None).map_err(|error| error.message)
    }

    /// Parses the text of the sidecar file at `path`, its error located in the file.
    pub fn parse_in(text: &str, path: Option<&Path>) -> Result<Suppressions, LocatedError> {
        toml::from_str(text).map_err(|error| {
            let message = error.message().trim().to_string();
            LocatedError::at(SettingsFile::Ignored, path.map(Path::to_path_buf), text, error.span().unwrap_or(0..0), message)
        })
    }

    /// The text of the sidecar file.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string(self).unwrap_or_default();
        format!("# Occurrences of diagnostics that the proofreaders chose to leave alone (see kanwu's suppress module).\n{body}")
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

    /// What the entries leave of `diagnostic` on `page` (with text `text`): `None` when it is
    /// silenced, else the diagnostic, trimmed when some of its repairs are silenced.
    ///
    /// A diagnostic is silenced by an entry for its own range. A diagnostic whose fixes repair
    /// several places inside its range (`cjk-space` groups the spaces of a line) is also looked at
    /// repair by repair: an entry for one edit's range (as recorded for a single space before the
    /// spaces of a line were grouped) takes that edit out of the fix, and a diagnostic all of whose
    /// edits are silenced is silenced. Its range and message stay as they are. A fix that reaches
    /// beyond its diagnostic's range (`dropped-quote` restoring both marks of a phrase) is all or
    /// nothing and is never trimmed.
    pub fn remaining<'d>(&self, page: &str, text: &str, diagnostic: &'d Diagnostic) -> Option<Cow<'d, Diagnostic>> {
        if self.is_empty_for(page) {
            return Some(Cow::Borrowed(diagnostic));
        }
        if self.silences(page, text, diagnostic) {
            return None;
        }
        let range = &diagnostic.range;
        let inside = |edit: &Edit| range.start <= edit.range.start && edit.range.end <= range.end;
        if diagnostic.fixes.is_empty() || !diagnostic.fixes.iter().all(|fix| !fix.edits.is_empty() && fix.edits.iter().all(inside)) {
            return Some(Cow::Borrowed(diagnostic));
        }
        let silenced = |edit: &Edit| self.silences_at(page, text, diagnostic.code, edit.range.clone());
        if !diagnostic.fixes.iter().flat_map(|fix| &fix.edits).any(silenced) {
            return Some(Cow::Borrowed(diagnostic));
        }
        let mut trimmed = diagnostic.clone();
        for fix in &mut trimmed.fixes {
            fix.edits.retain(|edit| !silenced(edit));
        }
        trimmed.fixes.retain(|fix| !fix.edits.is_empty());
        if trimmed.fixes.is_empty() {
            return None;
        }
        Some(Cow::Owned(trimmed))
    }

    /// Drops the silenced findings of `page` (the language server's shared findings) and trims
    /// the silenced repairs out of the others (see [`Suppressions::remaining`]).
    pub fn retain_findings(&self, page: &str, text: &str, findings: &mut crate::Findings) {
        if self.is_empty_for(page) {
            return;
        }
        findings.revise(|found| {
            // Only a finding some entry could concern is copied out of its shared list.
            if !self.could_concern(page, found.code()) {
                return Revision::Keep;
            }
            let diagnostic = found.to_diagnostic();
            match self.remaining(page, text, &diagnostic) {
                None => Revision::Drop,
                Some(Cow::Borrowed(_)) => Revision::Keep,
                Some(Cow::Owned(trimmed)) => Revision::Replace(trimmed),
            }
        });
    }

    /// Drops the silenced diagnostics of `page` and trims the silenced repairs out of the others
    /// (see [`Suppressions::remaining`]).
    pub fn retain(&self, page: &str, text: &str, diagnostics: &mut Vec<Diagnostic>) {
        if self.is_empty_for(page) {
            return;
        }
        let mut kept = Vec::with_capacity(diagnostics.len());
        for diagnostic in diagnostics.drain(..) {
            match self.remaining(page, text, &diagnostic) {
                None => {}
                Some(Cow::Borrowed(_)) => kept.push(diagnostic),
                Some(Cow::Owned(trimmed)) => kept.push(trimmed),
            }
        }
        *diagnostics = kept;
    }

    /// Whether any entry names `page` and rule `code`.
    fn could_concern(&self, page: &str, code: &str) -> bool {
        self.occurrences.iter().any(|occurrence| occurrence.page == page && occurrence.code == code)
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

    /// An invented justified line and its one grouped `cjk-space` diagnostic.
    fn justified_line() -> (String, Diagnostic) {
        let text = "第一行文字\n深 化 党 建 引 领 ，激 活 发 展 动 能\n".to_string();
        let diagnostics: Vec<Diagnostic> =
            crate::analyze(&text, &crate::Config::with_defaults()).into_iter().filter(|d| d.code == "cjk-space").collect();
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert_eq!(diagnostics[0].fixes[0].edits.len(), 11);
        let diagnostic = diagnostics.into_iter().next().expect("one diagnostic");
        (text, diagnostic)
    }

    /// The entry an editor recorded for the single space at `range` before spaces were grouped.
    fn single_space_entry(text: &str, range: std::ops::Range<usize>) -> Occurrence {
        let occurrence = Occurrence::at("p.txt", text, "cjk-space", range);
        assert_eq!(occurrence.text, " ");
        occurrence
    }

    #[test]
    fn an_old_single_space_entry_takes_its_space_out_of_the_grouped_fix() {
        let (text, diagnostic) = justified_line();
        let edits = diagnostic.fixes[0].edits.clone();
        let mut set = Suppressions::default();
        set.add(single_space_entry(&text, edits[2].range.clone()));
        let silenced: Vec<bool> = edits.iter().map(|edit| set.silences_at("p.txt", &text, "cjk-space", edit.range.clone())).collect();
        assert_eq!(silenced.iter().filter(|&&s| s).count(), 1);
        assert!(silenced[2]);
        assert!(!set.silences("p.txt", &text, &diagnostic), "the line as a whole is not silenced");

        let mut diagnostics = vec![diagnostic.clone()];
        set.retain("p.txt", &text, &mut diagnostics);
        assert_eq!(diagnostics.len(), 1);
        let kept = &diagnostics[0];
        assert_eq!(kept.range, diagnostic.range);
        assert_eq!(kept.message, diagnostic.message);
        let mut expected = edits.clone();
        expected.remove(2);
        assert_eq!(kept.fixes[0].edits, expected);

        let mut findings = crate::Findings::from_sorted(vec![diagnostic.clone()]);
        set.retain_findings("p.txt", &text, &mut findings);
        assert_eq!(findings.to_vec(), diagnostics);

        // Another page's entries change nothing.
        let mut elsewhere = vec![diagnostic.clone()];
        set.retain("q.txt", &text, &mut elsewhere);
        assert_eq!(elsewhere, vec![diagnostic]);
    }

    #[test]
    fn a_grouped_diagnostic_goes_when_all_its_spaces_or_its_whole_range_are_silenced() {
        let (text, diagnostic) = justified_line();
        let mut every_space = Suppressions::default();
        for edit in &diagnostic.fixes[0].edits {
            every_space.add(single_space_entry(&text, edit.range.clone()));
        }
        let mut diagnostics = vec![diagnostic.clone()];
        every_space.retain("p.txt", &text, &mut diagnostics);
        assert!(diagnostics.is_empty());
        let mut findings = crate::Findings::from_sorted(vec![diagnostic.clone()]);
        every_space.retain_findings("p.txt", &text, &mut findings);
        assert!(findings.is_empty());

        let mut whole_line = Suppressions::default();
        whole_line.add(Occurrence::of("p.txt", &text, &diagnostic));
        let mut diagnostics = vec![diagnostic.clone()];
        whole_line.retain("p.txt", &text, &mut diagnostics);
        assert!(diagnostics.is_empty());
        let mut findings = crate::Findings::from_sorted(vec![diagnostic]);
        whole_line.retain_findings("p.txt", &text, &mut findings);
        assert!(findings.is_empty());
    }

    #[test]
    fn a_fix_reaching_beyond_its_range_is_never_trimmed() {
        // A diagnostic over one space whose fix also changes a place outside it (as `dropped-quote`
        // restores both quotation marks) keeps its whole fix.
        let text = "配合村 两委 班子开展排查。";
        let first = text.find(' ').unwrap();
        let second = text.rfind(' ').unwrap();
        let diagnostic = Diagnostic {
            range: second..second + 1,
            code: "dropped-quote",
            severity: crate::Severity::Warning,
            message: crate::Message::new("引号", "quote"),
            fixes: vec![crate::Fix::safe(
                crate::Message::new("恢复引号", "Restore"),
                vec![Edit::replace(first..first + 1, "“"), Edit::replace(second..second + 1, "”")],
            )],
        };
        let mut set = Suppressions::default();
        set.add(Occurrence::at("p.txt", text, "dropped-quote", first..first + 1));
        let mut diagnostics = vec![diagnostic.clone()];
        set.retain("p.txt", text, &mut diagnostics);
        assert_eq!(diagnostics, vec![diagnostic]);
    }
}
