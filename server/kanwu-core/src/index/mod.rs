//! The corpus index: every page's normalized text with its map back to the original, and an inverted index of character bigrams for finding any term or word across the corpus.
//!
//! Each page goes through the shared [`NormalizedView`] (wrapped lines joined, spurious spaces
//! dropped), so a term broken across a line or split by a stray space is found, and every hit is
//! reported at its real range in the original text, which may span two lines.
//!
//! Storage, chosen so that the whole index stays smaller than the corpus on disk:
//! - the normalized text of a page is kept in UTF-16 (two bytes per Chinese character instead of
//!   three in UTF-8; the pages are mostly Chinese, so UTF-16 is the compact choice);
//! - what the view cut out (line breaks and spaces) is kept beside it as a compact list, so the
//!   original text, its line numbers and columns can be rebuilt exactly without storing it twice;
//! - the inverted index maps each bigram of UTF-16 units to the pages holding it. After a build the
//!   postings are frozen: sorted keys, a page count and an offset per key, and one contiguous buffer
//!   of varint-coded id gaps (or a bitmap once that is smaller), built by a parallel merge sharded
//!   by key range. Pages added one at a time later go to a small hash map beside it, until they are
//!   many and the whole is frozen again.
//!
//! A look-up takes the rarest bigrams of the term, intersects their page lists, and scans only the
//! candidate pages (SIMD substring search) in parallel. Line and columns come from one walk per
//! page over ascending hits, span by span between cuts (counting UTF-8 bytes, UTF-16 units and
//! characters of a span without branches). Pages are added, changed, removed and renamed one at a
//! time: a changed page gets a fresh id, the old id becomes a tombstone that look-ups skip, and the
//! postings are rebuilt once tombstones outnumber live pages.
//!
//! [`search_text`] finds a term in one page's text without an index, with the same results, for
//! one-off searches (`kanwu refs`).

mod postings;
pub mod search;
mod stored;
#[cfg(test)]
mod tests;

use crate::outline::OutlineKind;
use postings::{bigram, page_bigrams, unit_bytes, Frozen, FrozenList, KeyMap, Postings};
use rayon::prelude::*;
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use stored::{context_in, map_hits, CutIter, StoredPage};

pub use stored::{content_hash, PreparedPage};

/// The id of an indexed page version; ids are never reused.
pub type PageId = u32;

/// A position in a page's original text: zero-based line, and the column in UTF-8 bytes, UTF-16
/// units and characters (so that each face can pick the unit it needs without the text).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct TextPos {
    pub line: u32,
    pub utf8: u32,
    pub utf16: u32,
    pub chars: u32,
}

/// One occurrence of a term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub page: PageId,
    /// The original byte range, from the first character of the term to the end of its last one.
    pub range: Range<usize>,
    pub start: TextPos,
    pub end: TextPos,
    /// The range in the page's normalized text, in UTF-16 units (for [`CorpusIndex::context`]).
    pub normalized: Range<u32>,
}

/// An article headline or a reporter named in a byline, for workspace symbols.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageSymbol {
    pub kind: OutlineKind,
    pub name: String,
    /// The zero-based line the symbol is on.
    pub line: u32,
}

/// Normalizes a term as the pages are: a term holding Chinese loses its spaces and line breaks
/// (`两 委` finds `两委`); a Latin term is only trimmed.
pub fn normalize_term(term: &str) -> String {
    let term = term.trim();
    if term.chars().any(crate::chars::is_cjk) {
        term.chars().filter(|c| !c.is_whitespace()).collect()
    } else {
        term.to_string()
    }
}

/// The corpus index. See the module documentation.
#[derive(Debug, Default)]
pub struct CorpusIndex {
    /// Pages by id; `None` for a removed or replaced version.
    pages: Vec<Option<StoredPage>>,
    by_path: HashMap<PathBuf, PageId>,
    /// The postings of pages `0..frozen_below`, frozen after a build.
    frozen: Frozen,
    frozen_below: PageId,
    /// The postings of pages added one at a time since (ids from `frozen_below` on).
    postings: KeyMap<Postings>,
    live: usize,
    /// Counts the changes to the set of pages, so that postings frozen from a read-only look at the
    /// index are installed only when nothing changed meanwhile.
    changes: u64,
}

