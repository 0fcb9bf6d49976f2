//! The glossary: hover definitions of Party-building, rural-policy, epidemic-control and Inner Mongolian terms, found OCR-aware in pages.
//!
//! A glossary is read from TOML files of `[[term]]` entries (`term`, `aliases`, `category`,
//! `definition`, `english`, `related`). The built-in glossary is compiled in; workspace files named
//! by `kanwu.toml` (`[glossary] files = [...]`, or `glossary.toml` beside it) are laid over it, adding
//! entries or replacing them by term. Terms and aliases are found on the [`NormalizedView`] of a page,
//! so a term cut by a column wrap, spaced out by extraction or stripped of its quotation marks is
//! still found, and hits are mapped back to original byte ranges.

use crate::normalized::NormalizedView;
use crate::page::Page;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::Deserialize;
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, OnceLock};
use toml::Spanned;

/// The text of the built-in glossary.
pub const BUILTIN_TOML: &str = include_str!("../glossary/builtin.toml");

/// The name of the built-in glossary file, as shown in messages and sources.
pub const BUILTIN_FILE_NAME: &str = "builtin.toml";

/// The workspace glossary looked for beside `kanwu.toml` when the configuration names none.
pub const DEFAULT_WORKSPACE_FILE: &str = "glossary.toml";

static BUILTIN: LazyLock<Glossary> = LazyLock::new(|| Glossary::parse(BUILTIN_TOML, None).expect("the built-in glossary is valid"));

/// The subject area of an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    Organization,
    Role,
    Formula,
    Practice,
    Rural,
    Epidemic,
    Administrative,
    Culture,
}

impl Category {
    /// Every category, in the order of the built-in file.
    pub const ALL: [Category; 8] = [
        Category::Organization,
        Category::Role,
        Category::Formula,
        Category::Practice,
        Category::Rural,
        Category::Epidemic,
        Category::Administrative,
        Category::Culture,
    ];

    /// The name used in glossary files.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Organization => "organization",
            Category::Role => "role",
            Category::Formula => "formula",
            Category::Practice => "practice",
            Category::Rural => "rural",
            Category::Epidemic => "epidemic",
            Category::Administrative => "administrative",
            Category::Culture => "culture",
        }
    }

    /// The Chinese name shown in hovers.
    pub fn zh_name(self) -> &'static str {
        match self {
            Category::Organization => "党政组织与机构",
            Category::Role => "职务与身份",
            Category::Formula => "提法与口号",
            Category::Practice => "制度与工作方法",
            Category::Rural => "农村牧区与扶贫政策",
            Category::Epidemic => "疫情防控",
            Category::Administrative => "行政区划与地名单位",
            Category::Culture => "民族与文化",
        }
    }

    /// The category named `name` in a glossary file.
    pub fn parse(name: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|category| category.as_str() == name)
    }
}

/// Where an entry was defined, for go-to-definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntrySource {
    /// The workspace file, or `None` for the built-in glossary.
    pub path: Option<PathBuf>,
    /// 1-based line of the entry's `term = …` key.
    pub line: usize,
    /// Byte range of the entry's term string in its file.
    pub span: Range<usize>,
}

impl EntrySource {
    /// The file's name for messages: its path, or `builtin.toml`.
    pub fn file_name(&self) -> String {
        self.path.as_ref().map_or_else(|| BUILTIN_FILE_NAME.to_string(), |path| path.display().to_string())
    }
}

/// One glossary entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub term: String,
    pub aliases: Vec<String>,
    pub category: Category,
    /// The definition, in Chinese.
    pub definition: String,
    /// An English gloss for translators.
    pub english: String,
    /// Other terms of the glossary.
    pub related: Vec<String>,
    pub source: EntrySource,
}

