//! What the corpus index keeps of one page: its normalized text in UTF-16 with the cuts that rebuild
//! the original, its symbols, and the walk that maps normalized hits back to original ranges.

use super::postings::{page_bigrams, read_varint, write_varint};
use super::{Hit, PageId, PageSymbol, TextPos};
use crate::normalized::NormalizedView;
use crate::outline::{self, OutlineKind};
use crate::page::Page;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A page prepared for the index (the expensive, parallel part of indexing).
#[derive(Debug)]
pub struct PreparedPage {
    pub(super) path: PathBuf,
    pub(super) stored: StoredPage,
    pub(super) bigrams: Vec<u32>,
}

/// What the index keeps of one page.
#[derive(Debug)]
pub(super) struct StoredPage {
    pub(super) path: PathBuf,
    /// The normalized text in UTF-16.
    pub(super) units: Box<[u16]>,
    /// The cuts as varint pairs: normalized unit position (delta from the previous cut) and a code,
    /// 0 for a lone `\n`, otherwise the number of units the cut takes from `cut_text`.
    pub(super) cuts: Box<[u8]>,
    pub(super) cut_text: Box<[u16]>,
    /// Headlines and reporters.
    pub(super) symbols: Box<[PageSymbol]>,
    /// The original text's length in bytes.
    pub(super) original_len: u32,
    /// A hash of the original text, so that callers can tell whether a page changed.
    pub(super) hash: u64,
}

impl PreparedPage {
    /// Parses, normalizes and takes the bigrams of one page; pure, so pages can be prepared in parallel.
    pub fn new(path: PathBuf, text: &str) -> PreparedPage {
        let page = Page::parse(text);
        let mut stored = StoredPage::new(path.clone(), text, &page);
        let bigrams = page_bigrams(&stored.units);
        stored.symbols = page_symbols(text, &page).into_boxed_slice();
        PreparedPage { path, stored, bigrams }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl StoredPage {
    /// The normalized text of a page in UTF-16 and its cuts (no symbols yet).
    pub(super) fn new(path: PathBuf, text: &str, page: &Page) -> StoredPage {
        let view = NormalizedView::new(text, page);
        let mut units: Vec<u16> = Vec::with_capacity(view.as_str().len() / 2 + 16);
        let mut cuts = Vec::new();
        let mut cut_text: Vec<u16> = Vec::new();
        let mut last_cut = 0u32;
        let mut original_at = 0usize;
        let mut push_cut = |position: u32, cut: &str, cuts: &mut Vec<u8>, cut_text: &mut Vec<u16>| {
            write_varint(cuts, position - last_cut);
            last_cut = position;
            if cut == "\n" {
                write_varint(cuts, 0);
            } else {
                let before = cut_text.len();
                cut_text.extend(cut.encode_utf16());
                write_varint(cuts, (cut_text.len() - before) as u32);
            }
        };
        for (_, original, len) in view.stretches() {
            if original > original_at {
                push_cut(units.len() as u32, &text[original_at..original], &mut cuts, &mut cut_text);
            }
            units.extend(text[original..original + len].encode_utf16());
            original_at = original + len;
        }
        if text.len() > original_at {
            push_cut(units.len() as u32, &text[original_at..], &mut cuts, &mut cut_text);
        }
        StoredPage {
            path,
            units: units.into_boxed_slice(),
            cuts: cuts.into_boxed_slice(),
            cut_text: cut_text.into_boxed_slice(),
            symbols: Box::default(),
            original_len: text.len() as u32,
            hash: content_hash(text.as_bytes()),
        }
    }
}

/// A fast 64-bit hash of a page's bytes (for change detection, not for security).
pub fn content_hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut hash = (bytes.len() as u64).wrapping_mul(K);
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        hash = (hash ^ word).wrapping_mul(K).rotate_left(29);
    }
    let mut tail = [0u8; 8];
    tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    hash = (hash ^ u64::from_le_bytes(tail)).wrapping_mul(K);
    hash ^ (hash >> 32)
}

