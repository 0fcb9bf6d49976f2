//! The one term search: a term's spellings and its occurrences in a page or the corpus, used by `kanwu refs`, `kanwu stats`, Find References, rename and the hover's corpus count alike.
//!
//! A query is what was asked, normalized as the pages are ([`normalize_term`]: a Chinese term loses
//! its spaces). When it names a glossary entry (its term or an alias), the query also looks for the
//! entry's other names, so `两委` finds `村“两委”` and `嘎查两委`; a name that contains what was
//! asked adds nothing (the asked text is found inside it), so every occurrence covers just the
//! characters asked for, or a whole other name of the entry. Every name is also looked for in
//! every quotation mark form and without its marks (pages that lost their quotes show `村 两 委`).
//!
//! A glossary term is not reported inside a longer word that contains it and runs on past its end:
//! a name of another glossary entry, or a word of jieba's dictionary (`党组` inside `党组织`).
//! Chinese compounds put their head last, so a longer word that only adds characters before the
//! term is still a kind of it (`专业合作社` is a `合作社`, `驻村第一书记` a `第一书记`) and its
//! occurrence counts. This is judged on the normalized view, so a wrap inside `党组\n织` changes
//! nothing. A query that names no glossary entry (a selection, a word, a misreading such as `牧另`)
//! matches wherever its text occurs, as `rg -F` would, through wraps and stray spaces.

use crate::glossary::{Glossary, TermHit};
use crate::index::search::{LoosePage, Needle, SearchPage};
use crate::index::{may_contain, normalize_term, CorpusIndex, Hit};
use crate::normalized::NormalizedView;
use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;

/// The quotation marks a name may be written with on a page, as (opening, closing) pairs.
const QUOTE_PAIRS: [(char, char); 5] = [('“', '”'), ('‘', '’'), ('"', '"'), ('「', '」'), ('『', '』')];

/// The most characters of text each side of an occurrence that a longer glossary name may take.
const LONGEST_WORD: usize = 16;

/// The longest dictionary word, in characters, tried around an occurrence (jieba's dictionary has
/// a few hundred longer phrases among its 350,000 words, none of them a compound of a term).
const DICTIONARY_LONGEST: usize = 8;

/// Whether a character is a quotation mark of any form.
pub fn is_quote(c: char) -> bool {
    QUOTE_PAIRS.iter().any(|&(open, close)| c == open || c == close) || c == '\''
}

/// Every spelling of one name: as written, in each quotation mark form, and without its marks.
pub fn quote_forms(name: &str) -> Vec<String> {
    let name = normalize_term(name);
    let mut forms = vec![name.clone()];
    if name.chars().any(is_quote) {
        let bare: String = name.chars().filter(|&c| !is_quote(c)).collect();
        for (open, close) in QUOTE_PAIRS {
            // Marks alternate opening and closing, as they do in a name such as 村“两委”.
            let mut opening = true;
            let form: String = name
                .chars()
                .map(|c| {
                    if is_quote(c) {
                        let mark = if opening { open } else { close };
                        opening = !opening;
                        mark
                    } else {
                        c
                    }
                })
                .collect();
            forms.push(form);
        }
        forms.push(bare);
    }
    let mut seen = HashSet::new();
    forms.retain(|form| !form.is_empty() && seen.insert(form.clone()));
    forms
}

/// How a longer glossary name holds a spelling: `head` + spelling + `tail` (all without quotation
/// marks; `tail` never empty, so the name runs on past the spelling).
#[derive(Clone, Debug)]
struct Extension {
    spelling: String,
    head: String,
    tail: String,
}

/// A term search: what was asked and everything it looks for. See the module documentation.
#[derive(Clone, Debug)]
pub struct TermQuery {
    /// What was asked, normalized.
    asked: String,
    /// The glossary entry the query names, if any.
    entry: Option<usize>,
    /// The spellings looked for, normalized.
    spellings: Vec<String>,
    /// Every spelling of the entry's own names: a longer word that is one of them never hides an occurrence.
    own_names: HashSet<String>,
    /// How the names of other glossary entries extend a spelling (without quotation marks): such a
    /// name around an occurrence hides it.
    extensions: Vec<Extension>,
}