impl Entry {
    /// The term and its aliases.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.term.as_str()).chain(self.aliases.iter().map(String::as_str))
    }

    /// The pinyin initials of the term, for completion (`两委` → `lw`); Latin letters and digits are
    /// kept in lower case and punctuation is skipped.
    pub fn initials(&self) -> String {
        initials_of(&self.term)
    }

    /// The hover text in Markdown.
    pub fn to_markdown(&self) -> String {
        let mut out = format!(
            "**{}** · {}\n\n{}\n\n*{}*\n",
            escape_markdown(&self.term),
            self.category.zh_name(),
            escape_markdown(&self.definition),
            escape_markdown(&self.english)
        );
        if !self.aliases.is_empty() {
            out.push_str(&format!("\n别称：{}\n", escape_markdown(&self.aliases.join("、"))));
        }
        if !self.related.is_empty() {
            out.push_str(&format!("\n相关：{}\n", escape_markdown(&self.related.join("、"))));
        }
        out
    }

    /// The hover text as plain text, as `kanwu glossary show` prints it.
    pub fn to_plain_text(&self) -> String {
        let mut out = format!(
            "{}（{}，{}）\n定义：{}\n英文：{}\n",
            self.term,
            self.category.zh_name(),
            self.category.as_str(),
            self.definition,
            self.english
        );
        if !self.aliases.is_empty() {
            out.push_str(&format!("别称：{}\n", self.aliases.join("、")));
        }
        if !self.related.is_empty() {
            out.push_str(&format!("相关：{}\n", self.related.join("、")));
        }
        out
    }
}

/// The pinyin initials of a string: the first letter of each Han character's reading, Latin letters
/// and digits in lower case.
pub fn initials_of(text: &str) -> String {
    use pinyin::ToPinyin;
    let mut out = String::new();
    for c in text.chars() {
        if let Some(reading) = c.to_pinyin() {
            out.push_str(reading.first_letter());
        } else if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// The placeholder definition of an entry skeleton.
pub const SKELETON_DEFINITION: &str = "（待补充定义）";

/// The placeholder English gloss of an entry skeleton.
pub const SKELETON_ENGLISH: &str = "(gloss to be written)";

/// The placeholder category of an entry skeleton.
pub const SKELETON_CATEGORY: Category = Category::Practice;

/// The TOML of a new entry for `term`, to append to a glossary file: a blank line, then a
/// `[[term]]` table with placeholder category, definition and English gloss that parse (so the
/// file stays valid and the term is found at once) and a comment listing the categories.
pub fn entry_skeleton(term: &str) -> String {
    let categories: Vec<&str> = Category::ALL.iter().map(|category| category.as_str()).collect();
    format!(
        "\n[[term]]\nterm = {}\naliases = []\n# {}\ncategory = \"{}\"\ndefinition = \"{SKELETON_DEFINITION}\"\nenglish = \"{SKELETON_ENGLISH}\"\n",
        toml_basic_string(term),
        categories.join(", "),
        SKELETON_CATEGORY.as_str(),
    )
}

/// A TOML basic string holding `text`.
fn toml_basic_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Escapes the characters Markdown would read as formatting.
fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A glossary file error with its place in the file (1-based line and character column).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}:{column}: {message}", path.as_ref().map_or_else(|| BUILTIN_FILE_NAME.to_string(), |p| p.display().to_string()))]
pub struct GlossaryError {
    pub path: Option<PathBuf>,
    pub line: usize,
    pub column: usize,
    /// Byte range of the offending text in the file.
    pub span: Range<usize>,
    pub message: String,
}

/// A found glossary term: its original byte range and the index of its entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TermHit {
    pub range: Range<usize>,
    pub entry: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    term: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    term: Spanned<String>,
    #[serde(default)]
    aliases: Vec<Spanned<String>>,
    category: Spanned<String>,
    definition: Spanned<String>,
    english: Spanned<String>,
    #[serde(default)]
    related: Vec<Spanned<String>>,
}

/// A glossary: entries, an index of every name, and the matcher over names and their OCR variants.
#[derive(Clone, Debug)]
pub struct Glossary {
    entries: Vec<Entry>,
    /// Every term and alias, to the index of the entry that owns it.
    names: HashMap<String, usize>,
    /// Pinyin initials of each entry's term, computed on first completion.
    initials: OnceLock<Vec<String>>,
    /// The matcher and the entry of each of its patterns, built on first search.
    matcher: OnceLock<Matcher>,
}