/// Postings frozen without holding the index for writing ([`CorpusIndex::prepare_freeze`]).
pub struct PreparedFreeze {
    frozen: Frozen,
    frozen_below: PageId,
    changes: u64,
}

/// Whether a page's raw text may hold `term` once normalized: the term's characters in order with
/// only whitespace between them (the normalized view only ever cuts whitespace). A quick scan that
/// lets a one-off search skip most pages without parsing them; never false for a page that has it.
pub fn may_contain(text: &str, term: &str) -> bool {
    let chars: Vec<char> = term.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(&first) = chars.first() else { return false };
    let mut buffer = [0u8; 4];
    let first_bytes = first.encode_utf8(&mut buffer).as_bytes();
    'candidates: for at in memchr::memmem::find_iter(text.as_bytes(), first_bytes) {
        let mut rest = &text[at + first_bytes.len()..];
        for &wanted in &chars[1..] {
            rest = rest.trim_start_matches(char::is_whitespace);
            match rest.strip_prefix(wanted) {
                Some(after) => rest = after,
                None => continue 'candidates,
            }
        }
        return true;
    }
    false
}

/// The occurrences of a text in one page's text with `context_chars` of context each side, without
/// building an index: the literal query of the one term search ([`crate::terms::TermQuery::literal`]),
/// the same hits as indexing the page and asking [`CorpusIndex::references`] (the hits' page id is 0).
pub fn search_text(text: &str, term: &str, context_chars: usize) -> Vec<(Hit, String)> {
    crate::terms::TermQuery::literal(term).in_text(text, context_chars)
}

impl CorpusIndex {
    pub fn new() -> CorpusIndex {
        CorpusIndex::default()
    }

    /// Indexes pages in parallel on all cores: `read` returns a page's text, or `None` to skip it
    /// (unreadable or binary); `progress` is called after each chunk with the number of pages done.
    pub fn build<R, P>(paths: &[PathBuf], read: R, mut progress: P) -> CorpusIndex
    where
        R: Fn(&Path) -> Option<String> + Sync,
        P: FnMut(usize),
    {
        let mut index = CorpusIndex::new();
        index.add_many(paths, read, &mut progress);
        index
    }

    /// Adds (or replaces) many pages, preparing them in parallel in chunks, then freezes the postings
    /// of the whole index in one parallel merge.
    pub fn add_many<R, P>(&mut self, paths: &[PathBuf], read: R, mut progress: P)
    where
        R: Fn(&Path) -> Option<String> + Sync,
        P: FnMut(usize),
    {
        const CHUNK: usize = 256;
        let mut done = 0;
        let mut lists: Vec<(PageId, Vec<u32>)> = Vec::new();
        for chunk in paths.chunks(CHUNK) {
            let prepared: Vec<PreparedPage> =
                chunk.par_iter().filter_map(|path| read(path).map(|text| PreparedPage::new(path.clone(), &text))).collect();
            for page in prepared {
                self.remove(&page.path);
                let id = self.pages.len() as PageId;
                self.by_path.insert(page.path, id);
                self.pages.push(Some(page.stored));
                self.live += 1;
                self.changes += 1;
                lists.push((id, page.bigrams));
            }
            done += chunk.len();
            progress(done);
        }
        self.freeze_with(lists);
    }

    /// Moves every posting into the frozen layout (after pages were inserted one at a time).
    pub fn freeze(&mut self) {
        self.freeze_with(Vec::new());
    }

    /// Freezes the postings from a read-only look at the index, so that searches go on meanwhile
    /// (the slow part of [`CorpusIndex::freeze`]); [`CorpusIndex::install_freeze`] puts it in place.
    pub fn prepare_freeze(&self) -> PreparedFreeze {
        PreparedFreeze { frozen: self.frozen_lists(Vec::new()), frozen_below: self.pages.len() as PageId, changes: self.changes }
    }

    /// Installs postings prepared by [`CorpusIndex::prepare_freeze`]; refuses them (returns false)
    /// when pages were added, removed or renumbered since they were prepared.
    pub fn install_freeze(&mut self, prepared: PreparedFreeze) -> bool {
        if prepared.changes != self.changes {
            return false;
        }
        self.frozen = prepared.frozen;
        self.frozen_below = prepared.frozen_below;
        self.postings = KeyMap::default();
        true
    }

