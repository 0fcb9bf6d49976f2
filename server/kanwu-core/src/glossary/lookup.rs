//! Finding glossary names: lookup of a name, and the OCR-aware leftmost-longest matcher that finds
//! every name (and its spellings without quotation marks) on the normalized view of a page.

use super::{Entry, Glossary};
use crate::lexicon::is_quote;
use crate::normalized::NormalizedView;
use crate::page::Page;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::collections::HashMap;
use std::ops::Range;

/// A found glossary term: its original byte range and the index of its entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TermHit {
    pub range: Range<usize>,
    pub entry: usize,
}

/// The leftmost-longest matcher over every name and its OCR variants.
#[derive(Clone, Debug)]
pub(super) struct Matcher {
    automaton: Option<AhoCorasick>,
    /// The entry of each pattern.
    pattern_entries: Vec<usize>,
}

impl Glossary {
    /// The matcher, built on first use.
    fn matcher(&self) -> &Matcher {
        self.matcher.get_or_init(|| build_matcher(&self.names))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_variants() {
        assert_eq!(variants("村“两委”"), vec!["村两委".to_string(), "村\"两委\"".to_string()]);
        assert!(variants("两委").is_empty());
    }
}