/// The leftmost-longest matcher over every name and its OCR variants.
#[derive(Clone, Debug)]
struct Matcher {
    automaton: Option<AhoCorasick>,
    /// The entry of each pattern.
    pattern_entries: Vec<usize>,
}

impl Default for Glossary {
    fn default() -> Glossary {
        Glossary::from_layers(vec![Vec::new()])
    }
}

impl Glossary {
    /// The built-in glossary, parsed once per process.
    pub fn builtin() -> &'static Glossary {
        &BUILTIN
    }

    /// The text of the built-in glossary, to write out as an editable workspace file.
    pub fn export_builtin() -> String {
        BUILTIN_TOML.to_string()
    }

    /// Parses a glossary file; `path` is recorded in the entries' sources and in errors (`None` for the
    /// built-in glossary). A file that uses one name twice, or names an unknown category, is an error.
    pub fn parse(text: &str, path: Option<&Path>) -> Result<Glossary, GlossaryError> {
        Ok(Glossary::from_layers(vec![parse_entries(text, path)?]))
    }

    /// Reads and parses a glossary file (a regular file of bounded size: see `workspace::fs`).
    pub fn load(path: &Path) -> Result<Glossary, GlossaryError> {
        let (text, _) = crate::workspace::fs::read_settings_text(path).map_err(|error| GlossaryError {
            path: Some(path.to_path_buf()),
            line: 1,
            column: 1,
            span: 0..0,
            message: format!("cannot read: {}", error.kind),
        })?;
        Glossary::parse(&text, Some(path))
    }

    /// Lays workspace glossaries over `builtin`, in order: an entry with a term already present
    /// replaces it, others are added. A name used by two layers belongs to the later one.
    pub fn layered<'a>(builtin: &Glossary, workspace: impl IntoIterator<Item = &'a Glossary>) -> Glossary {
        let mut layers = vec![builtin.entries.clone()];
        layers.extend(workspace.into_iter().map(|glossary| glossary.entries.clone()));
        Glossary::from_layers(layers)
    }

    fn from_layers(layers: Vec<Vec<Entry>>) -> Glossary {
        let mut entries: Vec<Entry> = Vec::new();
        let mut by_term: HashMap<String, usize> = HashMap::new();
        // Which layer each merged entry came from, so names are owned by the latest layer.
        let mut layer_of: Vec<usize> = Vec::new();
        for (layer, layer_entries) in layers.into_iter().enumerate() {
            for entry in layer_entries {
                match by_term.get(&entry.term) {
                    Some(&index) => {
                        entries[index] = entry;
                        layer_of[index] = layer;
                    }
                    None => {
                        by_term.insert(entry.term.clone(), entries.len());
                        entries.push(entry);
                        layer_of.push(layer);
                    }
                }
            }
        }
        let mut names = HashMap::new();
        let layer_count = layer_of.iter().max().map_or(0, |max| max + 1);
        for layer in 0..layer_count {
            let members: Vec<usize> = (0..entries.len()).filter(|&index| layer_of[index] == layer).collect();
            // Within a layer, a term wins over another entry's alias.
            for &index in &members {
                for alias in &entries[index].aliases {
                    names.insert(alias.clone(), index);
                }
            }
            for &index in &members {
                names.insert(entries[index].term.clone(), index);
            }
        }
        Glossary { entries, names, initials: OnceLock::new(), matcher: OnceLock::new() }
    }

    /// The matcher, built on first use.
    fn matcher(&self) -> &Matcher {
        self.matcher.get_or_init(|| build_matcher(&self.names))
    }

    /// The pinyin initials of every entry's term, computed on first use.
    fn initials(&self) -> &[String] {
        self.initials.get_or_init(|| self.entries.iter().map(Entry::initials).collect())
    }

    /// Every entry, in file order (workspace additions after the built-in entries).
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry at `index` (as in a [`TermHit`]).
    pub fn entry(&self, index: usize) -> &Entry {
        &self.entries[index]
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the glossary has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry named `name` (a term or an alias), also written without quotation marks or spaces.
    pub fn lookup(&self, name: &str) -> Option<&Entry> {
        self.lookup_index(name).map(|index| &self.entries[index])
    }

    /// The index of the entry named `name`.
    pub fn lookup_index(&self, name: &str) -> Option<usize> {
        let name = name.trim();
        if let Some(&index) = self.names.get(name) {
            return Some(index);
        }
        let bare: String = name.chars().filter(|&c| !is_quote(c) && !c.is_whitespace()).collect();
        self.names.get(&bare).copied().or_else(|| {
            // A name written with quotes in the glossary matches its bare spelling in the matcher.
            let matcher = self.matcher();
            let found = matcher.automaton.as_ref()?.find(bare.as_str())?;
            (found.start() == 0 && found.end() == bare.len()).then(|| matcher.pattern_entries[found.pattern().as_usize()])
        })
    }

    /// Every name (terms and aliases) with its entry's index, in no particular order.
    pub fn names(&self) -> impl Iterator<Item = (&str, usize)> {
        self.names.iter().map(|(name, &index)| (name.as_str(), index))
    }

    /// Every glossary term found on a page, leftmost-longest, with original byte ranges.
    pub fn find_in(&self, text: &str, page: &Page) -> Vec<TermHit> {
        let view = NormalizedView::new(text, page);
        self.find_in_view(&view)
    }

    /// Every glossary term found in an already built normalized view.
    pub fn find_in_view(&self, view: &NormalizedView) -> Vec<TermHit> {
        let matcher = self.matcher();
        let Some(automaton) = &matcher.automaton else { return Vec::new() };
        automaton
            .find_iter(view.as_str())
            .map(|found| TermHit { range: view.original_range(found.range()), entry: matcher.pattern_entries[found.pattern().as_usize()] })
            .collect()
    }

    /// The glossary term under original byte `offset`, for hover.
    pub fn term_at(&self, text: &str, page: &Page, offset: usize) -> Option<TermHit> {
        let view = NormalizedView::new(text, page);
        self.term_at_in_view(&view, offset)
    }

    /// The glossary term under original byte `offset` of an already built normalized view.
    pub fn term_at_in_view(&self, view: &NormalizedView, offset: usize) -> Option<TermHit> {
        let matcher = self.matcher();
        let automaton = matcher.automaton.as_ref()?;
        // Scanning from the start keeps the leftmost-longest choice identical to `find_in`; the scan
        // stops at the first hit that starts after the offset.
        let target = view.to_normalized(offset);
        for found in automaton.find_iter(view.as_str()) {
            if found.start() > target {
                break;
            }
            let range = view.original_range(found.range());
            if range.start <= offset && offset < range.end {
                return Some(TermHit { range, entry: matcher.pattern_entries[found.pattern().as_usize()] });
            }
        }
        None
    }

    /// Entries for completion: those with a name starting with `prefix`, then those whose pinyin
    /// initials start with it (case-insensitive), each once, shorter terms first within each group.
    pub fn complete(&self, prefix: &str) -> Vec<&Entry> {
        let prefix = prefix.trim();
        if prefix.is_empty() {
            return Vec::new();
        }
        let mut by_name: Vec<usize> =
            (0..self.entries.len()).filter(|&index| self.entries[index].names().any(|name| name.starts_with(prefix))).collect();
        by_name.sort_by_key(|&index| (self.entries[index].term.chars().count(), index));
        let lowered = prefix.to_ascii_lowercase();
        let initials = self.initials();
        let mut by_initials: Vec<usize> = if prefix.chars().all(|c| c.is_ascii_alphanumeric()) {
            (0..self.entries.len()).filter(|&index| initials[index].starts_with(&lowered) && !by_name.contains(&index)).collect()
        } else {
            Vec::new()
        };
        by_initials.sort_by_key(|&index| (initials[index].len(), index));
        by_name.into_iter().chain(by_initials).map(|index| &self.entries[index]).collect()
    }

    /// Every name (terms, aliases and their quote-free spellings) made only of word characters, for
    /// the segmenter's dictionary.
    pub fn segmenter_words(&self) -> Vec<String> {
        let mut words: Vec<String> = self
            .names
            .keys()
            .map(|name| name.chars().filter(|&c| !is_quote(c)).collect::<String>())
            .filter(|word| word.chars().count() >= 2 && word.chars().all(|c| c.is_alphanumeric()))
            .collect();
        words.sort();
        words.dedup();
        words
    }
}