    /// Rebuilds the frozen postings of every live page: `known` holds the bigrams of some pages
    /// (by increasing id); the others' are taken again from their stored text, in parallel.
    fn freeze_with(&mut self, known: Vec<(PageId, Vec<u32>)>) {
        self.frozen = self.frozen_lists(known);
        self.frozen_below = self.pages.len() as PageId;
        self.postings = KeyMap::default();
    }

    /// The frozen postings of every live page (see [`CorpusIndex::freeze_with`]).
    fn frozen_lists(&self, known: Vec<(PageId, Vec<u32>)>) -> Frozen {
        let mut known = known.into_iter().peekable();
        let mut ids: Vec<PageId> = Vec::with_capacity(self.live);
        let mut lists: Vec<Option<Vec<u32>>> = Vec::with_capacity(self.live);
        for (id, page) in self.pages.iter().enumerate() {
            let id = id as PageId;
            while known.peek().is_some_and(|(known_id, _)| *known_id < id) {
                known.next();
            }
            if page.is_none() {
                continue;
            }
            ids.push(id);
            lists.push(match known.peek() {
                Some((known_id, _)) if *known_id == id => known.next().map(|(_, list)| list),
                _ => None,
            });
        }
        let pages = &self.pages;
        let lists: Vec<Vec<u32>> = lists
            .into_par_iter()
            .zip(ids.par_iter())
            .map(|(list, &id)| list.unwrap_or_else(|| pages[id as usize].as_ref().map_or_else(Vec::new, |page| page_bigrams(&page.units))))
            .collect();
        Frozen::build(&ids, &lists)
    }

    /// Adds a prepared page, replacing any page with the same path.
    pub fn insert(&mut self, prepared: PreparedPage) -> PageId {
        self.remove(&prepared.path);
        let id = self.pages.len() as PageId;
        for &key in &prepared.bigrams {
            self.postings.entry(key).or_insert_with(Postings::new).push(id);
        }
        self.by_path.insert(prepared.path, id);
        self.pages.push(Some(prepared.stored));
        self.live += 1;
        self.changes += 1;
        id
    }

    /// Indexes (or re-indexes) one page from its text.
    pub fn update(&mut self, path: &Path, text: &str) -> PageId {
        let id = self.insert(PreparedPage::new(path.to_path_buf(), text));
        self.maybe_compact();
        id
    }

    /// Removes a page; returns whether it was indexed.
    pub fn remove(&mut self, path: &Path) -> bool {
        let Some(id) = self.by_path.remove(path) else { return false };
        self.pages[id as usize] = None;
        self.live -= 1;
        self.changes += 1;
        true
    }

    /// Removes every page below `folder`.
    pub fn remove_folder(&mut self, folder: &Path) -> usize {
        let paths: Vec<PathBuf> = self.by_path.keys().filter(|path| path.starts_with(folder)).cloned().collect();
        paths.iter().filter(|path| self.remove(path)).count()
    }

    /// Moves a page to a new path without re-indexing it.
    pub fn rename(&mut self, from: &Path, to: &Path) -> bool {
        let Some(id) = self.by_path.remove(from) else { return false };
        self.remove(to);
        if let Some(page) = self.pages[id as usize].as_mut() {
            page.path = to.to_path_buf();
        }
        self.by_path.insert(to.to_path_buf(), id);
        self.changes += 1;
        true
    }

    /// How many times pages were added, removed, renamed or renumbered: equal counts mean the same
    /// pages with the same text.
    pub fn changes(&self) -> u64 {
        self.changes
    }

    /// The number of indexed pages.
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Whether `path` is indexed.
    pub fn contains(&self, path: &Path) -> bool {
        self.by_path.contains_key(path)
    }

    /// The path of a page.
    pub fn path(&self, id: PageId) -> Option<&Path> {
        self.page(id).map(|page| page.path.as_path())
    }

    /// The hash of a page's original text ([`content_hash`]).
    pub fn content_hash(&self, id: PageId) -> Option<u64> {
        self.page(id).map(|page| page.hash)
    }

    /// The id of the page at `path`.
    pub fn id_of(&self, path: &Path) -> Option<PageId> {
        self.by_path.get(path).copied()
    }