impl TermQuery {
    /// The query for `asked`: the glossary entry it names, else its text alone.
    pub fn new(asked: &str, glossary: &Glossary) -> TermQuery {
        let normalized = normalize_term(asked);
        match glossary.lookup_index(&normalized) {
            Some(entry) => TermQuery::anchored(&normalized, entry, glossary),
            None => TermQuery::literal(&normalized),
        }
    }

    /// The query for a text that names nothing: it matches wherever the text occurs, in each
    /// quotation mark form.
    pub fn literal(asked: &str) -> TermQuery {
        let normalized = normalize_term(asked);
        TermQuery { spellings: quote_forms(&normalized), asked: normalized, entry: None, own_names: HashSet::new(), extensions: Vec::new() }
    }

    /// The query for a glossary entry, asked by its term (the hover, `kanwu stats`).
    pub fn for_entry(entry: usize, glossary: &Glossary) -> TermQuery {
        TermQuery::anchored(&normalize_term(&glossary.entry(entry).term), entry, glossary)
    }

    /// The query for an entry asked as `asked` (one of its names).
    fn anchored(asked: &str, entry: usize, glossary: &Glossary) -> TermQuery {
        let bare_asked: String = asked.chars().filter(|&c| !is_quote(c)).collect();
        let mut spellings = quote_forms(asked);
        let mut own_names = HashSet::new();
        for name in glossary.entry(entry).names() {
            let forms = quote_forms(name);
            let bare_name: String = normalize_term(name).chars().filter(|&c| !is_quote(c)).collect();
            // A name holding the asked text is found through it, at the asked characters.
            let adds = !bare_name.contains(bare_asked.as_str());
            for form in forms {
                if adds && !spellings.contains(&form) {
                    spellings.push(form.clone());
                }
                own_names.insert(form);
            }
        }
        own_names.extend(spellings.iter().cloned());
        let bare_spellings: HashSet<String> =
            spellings.iter().map(|spelling| spelling.chars().filter(|&c| !is_quote(c)).collect()).collect();
        let mut extensions = Vec::new();
        for (name, owner) in glossary.names() {
            if owner == entry {
                continue;
            }
            // Most names hold no spelling at all: they are passed over without building anything.
            let plain = !name.contains(|c: char| is_quote(c) || c.is_whitespace());
            if plain && !bare_spellings.iter().any(|spelling| name.contains(spelling.as_str())) {
                continue;
            }
            // Compared without quotation marks: a longer name runs on past an occurrence only by other characters.
            let bare: String = normalize_term(name).chars().filter(|&c| !is_quote(c)).collect();
            if own_names.contains(&bare) {
                continue;
            }
            for spelling in bare_spellings.iter().filter(|spelling| !spelling.is_empty()) {
                for (at, _) in bare.match_indices(spelling.as_str()) {
                    let tail = &bare[at + spelling.len()..];
                    if !tail.is_empty() {
                        extensions.push(Extension { spelling: spelling.clone(), head: bare[..at].to_string(), tail: tail.to_string() });
                    }
                }
            }
        }
        extensions.sort_by(|a, b| (&a.spelling, &a.head, &a.tail).cmp(&(&b.spelling, &b.head, &b.tail)));
        extensions.dedup_by(|a, b| a.spelling == b.spelling && a.head == b.head && a.tail == b.tail);
        TermQuery { asked: asked.to_string(), entry: Some(entry), spellings, own_names, extensions }
    }

    /// What was asked, normalized.
    pub fn asked(&self) -> &str {
        &self.asked
    }

    /// The glossary entry the query names.
    pub fn entry(&self) -> Option<usize> {
        self.entry
    }

    /// The spellings looked for.
    pub fn spellings(&self) -> &[String] {
        &self.spellings
    }

    /// True when nothing can be found (an empty or blank query).
    pub fn is_empty(&self) -> bool {
        self.spellings.is_empty()
    }

    fn needles(&self) -> Vec<Needle> {
        self.spellings.iter().filter_map(|spelling| Needle::new(spelling)).collect()
    }

    /// The occurrences in one page, as sorted, non-overlapping normalized unit ranges: every
    /// spelling's, less those inside a longer word, the longest kept where two overlap.
    fn ranges_in(&self, page: &SearchPage<'_>, needles: &[Needle]) -> Vec<Range<u32>> {
        let mut ranges: Vec<Range<u32>> = needles.iter().flat_map(|needle| page.find(needle)).collect();
        if self.entry.is_some() {
            ranges.retain(|range| !self.inside_longer_word(page, range.clone()));
        }
        ranges.sort_by_key(|range| (range.start, std::cmp::Reverse(range.end)));
        ranges.dedup_by(|later, earlier| later.start < earlier.end);
        ranges
    }