/// Quotation marks that OCR loses or replaces.
fn is_quote(c: char) -> bool {
    matches!(c, '“' | '”' | '‘' | '’' | '"' | '\'' | '「' | '」' | '『' | '』')
}

/// Spellings of `name` as a page may show it after extraction: without its quotation marks, and with
/// ASCII quotes in place of Chinese ones.
fn variants(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    if name.chars().any(is_quote) {
        let bare: String = name.chars().filter(|&c| !is_quote(c)).collect();
        if !bare.is_empty() {
            out.push(bare);
        }
        let ascii: String = name.chars().map(|c| if matches!(c, '“' | '”') { '"' } else { c }).collect();
        if ascii != name {
            out.push(ascii);
        }
    }
    out
}

/// The leftmost-longest matcher over every name and its variants; a variant never takes a pattern
/// that is some entry's real name.
fn build_matcher(names: &HashMap<String, usize>) -> Matcher {
    let mut patterns: HashMap<String, usize> = names.clone();
    let mut sorted: Vec<(&String, &usize)> = names.iter().collect();
    sorted.sort();
    for (name, &index) in sorted {
        for variant in variants(name) {
            patterns.entry(variant).or_insert(index);
        }
    }
    let mut patterns: Vec<(String, usize)> = patterns.into_iter().filter(|(pattern, _)| !pattern.is_empty()).collect();
    patterns.sort();
    if patterns.is_empty() {
        return Matcher { automaton: None, pattern_entries: Vec::new() };
    }
    let matcher = AhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostLongest)
        .build(patterns.iter().map(|(pattern, _)| pattern.as_str()))
        .expect("glossary patterns build a matcher");
    Matcher { automaton: Some(matcher), pattern_entries: patterns.into_iter().map(|(_, index)| index).collect() }
}