/// The headlines and reporters of a page.
pub(super) fn page_symbols(text: &str, page: &Page) -> Vec<PageSymbol> {
    let mut symbols = Vec::new();
    for article in outline::articles(text, page) {
        for item in &article.items {
            match item.kind {
                OutlineKind::Headline => symbols.push(PageSymbol { kind: item.kind, name: item.name.clone(), line: item.line as u32 }),
                OutlineKind::Byline => {
                    for name in outline::reporters(&item.name) {
                        symbols.push(PageSymbol { kind: OutlineKind::Byline, name, line: item.line as u32 });
                    }
                }
                _ => {}
            }
        }
    }
    symbols
}

/// The normalized text around a hit in its page, up to `chars` characters each side, within its paragraph.
pub(super) fn context_in(page: &StoredPage, hit: &Hit, chars: usize) -> String {
    let units = &page.units;
    let mut start = hit.normalized.start as usize;
    let mut taken = 0;
    while start > 0 && taken < chars && units[start - 1] != u16::from(b'\n') {
        start -= 1;
        if !(0xDC00..0xE000).contains(&units[start]) {
            taken += 1;
        }
    }
    let mut end = hit.normalized.end as usize;
    taken = 0;
    while end < units.len() && taken < chars && units[end] != u16::from(b'\n') {
        end += 1;
        if end < units.len() && (0xDC00..0xE000).contains(&units[end]) {
            end += 1;
        }
        taken += 1;
    }
    String::from_utf16_lossy(&units[start..end.min(units.len())]).trim().to_string()
}

/// Walks a page's cuts in order.
pub(super) struct CutIter<'a> {
    pub(super) page: &'a StoredPage,
    pub(super) at: usize,
    pub(super) text_at: usize,
    pub(super) position: u32,
}

pub(super) const NEWLINE: [u16; 1] = [b'\n' as u16];

impl<'a> CutIter<'a> {
    pub(super) fn new(page: &'a StoredPage) -> CutIter<'a> {
        CutIter { page, at: 0, text_at: 0, position: 0 }
    }

    /// The next cut: its normalized unit position (the cut text stands before that unit) and its text.
    pub(super) fn next_cut(&mut self) -> Option<(u32, &'a [u16])> {
        if self.at >= self.page.cuts.len() {
            return None;
        }
        self.position += read_varint(&self.page.cuts, &mut self.at);
        let code = read_varint(&self.page.cuts, &mut self.at) as usize;
        let text: &'a [u16] = if code == 0 {
            &NEWLINE
        } else {
            let text = &self.page.cut_text[self.text_at..self.text_at + code];
            self.text_at += code;
            text
        };
        Some((self.position, text))
    }
}

/// A cursor over the original text, rebuilt span by span, tracking byte offset, line and columns.
#[derive(Clone, Copy, Default)]
pub(super) struct Cursor {
    pub(super) byte: usize,
    pub(super) pos: TextPos,
    /// The last unit passed was a carriage return, so a line feed right after it ends no new line.
    after_cr: bool,
}

/// The UTF-8 length and the character count of UTF-16 units (without line breaks' special meaning).
/// Branch-free so that the compiler vectorizes it: a unit takes 1, 2 or 3 bytes by value, and a
/// surrogate pair, 3 + 3 by that rule, takes 4 (one less per surrogate unit).
pub(super) fn utf8_len_and_chars(units: &[u16]) -> (usize, usize) {
    let mut bytes = 0usize;
    let mut low_surrogates = 0usize;
    for &unit in units {
        let surrogate = (unit & 0xF800 == 0xD800) as usize;
        bytes += 1 + (unit >= 0x80) as usize + (unit >= 0x800) as usize - surrogate;
        low_surrogates += (unit & 0xFC00 == 0xDC00) as usize;
    }
    (bytes, units.len() - low_surrogates)
}