    /// Whether an occurrence is part of a longer word that runs on past its end (see the module documentation).
    fn inside_longer_word(&self, page: &SearchPage<'_>, range: Range<u32>) -> bool {
        let (window, matched) = page.window(range, LONGEST_WORD);
        self.hidden_by_longer_word(&window, matched)
    }

    /// Whether the occurrence at byte range `matched` of `window` (normalized text around it, up
    /// to [`LONGEST_WORD`] characters each side, within its paragraph) is part of a longer word: a
    /// name of another glossary entry that covers it and runs on past its end by more than
    /// quotation marks, or a dictionary word that covers it and runs on past its end.
    pub fn hidden_by_longer_word(&self, window: &str, matched: Range<usize>) -> bool {
        if self.entry.is_none() || window.get(matched.clone()).is_none() {
            return false;
        }
        // Another entry's names, compared without quotation marks.
        let occurrence = &window[matched.clone()];
        if !self.extensions.is_empty() && !window.contains(is_quote) {
            // The common case: no quotation mark near, so the window is its own bare text.
            for extension in self.extensions.iter().filter(|extension| extension.spelling == occurrence) {
                if window[..matched.start].ends_with(extension.head.as_str()) && window[matched.end..].starts_with(extension.tail.as_str())
                {
                    return true;
                }
            }
        } else if !self.extensions.is_empty() {
            let bare = |text: &str| text.chars().filter(|&c| !is_quote(c)).collect::<String>();
            let bare_occurrence = bare(occurrence);
            let mut bare_sides: Option<(String, String)> = None;
            for extension in self.extensions.iter().filter(|extension| extension.spelling == bare_occurrence) {
                let (before, after) = bare_sides.get_or_insert_with(|| (bare(&window[..matched.start]), bare(&window[matched.end..])));
                if before.ends_with(extension.head.as_str()) && after.starts_with(extension.tail.as_str()) {
                    return true;
                }
            }
        }
        // Dictionary words: slices of the window itself, so nothing is built. A word of at most
        // DICTIONARY_LONGEST characters starts at one of the `room` characters before the
        // occurrence (or at it) and ends after one of the `room` characters after it.
        let matched_chars = occurrence.chars().count();
        if matched_chars >= DICTIONARY_LONGEST {
            return false;
        }
        let room = DICTIONARY_LONGEST - matched_chars;
        let mut starts = [matched.start; DICTIONARY_LONGEST];
        let mut start_count = 1;
        for (at, _) in window[..matched.start].char_indices().rev().take(room - 1) {
            starts[start_count] = at;
            start_count += 1;
        }
        let mut end = matched.end;
        for (trail, c) in window[matched.end..].chars().take(room).enumerate() {
            end += c.len_utf8();
            // `trail + 1` characters after, and at most `room - trail - 1` before.
            for &start in &starts[..start_count.min(room - trail)] {
                let word = &window[start..end];
                if crate::segment::is_dictionary_word(word) && !self.own_names.contains(word) {
                    return true;
                }
            }
        }
        false
    }

    /// Every occurrence across the corpus, ordered by page id, then position.
    pub fn in_index(&self, index: &CorpusIndex) -> Vec<Hit> {
        let needles = self.needles();
        let pages = index.search_pages(&needles);
        let per_page = CorpusIndex::each_page(&pages, |page| {
            let ranges = self.ranges_in(page, &needles);
            if ranges.is_empty() {
                Vec::new()
            } else {
                page.hits(ranges)
            }
        });
        let mut hits = Vec::with_capacity(per_page.iter().map(Vec::len).sum());
        for page in per_page {
            hits.extend(page);
        }
        hits
    }

    /// The occurrences in one indexed page.
    pub fn in_indexed_page(&self, index: &CorpusIndex, path: &Path) -> Vec<Hit> {
        let Some(page) = index.id_of(path).and_then(|id| index.search_page(id)) else { return Vec::new() };
        let ranges = self.ranges_in(&page, &self.needles());
        page.hits(ranges)
    }