/// Parses and validates the entries of one glossary file.
fn parse_entries(text: &str, path: Option<&Path>) -> Result<Vec<Entry>, GlossaryError> {
    let lines = LineStarts::new(text);
    let line_column = |text: &str, offset: usize| lines.line_column(text, offset);
    let error_at = |span: Range<usize>, message: String| {
        let (line, column) = line_column(text, span.start);
        GlossaryError { path: path.map(Path::to_path_buf), line, column, span, message }
    };
    // The usual shape of a glossary file is read directly; anything else goes through the toml crate,
    // which also words the syntax errors.
    let raw: RawFile = match fast::parse(text) {
        Some(raw) => raw,
        None => toml::from_str(text).map_err(|error| error_at(error.span().unwrap_or(0..0), error.message().trim().to_string()))?,
    };
    let mut entries = Vec::with_capacity(raw.term.len());
    // Every name of this file, with the index of the entry that uses it first.
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(raw.term.len() * 2);
    for raw_entry in raw.term {
        let term_span = raw_entry.term.span();
        let term = raw_entry.term.into_inner().trim().to_string();
        if term.is_empty() {
            return Err(error_at(term_span, "`term` is empty".to_string()));
        }
        let category_span = raw_entry.category.span();
        let category_name = raw_entry.category.into_inner();
        let Some(category) = Category::parse(category_name.trim()) else {
            let known: Vec<&str> = Category::ALL.iter().map(|category| category.as_str()).collect();
            return Err(error_at(category_span, format!("unknown category `{category_name}`; expected one of {}", known.join(", "))));
        };
        let required = |field: Spanned<String>, name: &str| {
            let span = field.span();
            let value = field.into_inner().trim().to_string();
            if value.is_empty() {
                Err(error_at(span, format!("`{name}` of `{term}` is empty")))
            } else {
                Ok(value)
            }
        };
        let definition = required(raw_entry.definition, "definition")?;
        let english = required(raw_entry.english, "english")?;
        let mut names = vec![(term.clone(), term_span.clone())];
        for alias in raw_entry.aliases {
            let span = alias.span();
            let alias = alias.into_inner().trim().to_string();
            if alias.is_empty() {
                return Err(error_at(span, format!("an alias of `{term}` is empty")));
            }
            names.push((alias, span));
        }
        for (name, span) in &names {
            if let Some(&owner) = seen.get(name) {
                let message = match entries.get(owner) {
                    Some(Entry { term: owner, source, .. }) => {
                        format!("`{name}` of `{term}` is already used by `{owner}` (line {})", source.line)
                    }
                    None => format!("`{name}` is listed twice in `{term}`"),
                };
                return Err(error_at(span.clone(), message));
            }
            seen.insert(name.clone(), entries.len());
        }
        let related = raw_entry
            .related
            .into_iter()
            .map(|related| related.into_inner().trim().to_string())
            .filter(|related| !related.is_empty())
            .collect();
        let line = line_column(text, term_span.start).0;
        entries.push(Entry {
            term,
            aliases: names.into_iter().skip(1).map(|(name, _)| name).collect(),
            category,
            definition,
            english,
            related,
            source: EntrySource { path: path.map(Path::to_path_buf), line, span: term_span },
        });
    }
    Ok(entries)
}