    /// Every indexed path, in no particular order.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.by_path.keys().map(PathBuf::as_path)
    }

    fn page(&self, id: PageId) -> Option<&StoredPage> {
        self.pages.get(id as usize).and_then(Option::as_ref)
    }

    /// Rebuilds the postings without tombstones once they outnumber the live pages, and freezes
    /// the pages added one at a time once they are many.
    fn maybe_compact(&mut self) {
        let dead = self.pages.len() - self.live;
        let added = self.pages.len() - self.frozen_below as usize;
        if dead > 1024 && dead > self.live {
            self.compact();
        } else if added > 1024 && added > self.live / 2 {
            self.freeze();
        }
    }

    /// Renumbers the live pages and rebuilds the postings from their stored text.
    pub fn compact(&mut self) {
        let pages: Vec<StoredPage> = std::mem::take(&mut self.pages).into_iter().flatten().collect();
        self.by_path = pages.iter().enumerate().map(|(id, page)| (page.path.clone(), id as PageId)).collect();
        self.live = pages.len();
        self.pages = pages.into_iter().map(Some).collect();
        self.changes += 1;
        self.freeze();
    }

    /// The candidate pages for a term of at least two units: the intersection of its three rarest
    /// bigrams' lists (frozen and added since).
    fn candidates(&self, units: &[u16]) -> Vec<PageId> {
        if units.len() < 2 {
            return (0..self.pages.len() as PageId).filter(|&id| self.pages[id as usize].is_some()).collect();
        }
        let mut lists: Vec<(u32, Option<FrozenList<'_>>, Option<&Postings>)> = Vec::new();
        for pair in units.windows(2) {
            let key = bigram(pair[0], pair[1]);
            let frozen = self.frozen.get(key);
            let added = self.postings.get(&key);
            if frozen.is_none() && added.is_none() {
                return Vec::new();
            }
            let count = frozen.map_or(0, |list| list.count) + added.map_or(0, Postings::len);
            lists.push((count, frozen, added));
        }
        lists.sort_by_key(|list| list.0);
        let ids_of = |(count, frozen, added): &(u32, Option<FrozenList<'_>>, Option<&Postings>)| {
            let mut ids = Vec::with_capacity(*count as usize);
            if let Some(frozen) = frozen {
                frozen.extend_ids(&mut ids);
            }
            if let Some(added) = added {
                ids.extend(added.ids());
            }
            ids
        };
        let mut ids = ids_of(&lists[0]);
        for list in lists.iter().skip(1).take(2) {
            let other = ids_of(list);
            let mut at = 0;
            ids.retain(|&id| {
                while at < other.len() && other[at] < id {
                    at += 1;
                }
                at < other.len() && other[at] == id
            });
        }
        ids.retain(|&id| self.pages[id as usize].is_some());
        ids
    }

    /// The normalized unit ranges of every non-overlapping occurrence of `units` in a page.
    fn find_in_page(page: &StoredPage, units: &[u16], finder: &memchr::memmem::Finder<'_>) -> Vec<Range<u32>> {
        let mut found = Vec::new();
        CorpusIndex::each_in_page(page, units, finder, |range| found.push(range));
        found
    }

    /// Calls `each` with the normalized unit range of every non-overlapping occurrence, in order.
    fn each_in_page(page: &StoredPage, units: &[u16], finder: &memchr::memmem::Finder<'_>, mut each: impl FnMut(Range<u32>)) {
        let haystack = unit_bytes(&page.units);
        let needle_len = units.len() * 2;
        let mut from = 0;
        while let Some(at) = finder.find(&haystack[from..]) {
            let at = from + at;
            if at % 2 == 0 {
                each((at / 2) as u32..((at + needle_len) / 2) as u32);
                from = at + needle_len;
            } else {
                from = at + 1;
            }
        }
    }

    /// How often the corpus uses a term: (pages, occurrences). OCR-aware like [`CorpusIndex::references`].
    pub fn frequency(&self, term: &str) -> (usize, usize) {
        let units: Vec<u16> = normalize_term(term).encode_utf16().collect();
        if units.is_empty() {
            return (0, 0);
        }
        let bytes = unit_bytes(&units).to_vec();
        let finder = memchr::memmem::Finder::new(&bytes);
        self.candidates(&units)
            .par_iter()
            .filter_map(|&id| self.page(id))
            .map(|page| {
                let mut count = 0;
                CorpusIndex::each_in_page(page, &units, &finder, |_| count += 1);
                (usize::from(count > 0), count)
            })
            .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
    }

    /// Every occurrence of a term (or word) in the corpus, OCR-aware, at its range in the original
    /// text; ordered by page id, then position.
    pub fn references(&self, term: &str) -> Vec<Hit> {
        let units: Vec<u16> = normalize_term(term).encode_utf16().collect();
        if units.is_empty() {
            return Vec::new();
        }
        let bytes = unit_bytes(&units).to_vec();
        let finder = memchr::memmem::Finder::new(&bytes);
        let candidates = self.candidates(&units);
        let per_page = |id: PageId| -> Vec<Hit> {
            let Some(page) = self.page(id) else { return Vec::new() };
            let found = CorpusIndex::find_in_page(page, &units, &finder);
            if found.is_empty() {
                return Vec::new();
            }
            map_hits(id, page, found)
        };
        // Small candidate sets are cheaper without the thread hand-off.
        if candidates.len() < 64 {
            candidates.into_iter().flat_map(per_page).collect()
        } else {
            // One vector per page, then one copy into a vector of the exact size: cheaper than
            // rayon's list of chunks for hundreds of thousands of hits.
            let pages: Vec<Vec<Hit>> = candidates.par_iter().with_min_len(16).map(|&id| per_page(id)).collect();
            let mut hits = Vec::with_capacity(pages.iter().map(Vec::len).sum());
            for page in pages {
                hits.extend(page);
            }
            hits
        }
    }

    /// The normalized text around a hit, up to `chars` characters each side, within its paragraph.
    pub fn context(&self, hit: &Hit, chars: usize) -> String {
        self.page(hit.page).map_or_else(String::new, |page| context_in(page, hit, chars))
    }

    /// The page's original text, rebuilt from the normalized text and the cuts.
    pub fn original_text(&self, id: PageId) -> Option<String> {
        let page = self.page(id)?;
        let mut out = String::with_capacity(page.original_len as usize);
        let mut cuts = CutIter::new(page);
        let mut at = 0usize;
        while let Some((position, cut)) = cuts.next_cut() {
            out.push_str(&String::from_utf16_lossy(&page.units[at..position as usize]));
            out.push_str(&String::from_utf16_lossy(cut));
            at = position as usize;
        }
        out.push_str(&String::from_utf16_lossy(&page.units[at..]));
        Some(out)
    }

    /// The normalized text of a page.
    pub fn normalized_text(&self, id: PageId) -> Option<String> {
        self.page(id).map(|page| String::from_utf16_lossy(&page.units))
    }

    /// Every page's symbols (headlines and reporters), with their page.
    pub fn symbols(&self) -> impl Iterator<Item = (PageId, &PageSymbol)> {
        self.pages
            .iter()
            .enumerate()
            .filter_map(|(id, page)| page.as_ref().map(|page| (id as PageId, page)))
            .flat_map(|(id, page)| page.symbols.iter().map(move |symbol| (id, symbol)))
    }

    /// The heap memory the index holds, in bytes (capacities, plus the hash tables' slots).
    pub fn memory_bytes(&self) -> usize {
        let pages: usize = self
            .pages
            .iter()
            .flatten()
            .map(|page| {
                page.units.len() * 2
                    + page.cuts.len()
                    + page.cut_text.len() * 2
                    + page.path.as_os_str().len()
                    + page.symbols.iter().map(|symbol| symbol.name.capacity() + std::mem::size_of::<PageSymbol>()).sum::<usize>()
                    + std::mem::size_of::<StoredPage>()
            })
            .sum();
        let slots = self.pages.capacity() * std::mem::size_of::<Option<StoredPage>>();
        let paths: usize = self.by_path.keys().map(|path| path.as_os_str().len()).sum::<usize>()
            + self.by_path.capacity() * (std::mem::size_of::<PathBuf>() + 4 + 1);
        let postings: usize = self.postings.values().map(Postings::heap_bytes).sum::<usize>()
            + self.postings.capacity() * (std::mem::size_of::<Postings>() + 4 + 1)
            + self.frozen.heap_bytes();
        pages + slots + paths + postings
    }

    /// The number of distinct bigrams in the inverted index.
    pub fn bigram_count(&self) -> usize {
        self.frozen.keys.len() + self.postings.keys().filter(|key| self.frozen.keys.binary_search(key).is_err()).count()
    }
}