    /// How often the corpus uses the term: (pages, occurrences), counted as [`TermQuery::in_index`] finds them.
    pub fn count_in_index(&self, index: &CorpusIndex) -> (usize, usize) {
        let needles = self.needles();
        let pages = index.search_pages(&needles);
        CorpusIndex::each_page(&pages, |page| self.ranges_in(page, &needles).len())
            .into_iter()
            .filter(|&count| count > 0)
            .fold((0, 0), |(pages, occurrences), count| (pages + 1, occurrences + count))
    }

    /// The occurrences in one page's text, without an index, with `context_chars` of normalized
    /// context each side (the hits' page id is 0). A page that cannot hold any spelling is
    /// rejected by a quick scan, without parsing.
    pub fn in_text(&self, text: &str, context_chars: usize) -> Vec<(Hit, String)> {
        if !self.spellings.iter().any(|spelling| may_contain(text, spelling)) {
            return Vec::new();
        }
        let loose = LoosePage::new(text);
        self.in_loose_page(&loose, context_chars)
    }

    /// The occurrences in a page already normalized for searching, with their context.
    pub fn in_loose_page(&self, loose: &LoosePage, context_chars: usize) -> Vec<(Hit, String)> {
        let page = loose.as_search();
        let ranges = self.ranges_in(&page, &self.needles());
        page.hits(ranges)
            .into_iter()
            .map(|hit| {
                let context = page.context(&hit, context_chars);
                (hit, context)
            })
            .collect()
    }

    /// How many occurrences a page already normalized for searching holds.
    pub fn count_in_loose_page(&self, loose: &LoosePage) -> usize {
        self.ranges_in(&loose.as_search(), &self.needles()).len()
    }
}

/// The glossary term under original byte `offset` of a normalized view, with the query of its
/// entry: `None` when there is none, or when the term there is part of a longer word (the cursor on
/// `党组织` is on no `党组`), so that what the cursor names is what a search for it finds.
pub fn entry_at(view: &NormalizedView, glossary: &Glossary, offset: usize) -> Option<(TermHit, TermQuery)> {
    let hit = glossary.term_at_in_view(view, offset)?;
    unless_inside_longer_word(view, glossary, hit)
}

/// As [`entry_at`], from the page's glossary hits already found (`Glossary::find_in_view`, in page
/// order): a binary search instead of a scan from the page's start.
pub fn entry_in_hits(view: &NormalizedView, glossary: &Glossary, hits: &[TermHit], offset: usize) -> Option<(TermHit, TermQuery)> {
    let after = hits.partition_point(|hit| hit.range.end <= offset);
    let hit = hits.get(after).filter(|hit| hit.range.start <= offset)?.clone();
    unless_inside_longer_word(view, glossary, hit)
}

/// The hit with its entry's query, or `None` when the hit is part of a longer word.
fn unless_inside_longer_word(view: &NormalizedView, glossary: &Glossary, hit: TermHit) -> Option<(TermHit, TermQuery)> {
    let query = TermQuery::for_entry(hit.entry, glossary);
    let normalized = view.as_str();
    let start = view.to_normalized(hit.range.start);
    let end = view.to_normalized(hit.range.end).max(start);
    let (Some(before), Some(after)) = (normalized.get(..start), normalized.get(end..)) else { return Some((hit, query)) };
    // The paragraph around the term, up to LONGEST_WORD characters each side.
    let paragraph_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    let from = before[paragraph_start..].char_indices().rev().nth(LONGEST_WORD - 1).map_or(paragraph_start, |(at, _)| paragraph_start + at);
    let after = after.split('\n').next().unwrap_or("");
    let to = end + after.char_indices().nth(LONGEST_WORD).map_or(after.len(), |(at, _)| at);
    if query.hidden_by_longer_word(&normalized[from..to], start - from..end - from) {
        return None;
    }
    Some((hit, query))
}

/// Counts every glossary entry on pages, each as [`TermQuery::for_entry`] finds it (`kanwu stats`):
/// a scan for any spelling of any entry picks the entries a page may hold, whose queries then count.
pub struct EntryCounter {
    queries: Vec<TermQuery>,
    /// Every spelling of every entry, overlapping matches reported.
    automaton: Option<aho_corasick::AhoCorasick>,
    /// The entry of each of the automaton's patterns.
    pattern_entries: Vec<usize>,
}