/// A direct reader for glossary files of the usual shape, several times faster than the toml crate
/// on big files: comments, blank lines, `[[term]]` headers, and one `key = value` per line where the
/// key is a field of an entry and the value a basic string or a one-line array of them. It gives
/// exactly the `RawFile` (spans included) the toml crate would give, and returns `None` for anything
/// else (other syntax, a repeated or unknown key, a missing field, an invalid character), so that
/// the toml crate reads the file or words its error.
mod fast {
    use super::{RawEntry, RawFile};
    use toml::Spanned;

    /// The fields of the entry being read.
    #[derive(Default)]
    struct Partial {
        term: Option<Spanned<String>>,
        aliases: Option<Vec<Spanned<String>>>,
        category: Option<Spanned<String>>,
        definition: Option<Spanned<String>>,
        english: Option<Spanned<String>>,
        related: Option<Vec<Spanned<String>>>,
    }

    impl Partial {
        fn finish(self) -> Option<RawEntry> {
            Some(RawEntry {
                term: self.term?,
                aliases: self.aliases.unwrap_or_default(),
                category: self.category?,
                definition: self.definition?,
                english: self.english?,
                related: self.related.unwrap_or_default(),
            })
        }
    }

    /// A position in one line of the text.
    struct Cursor<'a> {
        text: &'a str,
        pos: usize,
        end: usize,
    }

    impl Cursor<'_> {
        fn peek(&self) -> Option<u8> {
            (self.pos < self.end).then(|| self.text.as_bytes()[self.pos])
        }

        fn skip_spaces(&mut self) {
            while matches!(self.peek(), Some(b' ' | b'\t')) {
                self.pos += 1;
            }
        }

        fn eat(&mut self, token: &str) -> Option<()> {
            self.text[self.pos..self.end].starts_with(token).then(|| self.pos += token.len())
        }

        /// Spaces, then a comment or the end of the line.
        fn end_of_line(&mut self) -> Option<()> {
            self.skip_spaces();
            match self.peek() {
                None => Some(()),
                Some(b'#') => self.text[self.pos + 1..self.end].chars().all(|c| c == '\t' || !c.is_control()).then_some(()),
                Some(_) => None,
            }
        }

        fn key(&mut self) -> &str {
            let start = self.pos;
            while matches!(self.peek(), Some(b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-')) {
                self.pos += 1;
            }
            &self.text[start..self.pos]
        }

        /// A basic string, its span covering the quotes.
        fn string(&mut self) -> Option<Spanned<String>> {
            let start = self.pos;
            self.eat("\"")?;
            let mut value = String::new();
            let mut chars = self.text[self.pos..self.end].char_indices();
            while let Some((at, c)) = chars.next() {
                match c {
                    '"' => {
                        self.pos += at + 1;
                        return Some(Spanned::new(start..self.pos, value));
                    }
                    '\\' => {
                        let (_, escape) = chars.next()?;
                        value.push(match escape {
                            'b' => '\u{8}',
                            't' => '\t',
                            'n' => '\n',
                            'f' => '\u{c}',
                            'r' => '\r',
                            '"' => '"',
                            '\\' => '\\',
                            'u' | 'U' => {
                                let digits = if escape == 'u' { 4 } else { 8 };
                                let hex: String = (0..digits).map(|_| chars.next().map(|(_, c)| c)).collect::<Option<String>>()?;
                                if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                                    return None;
                                }
                                char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?
                            }
                            _ => return None,
                        });
                    }
                    c if c != '\t' && c.is_control() => return None,
                    c => value.push(c),
                }
            }
            None
        }

        /// A one-line array of basic strings (a trailing comma allowed).
        fn strings(&mut self) -> Option<Vec<Spanned<String>>> {
            self.eat("[")?;
            let mut items = Vec::new();
            loop {
                self.skip_spaces();
                if self.eat("]").is_some() {
                    return Some(items);
                }
                items.push(self.string()?);
                self.skip_spaces();
                if self.eat(",").is_none() {
                    self.skip_spaces();
                    self.eat("]")?;
                    return Some(items);
                }
            }
        }
    }

    /// Reads `text` if it has the usual shape.
    pub(super) fn parse(text: &str) -> Option<RawFile> {
        let mut entries = Vec::new();
        let mut current: Option<Partial> = None;
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let start = offset;
            offset += line.len();
            let body = line.strip_suffix('\n').unwrap_or(line);
            let body = body.strip_suffix('\r').unwrap_or(body);
            let mut cursor = Cursor { text, pos: start, end: start + body.len() };
            cursor.skip_spaces();
            if matches!(cursor.peek(), None | Some(b'#')) {
                cursor.end_of_line()?;
                continue;
            }
            if cursor.eat("[[").is_some() {
                cursor.skip_spaces();
                cursor.eat("term")?;
                cursor.skip_spaces();
                cursor.eat("]]")?;
                cursor.end_of_line()?;
                if let Some(partial) = current.replace(Partial::default()) {
                    entries.push(partial.finish()?);
                }
                continue;
            }
            let partial = current.as_mut()?;
            let key = cursor.key();
            let slot_is_free = match key {
                "term" => partial.term.is_none(),
                "aliases" => partial.aliases.is_none(),
                "category" => partial.category.is_none(),
                "definition" => partial.definition.is_none(),
                "english" => partial.english.is_none(),
                "related" => partial.related.is_none(),
                _ => false,
            };
            if !slot_is_free {
                return None;
            }
            let key = key.to_string();
            cursor.skip_spaces();
            cursor.eat("=")?;
            cursor.skip_spaces();
            match key.as_str() {
                "term" => partial.term = Some(cursor.string()?),
                "category" => partial.category = Some(cursor.string()?),
                "definition" => partial.definition = Some(cursor.string()?),
                "english" => partial.english = Some(cursor.string()?),
                "aliases" => partial.aliases = Some(cursor.strings()?),
                _ => partial.related = Some(cursor.strings()?),
            }
            cursor.end_of_line()?;
        }
        if let Some(partial) = current {
            entries.push(partial.finish()?);
        }
        Some(RawFile { term: entries })
    }
}

