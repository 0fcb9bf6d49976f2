//! The glossary: hover definitions of Party-building, rural-policy, epidemic-control and Inner Mongolian terms, found OCR-aware in pages.
//!
//! A glossary is read from TOML files of `[[term]]` entries (`term`, `aliases`, `category`,
//! `definition`, `english`, `related`). The built-in glossary is compiled in; workspace files named
//! by `kanwu.toml` (`[glossary] files = [...]`, or `glossary.toml` beside it) are laid over it, adding
//! entries or replacing them by term. Terms and aliases are found on the
//! [`NormalizedView`](crate::normalized::NormalizedView) of a page, so a term cut by a column wrap,
//! spaced out by extraction or stripped of its quotation marks is still found, and hits are mapped
//! back to original byte ranges. A file is read from disk by `Glossary::load` (`loading.rs`).

mod entry;
mod lookup;
mod parse;

pub use entry::{entry_skeleton, initials_of, Category, Entry, EntrySource, SKELETON_CATEGORY, SKELETON_DEFINITION, SKELETON_ENGLISH};
pub use lookup::TermHit;
pub use parse::GlossaryError;

use crate::lexicon::is_quote;
use lookup::Matcher;
use parse::parse_entries;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{LazyLock, OnceLock};

/// The text of the built-in glossary.
pub const BUILTIN_TOML: &str = crate::lexicon::BUILTIN_GLOSSARY_TOML;

/// The name of the built-in glossary file, as shown in messages and sources.
pub const BUILTIN_FILE_NAME: &str = "builtin.toml";

/// The workspace glossary looked for beside `kanwu.toml` when the configuration names none.
pub const DEFAULT_WORKSPACE_FILE: &str = "glossary.toml";

static BUILTIN: LazyLock<Glossary> = LazyLock::new(|| Glossary::parse(BUILTIN_TOML, None).expect("the built-in glossary is valid"));

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

    /// Every name (terms and aliases) with its entry's index, in no particular order.
    pub fn names(&self) -> impl Iterator<Item = (&str, usize)> {
        self.names.iter().map(|(name, &index)| (name.as_str(), index))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lexicon_adds_exactly_the_builtin_names_to_the_segmenter() {
        let words = crate::lexicon::builtin_glossary_words();
        assert!(words.len() > 300, "{}", words.len());
        assert_eq!(words, Glossary::builtin().segmenter_words());
    }
}
