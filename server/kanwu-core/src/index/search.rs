//! A page as the one term search (`crate::terms`) sees it: an indexed page or a loose page's text, with its normalized occurrences, their surroundings and the map back to original ranges.

use super::stored::{context_in, map_hits, StoredPage};
use super::{CorpusIndex, Hit, PageId};
use crate::page::Page;
use rayon::prelude::*;
use std::ops::Range;
use std::path::PathBuf;

/// A pattern to look for in pages' normalized text: its UTF-16 units and their searcher.
pub struct Needle {
    units: Vec<u16>,
    finder: memchr::memmem::Finder<'static>,
}

impl Needle {
    /// The needle of an already normalized spelling; `None` for an empty one.
    pub fn new(spelling: &str) -> Option<Needle> {
        let units: Vec<u16> = spelling.encode_utf16().collect();
        if units.is_empty() {
            return None;
        }
        let bytes = super::postings::unit_bytes(&units).to_vec();
        let finder = memchr::memmem::Finder::new(&bytes).into_owned();
        Some(Needle { units, finder })
    }
}

/// One page to search: an indexed page version or a page searched on its own.
#[derive(Clone, Copy)]
pub struct SearchPage<'a> {
    id: PageId,
    stored: &'a StoredPage,
}

impl<'a> SearchPage<'a> {
    /// The page's id (0 for a page searched on its own).
    pub fn id(&self) -> PageId {
        self.id
    }

    /// The normalized unit ranges of every non-overlapping occurrence of a needle, in order.
    pub fn find(&self, needle: &Needle) -> Vec<Range<u32>> {
        let mut found = Vec::new();
        CorpusIndex::each_in_page(self.stored, &needle.units, &needle.finder, |range| found.push(range));
        found
    }

    /// The normalized text of a unit range.
    pub fn text(&self, range: Range<u32>) -> String {
        let units = &self.stored.units;
        let end = (range.end as usize).min(units.len());
        String::from_utf16_lossy(&units[(range.start as usize).min(end)..end])
    }

    /// The normalized text around a unit range, up to `chars` characters each side within its
    /// paragraph, decoded once, with the byte range of the range's own text in it.
    pub fn window(&self, range: Range<u32>, chars: usize) -> (String, Range<usize>) {
        let units = &self.stored.units;
        let newline = u16::from(b'\n');
        let end = (range.end as usize).min(units.len());
        let at = (range.start as usize).min(end);
        let mut start = at;
        let mut taken = 0;
        while start > 0 && taken < chars && units[start - 1] != newline {
            start -= 1;
            if !(0xDC00..0xE000).contains(&units[start]) {
                taken += 1;
            }
        }
        let mut stop = end;
        taken = 0;
        while stop < units.len() && taken < chars && units[stop] != newline {
            stop += 1;
            if stop < units.len() && (0xDC00..0xE000).contains(&units[stop]) {
                stop += 1;
            }
            taken += 1;
        }
        let stop = stop.min(units.len());
        let mut window = String::with_capacity((stop - start) * 3);
        let mut matched = 0..0;
        for (part, units) in [&units[start..at], &units[at..end], &units[end..stop]].into_iter().enumerate() {
            if part == 1 {
                matched.start = window.len();
            }
            window.extend(char::decode_utf16(units.iter().copied()).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)));
            if part == 1 {
                matched.end = window.len();
            }
        }
        (window, matched)
    }

    /// Maps sorted, non-overlapping normalized ranges to hits at their original ranges.
    pub fn hits(&self, ranges: Vec<Range<u32>>) -> Vec<Hit> {
        map_hits(self.id, self.stored, ranges)
    }

    /// The normalized text around a hit, up to `chars` characters each side, within its paragraph.
    pub fn context(&self, hit: &Hit, chars: usize) -> String {
        context_in(self.stored, hit, chars)
    }
}

/// A page searched without an index (a one-off search such as `kanwu refs`).
pub struct LoosePage {
    stored: StoredPage,
}

impl LoosePage {
    /// Parses and normalizes a page's text.
    pub fn new(text: &str) -> LoosePage {
        let page = Page::parse(text);
        LoosePage::with_page(text, &page)
    }

    /// Normalizes a page whose structure is already parsed.
    pub fn with_page(text: &str, page: &Page) -> LoosePage {
        LoosePage { stored: StoredPage::new(PathBuf::new(), text, page) }
    }

    /// The page as the term search sees it (id 0).
    pub fn as_search(&self) -> SearchPage<'_> {
        SearchPage { id: 0, stored: &self.stored }
    }
}

impl CorpusIndex {
    /// The live pages that may hold any of the needles (each page once, by increasing id).
    pub fn search_pages(&self, needles: &[Needle]) -> Vec<SearchPage<'_>> {
        let mut ids: Vec<PageId> = needles.iter().flat_map(|needle| self.candidates(&needle.units)).collect();
        ids.sort_unstable();
        ids.dedup();
        ids.into_iter().filter_map(|id| self.search_page(id)).collect()
    }

    /// One live page, by id.
    pub fn search_page(&self, id: PageId) -> Option<SearchPage<'_>> {
        self.page(id).map(|stored| SearchPage { id, stored })
    }

    /// Runs `search` over pages in parallel when they are many (the thread hand-off costs more than
    /// a few pages' scan), keeping page order.
    pub fn each_page<T: Send>(pages: &[SearchPage<'_>], search: impl Fn(&SearchPage<'_>) -> T + Sync + Send) -> Vec<T> {
        if pages.len() < 64 {
            pages.iter().map(search).collect()
        } else {
            pages.par_iter().with_min_len(16).map(search).collect()
        }
    }
}