/// The byte offsets where the lines of a file start, for finding many places in linear total time.
struct LineStarts(Vec<usize>);

impl LineStarts {
    fn new(text: &str) -> LineStarts {
        LineStarts(std::iter::once(0).chain(text.match_indices('\n').map(|(at, _)| at + 1)).collect())
    }

    /// 1-based line and character column of a byte offset.
    fn line_column(&self, text: &str, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.0.partition_point(|&start| start <= offset);
        let column = text[self.0[line - 1]..offset].chars().count() + 1;
        (line, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_and_categories() {
        assert_eq!(initials_of("两委"), "lw");
        assert_eq!(initials_of("12345热线"), "12345rx");
        assert_eq!(Category::parse("rural"), Some(Category::Rural));
        assert_eq!(Category::Rural.zh_name(), "农村牧区与扶贫政策");
    }

    #[test]
    fn quote_variants() {
        assert_eq!(variants("村“两委”"), vec!["村两委".to_string(), "村\"两委\"".to_string()]);
        assert!(variants("两委").is_empty());
    }

    #[test]
    fn skeleton_parses_and_names_the_term() {
        let text = format!("# workspace\n{}", entry_skeleton("新\"词\\"));
        let glossary = Glossary::parse(&text, None).unwrap();
        assert_eq!(glossary.entry(0).term, "新\"词\\");
        assert_eq!(glossary.entry(0).definition, SKELETON_DEFINITION);
    }

    /// The toml crate's reading of a file, to compare with the direct reader.
    fn toml_reading(text: &str) -> Vec<Vec<(Range<usize>, String)>> {
        flatten(toml::from_str(text).unwrap())
    }

    /// Every field of every entry with its span (`Spanned` compares values only).
    fn flatten(raw: RawFile) -> Vec<Vec<(Range<usize>, String)>> {
        let one = |field: Spanned<String>| (field.span(), field.into_inner());
        raw.term
            .into_iter()
            .map(|e| {
                let mut fields = vec![one(e.term), one(e.category), one(e.definition), one(e.english)];
                fields.extend(e.aliases.into_iter().map(one));
                fields.push((0..0, "|".to_string()));
                fields.extend(e.related.into_iter().map(one));
                fields
            })
            .collect()
    }

    #[test]
    fn the_direct_reader_agrees_with_the_toml_crate() {
        let samples = [
            BUILTIN_TOML.to_string(),
            format!("# x\r\n{}", entry_skeleton("新\"词\\")),
            "[[ term ]] # c\nterm = \"两委\\u0041\" # t\n\taliases = [ \"a\" , \"b\", ]\ncategory=\"role\"\ndefinition = \"d\"\nenglish = \"e\"\nrelated = []\n".to_string(),
        ];
        for text in &samples {
            let fast = flatten(fast::parse(text).expect("usual shape"));
            assert_eq!(fast, toml_reading(text));
        }
        // Other shapes are left to the toml crate.
        for text in [
            "title = \"x\"\n",
            "[[term]]\nterm = 'literal'\ncategory = \"role\"\ndefinition = \"d\"\nenglish = \"e\"\n",
            "[[term]]\nterm = \"a\"\nterm = \"b\"\n",
            "[[term]]\nterm = \"a\"\ncategory = \"role\"\ndefinition = \"d\"\n",
            "[[term]]\nterm = \"a\"\naliases = [\n\"b\"]\ncategory = \"role\"\ndefinition = \"d\"\nenglish = \"e\"\n",
            "[[term]]\nterm = \"a\\q\"\n",
            "[[term]]\nterm = \"a\" x\n",
        ] {
            assert!(fast::parse(text).is_none(), "{text}");
        }
    }

    #[test]
    fn term_line_is_recorded() {
        let glossary = Glossary::parse(
            "# x\n\n[[term]]\nterm = \"两委\"\ncategory = \"organization\"\ndefinition = \"定义。\"\nenglish = \"two committees\"\n",
            Some(Path::new("g.toml")),
        )
        .unwrap();
        assert_eq!(glossary.entry(0).source.line, 4);
        assert_eq!(glossary.entry(0).source.path.as_deref(), Some(Path::new("g.toml")));
    }
}