impl Cursor {
    /// Moves over `units` of the original text.
    pub(super) fn advance(&mut self, units: &[u16]) {
        if units.is_empty() {
            return;
        }
        // Lines end at `\n`, `\r\n` or a lone `\r`, as in `LineIndex`; carriage returns are rare,
        // so they take a slower walk of their own.
        if self.after_cr || units.contains(&CR) {
            self.advance_with_returns(units);
            return;
        }
        // The commonest cut is a lone line break (a column wrap).
        if units == NEWLINE {
            self.byte += 1;
            self.pos = TextPos { line: self.pos.line + 1, utf8: 0, utf16: 0, chars: 0 };
            return;
        }
        let mut rest = units;
        // Counting line breaks vectorizes; looking for the last one does not, so it only runs on
        // spans that hold one (the normalized text keeps only paragraph ends).
        let lines = units.iter().filter(|&&unit| unit == u16::from(b'\n')).count();
        if lines > 0 {
            let newline = units.iter().rposition(|&unit| unit == u16::from(b'\n')).unwrap_or(0);
            self.byte += utf8_len_and_chars(&units[..=newline]).0;
            self.pos = TextPos { line: self.pos.line + lines as u32, utf8: 0, utf16: 0, chars: 0 };
            rest = &units[newline + 1..];
        }
        let (bytes, chars) = utf8_len_and_chars(rest);
        self.byte += bytes;
        self.pos.utf8 += bytes as u32;
        self.pos.utf16 += rest.len() as u32;
        self.pos.chars += chars as u32;
    }
}

const CR: u16 = b'\r' as u16;

impl Cursor {
    /// Moves over units that hold a carriage return, or that follow one, unit by unit.
    fn advance_with_returns(&mut self, units: &[u16]) {
        for &unit in units {
            let after_cr = std::mem::replace(&mut self.after_cr, unit == CR);
            if unit == u16::from(b'\n') && after_cr {
                self.byte += 1;
            } else if unit == u16::from(b'\n') || unit == CR {
                self.byte += 1;
                self.pos = TextPos { line: self.pos.line + 1, utf8: 0, utf16: 0, chars: 0 };
            } else {
                let (bytes, chars) = utf8_len_and_chars(std::slice::from_ref(&unit));
                self.byte += bytes;
                self.pos.utf8 += bytes as u32;
                self.pos.utf16 += 1;
                self.pos.chars += chars as u32;
            }
        }
    }
}

/// Maps sorted, non-overlapping normalized unit ranges of a page to original ranges and positions,
/// in one walk over the page up to the last hit, span by span between cuts and hits.
pub(super) fn map_hits(id: PageId, page: &StoredPage, found: Vec<Range<u32>>) -> Vec<Hit> {
    let mut hits = Vec::with_capacity(found.len());
    let mut cursor = Cursor::default();
    let mut cuts = CutIter::new(page);
    let mut next_cut = cuts.next_cut();
    let mut at = 0u32;
    let advance_to = |target: u32, at: &mut u32, cursor: &mut Cursor| {
        if *at < target {
            cursor.advance(&page.units[*at as usize..target as usize]);
            *at = target;
        }
    };
    for range in found {
        // Everything before the hit's first unit, including any cut standing just before it.
        loop {
            match next_cut {
                Some((position, text)) if position <= range.start => {
                    advance_to(position, &mut at, &mut cursor);
                    cursor.advance(text);
                    next_cut = cuts.next_cut();
                }
                _ => break,
            }
        }
        advance_to(range.start, &mut at, &mut cursor);
        let start = cursor;
        // Inside the hit, cuts standing before its later units belong to it; a cut right after
        // its last unit does not.
        loop {
            match next_cut {
                Some((position, text)) if position < range.end => {
                    advance_to(position, &mut at, &mut cursor);
                    cursor.advance(text);
                    next_cut = cuts.next_cut();
                }
                _ => break,
            }
        }
        advance_to(range.end, &mut at, &mut cursor);
        hits.push(Hit { page: id, range: start.byte..cursor.byte, start: start.pos, end: cursor.pos, normalized: range });
    }
    hits
}