impl EntryCounter {
    /// The counter of a glossary's entries.
    pub fn new(glossary: &Glossary) -> EntryCounter {
        let queries: Vec<TermQuery> = (0..glossary.len()).map(|entry| TermQuery::for_entry(entry, glossary)).collect();
        let mut patterns = Vec::new();
        let mut pattern_entries = Vec::new();
        for (entry, query) in queries.iter().enumerate() {
            for spelling in &query.spellings {
                patterns.push(spelling.clone());
                pattern_entries.push(entry);
            }
        }
        let automaton = aho_corasick::AhoCorasick::new(&patterns).ok();
        EntryCounter { queries, automaton, pattern_entries }
    }

    /// The occurrences of each entry a page holds, as (entry, count), by entry. The page is parsed
    /// as the index and `kanwu refs` parse it, so the counts are theirs.
    pub fn count(&self, text: &str) -> Vec<(usize, usize)> {
        let Some(automaton) = &self.automaton else { return Vec::new() };
        let loose = LoosePage::new(text);
        let normalized = loose.as_search().text(0..u32::MAX);
        let mut entries: Vec<usize> =
            automaton.find_overlapping_iter(normalized.as_str()).map(|found| self.pattern_entries[found.pattern().as_usize()]).collect();
        entries.sort_unstable();
        entries.dedup();
        entries.into_iter().map(|entry| (entry, self.queries[entry].count_in_loose_page(&loose))).filter(|&(_, count)| count > 0).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(asked: &str, text: &str) -> usize {
        TermQuery::new(asked, Glossary::builtin()).in_text(text, 4).len()
    }

    #[test]
    fn a_term_is_not_found_inside_a_longer_word_that_runs_on_past_it() {
        assert_eq!(count("党组", "加强基层党组织建设，机关成立党组。"), 1);
        assert_eq!(count("党组", "加强基层党组\n织建设。"), 0);
    }

    #[test]
    fn a_non_term_matches_wherever_its_text_occurs() {
        assert_eq!(count("牧另", "牧另一户，牧\n另两户。"), 2);
        assert_eq!(count("组织", "党组织和组织部"), 2);
    }

    #[test]
    fn an_occurrence_covers_the_characters_asked_for() {
        let text = "村“两委”班子和嘎查两委。";
        let hits = TermQuery::new("两委", Glossary::builtin()).in_text(text, 2);
        let found: Vec<&str> = hits.iter().map(|(hit, _)| &text[hit.range.clone()]).collect();
        assert_eq!(found, ["两委", "两委"]);
    }

    #[test]
    fn a_broken_term_covers_both_parts_and_nothing_else() {
        let text = "驻村第一书\n记到村。";
        let hits = TermQuery::new("第一书记", Glossary::builtin()).in_text(text, 2);
        assert_eq!(hits.len(), 1);
        assert_eq!(&text[hits[0].0.range.clone()], "第一书\n记");
    }

    #[test]
    fn the_entry_under_the_cursor_is_none_inside_a_longer_word() {
        let text = "加强党组织建设，机关成立党组。";
        let page = crate::Page::parse(text);
        let view = NormalizedView::new(text, &page);
        let glossary = Glossary::builtin();
        let hits = glossary.find_in_view(&view);
        let inside = text.find("党组织").unwrap();
        let alone = text.rfind("党组").unwrap();
        for offset in [inside, alone] {
            let scanned = entry_at(&view, glossary, offset).map(|(hit, _)| hit);
            let searched = entry_in_hits(&view, glossary, &hits, offset).map(|(hit, _)| hit);
            assert_eq!(scanned, searched, "at {offset}");
        }
        assert!(entry_at(&view, glossary, alone).is_some());
        assert!(entry_at(&view, glossary, inside + "党".len()).is_none(), "党组 inside 党组织 is no 党组");
    }

    #[test]
    fn quote_forms_cover_every_mark_and_none() {
        let forms = quote_forms("村“两委”");
        for form in ["村“两委”", "村‘两委’", "村\"两委\"", "村「两委」", "村『两委』", "村两委"] {
            assert!(forms.iter().any(|f| f == form), "{form} missing from {forms:?}");
        }
    }
}
