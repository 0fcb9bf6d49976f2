//! The corpus index's postings: the pages holding each character bigram, frozen after a build into
//! one contiguous layout (varint-coded gaps or bitmaps), plus the radix sort and bigram helpers.

use super::PageId;
use rayon::prelude::*;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A fast hasher for bigram keys (a multiplicative hash; keys are not attacker-chosen in a way that matters here).
#[derive(Default)]
pub(super) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(byte)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u32(&mut self, value: u32) {
        self.0 = u64::from(value).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

pub(super) type KeyMap<V> = HashMap<u32, V, BuildHasherDefault<KeyHasher>>;

/// The pages holding one bigram, in increasing id order.
#[derive(Debug)]
pub(super) enum Postings {
    /// Varint-coded gaps between ids.
    Sparse { bytes: Vec<u8>, last: u32, len: u32 },
    /// One bit per id.
    Dense { bits: Vec<u64>, len: u32 },
}

impl Postings {
    pub(super) fn new() -> Postings {
        Postings::Sparse { bytes: Vec::new(), last: 0, len: 0 }
    }

    pub(super) fn len(&self) -> u32 {
        match self {
            Postings::Sparse { len, .. } | Postings::Dense { len, .. } => *len,
        }
    }

    /// Appends `id`, which is larger than every id already in the list.
    pub(super) fn push(&mut self, id: PageId) {
        match self {
            Postings::Sparse { bytes, last, len } => {
                let gap = if *len == 0 { id } else { id - *last };
                write_varint(bytes, gap);
                *last = id;
                *len += 1;
                let bitmap_bytes = (id as usize / 64 + 1) * 8;
                if bytes.len() > 64 && bitmap_bytes < bytes.len() {
                    let mut bits = vec![0u64; id as usize / 64 + 1];
                    for member in SparseIter::new(bytes) {
                        bits[member as usize / 64] |= 1 << (member % 64);
                    }
                    *self = Postings::Dense { bits, len: *len };
                }
            }
            Postings::Dense { bits, len } => {
                let word = id as usize / 64;
                if bits.len() <= word {
                    bits.resize(word + 1, 0);
                }
                bits[word] |= 1 << (id % 64);
                *len += 1;
            }
        }
    }

    #[cfg(test)]
    pub(super) fn contains(&self, id: PageId) -> bool {
        match self {
            Postings::Dense { bits, .. } => bits.get(id as usize / 64).is_some_and(|word| word & (1 << (id % 64)) != 0),
            Postings::Sparse { bytes, .. } => SparseIter::new(bytes).take_while(|&member| member <= id).any(|member| member == id),
        }
    }

    /// Every id in the list, in order.
    pub(super) fn ids(&self) -> Vec<PageId> {
        match self {
            Postings::Sparse { bytes, len, .. } => {
                let mut ids = Vec::with_capacity(*len as usize);
                ids.extend(SparseIter::new(bytes));
                ids
            }
            Postings::Dense { bits, len } => {
                let mut ids = Vec::with_capacity(*len as usize);
                for (index, &word) in bits.iter().enumerate() {
                    let mut word = word;
                    while word != 0 {
                        ids.push(index as u32 * 64 + word.trailing_zeros());
                        word &= word - 1;
                    }
                }
                ids
            }
        }
    }

    pub(super) fn heap_bytes(&self) -> usize {
        match self {
            Postings::Sparse { bytes, .. } => bytes.capacity(),
            Postings::Dense { bits, .. } => bits.capacity() * 8,
        }
    }
}

/// Walks a varint-coded gap list.
pub(super) struct SparseIter<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) at: usize,
    pub(super) current: u32,
    pub(super) first: bool,
}

impl<'a> SparseIter<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> SparseIter<'a> {
        SparseIter { bytes, at: 0, current: 0, first: true }
    }
}

impl Iterator for SparseIter<'_> {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        if self.at >= self.bytes.len() {
            return None;
        }
        let gap = read_varint(self.bytes, &mut self.at);
        self.current = if self.first { gap } else { self.current + gap };
        self.first = false;
        Some(self.current)
    }
}

pub(super) fn write_varint(out: &mut Vec<u8>, mut value: u32) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

pub(super) fn read_varint(bytes: &[u8], at: &mut usize) -> u32 {
    let mut value = 0u32;
    let mut shift = 0;
    while let Some(&byte) = bytes.get(*at) {
        *at += 1;
        value |= u32::from(byte & 0x7F) << shift;
        if byte & 0x80 == 0 {
            break;
        }
        shift += 7;
    }
    value
}

/// The postings of every page indexed before the last freeze, in one contiguous layout: sorted
/// bigram keys, and for each key its page count and where its list starts in one byte buffer. A list
/// is varint-coded id gaps, or a bitmap (little-endian `u64` words from id 0) once that is smaller.
/// About 12 bytes per bigram plus the lists, against about 45 for a hash map slot and a vector.
#[derive(Debug, Default)]
pub(super) struct Frozen {
    pub(super) keys: Vec<u32>,
    /// The page count of each key; [`DENSE`] marks a bitmap.
    pub(super) counts: Vec<u32>,
    /// Where each key's list starts in `data`; one more entry than `keys` (the end).
    pub(super) starts: Vec<u32>,
    pub(super) data: Vec<u8>,
}

/// The flag in [`Frozen::counts`] for a list stored as a bitmap.
pub(super) const DENSE: u32 = 1 << 31;

/// One key's list in the frozen layout.
#[derive(Clone, Copy)]
pub(super) struct FrozenList<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) count: u32,
    pub(super) dense: bool,
}

impl FrozenList<'_> {
    pub(super) fn extend_ids(&self, ids: &mut Vec<PageId>) {
        if !self.dense {
            ids.extend(SparseIter::new(self.bytes));
            return;
        }
        for (index, word) in self.bytes.chunks_exact(8).enumerate() {
            let mut word = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
            while word != 0 {
                ids.push(index as u32 * 64 + word.trailing_zeros());
                word &= word - 1;
            }
        }
    }
}

impl Frozen {
    pub(super) fn get(&self, key: u32) -> Option<FrozenList<'_>> {
        let at = self.keys.binary_search(&key).ok()?;
        let bytes = &self.data[self.starts[at] as usize..self.starts[at + 1] as usize];
        Some(FrozenList { bytes, count: self.counts[at] & !DENSE, dense: self.counts[at] & DENSE != 0 })
    }

    pub(super) fn heap_bytes(&self) -> usize {
        (self.keys.capacity() + self.counts.capacity() + self.starts.capacity()) * 4 + self.data.capacity()
    }

    /// Builds the layout from each page's sorted, distinct bigrams (`lists[i]` belongs to page
    /// `ids[i]`, ids increasing), in parallel: the key space is cut into shards of about equal size,
    /// each shard gathers its (key, page) pairs from every page, sorts them and encodes its lists.
    pub(super) fn build(ids: &[PageId], lists: &[Vec<u32>]) -> Frozen {
        let total: usize = lists.iter().map(Vec::len).sum();
        if total == 0 {
            return Frozen { starts: vec![0], ..Frozen::default() };
        }
        // Shard boundaries from a sample of the keys.
        let mut sample: Vec<u32> = lists.iter().flat_map(|list| list.iter().step_by(64).copied()).collect();
        sample.sort_unstable();
        // Few shards: each one visits every page's list (a binary search into it), so many shards
        // would cost a cache miss per page each; a few per thread keep the threads evenly busy.
        let shards = (rayon::current_num_threads() * 4).min(total / 4096 + 1);
        let mut bounds: Vec<u32> = (1..shards).map(|shard| sample[shard * sample.len() / shards]).collect();
        bounds.dedup();
        let ranges: Vec<(u32, Option<u32>)> =
            (0..=bounds.len()).map(|shard| (if shard == 0 { 0 } else { bounds[shard - 1] }, bounds.get(shard).copied())).collect();
        let parts: Vec<Frozen> = ranges
            .par_iter()
            .map(|&(low, high)| {
                let slices: Vec<&[u32]> = lists
                    .iter()
                    .map(|list| {
                        let from = list.partition_point(|&key| key < low);
                        let to = high.map_or(list.len(), |high| list.partition_point(|&key| key < high));
                        &list[from..to]
                    })
                    .collect();
                let mut pairs: Vec<u64> = Vec::with_capacity(slices.iter().map(|slice| slice.len()).sum());
                for (&id, slice) in ids.iter().zip(&slices) {
                    pairs.extend(slice.iter().map(|&key| (u64::from(key) << 32) | u64::from(id)));
                }
                // Pages were visited in id order: a stable sort by key alone gives (key, id) order.
                radix_sort(&mut pairs, |pair| (pair >> 32) as u32);
                let mut part = Frozen::default();
                let mut at = 0;
                while at < pairs.len() {
                    let key = (pairs[at] >> 32) as u32;
                    let end = at + pairs[at..].partition_point(|&pair| (pair >> 32) as u32 == key);
                    let members = &pairs[at..end];
                    let last = members[members.len() - 1] as u32;
                    part.keys.push(key);
                    part.starts.push(part.data.len() as u32);
                    let start = part.data.len();
                    let mut previous = 0u32;
                    for (index, &pair) in members.iter().enumerate() {
                        let id = pair as u32;
                        write_varint(&mut part.data, if index == 0 { id } else { id - previous });
                        previous = id;
                    }
                    let bitmap_bytes = (last as usize / 64 + 1) * 8;
                    if bitmap_bytes < part.data.len() - start {
                        part.data.truncate(start);
                        let mut bits = vec![0u64; last as usize / 64 + 1];
                        for &pair in members {
                            let id = pair as u32;
                            bits[id as usize / 64] |= 1 << (id % 64);
                        }
                        part.data.extend(bits.iter().flat_map(|word| word.to_le_bytes()));
                        part.counts.push(members.len() as u32 | DENSE);
                    } else {
                        part.counts.push(members.len() as u32);
                    }
                    at = end;
                }
                part
            })
            .collect();
        let keys: usize = parts.iter().map(|part| part.keys.len()).sum();
        let bytes: usize = parts.iter().map(|part| part.data.len()).sum();
        let mut frozen = Frozen {
            keys: Vec::with_capacity(keys),
            counts: Vec::with_capacity(keys),
            starts: Vec::with_capacity(keys + 1),
            data: Vec::with_capacity(bytes),
        };
        for part in parts {
            let base = frozen.data.len() as u32;
            frozen.keys.extend_from_slice(&part.keys);
            frozen.counts.extend_from_slice(&part.counts);
            frozen.starts.extend(part.starts.iter().map(|start| start + base));
            frozen.data.extend_from_slice(&part.data);
        }
        frozen.starts.push(frozen.data.len() as u32);
        frozen
    }
}

/// Sorts values stably by the 32-bit key `key_of` takes from each (least significant digit radix
/// sort, 11 bits a pass, skipping digits that are the same in every value): the bigram lists of a
/// page and the (key, page) pairs of the freeze are sorted this way, several times faster than a
/// comparison sort on these sizes.
pub(super) fn radix_sort<T: Copy + Default>(values: &mut Vec<T>, key_of: impl Fn(T) -> u32) {
    if values.len() < 64 {
        values.sort_by_key(|&value| key_of(value));
        return;
    }
    const BITS: u32 = 11;
    const BUCKETS: usize = 1 << BITS;
    let mut buffer = vec![T::default(); values.len()];
    let mut counts = vec![0usize; BUCKETS * 3];
    for &value in values.iter() {
        let key = key_of(value);
        for digit in 0..3 {
            counts[digit * BUCKETS + ((key >> (digit as u32 * BITS)) as usize & (BUCKETS - 1))] += 1;
        }
    }
    for digit in 0..3 {
        let counts = &mut counts[digit * BUCKETS..(digit + 1) * BUCKETS];
        if counts.contains(&values.len()) {
            continue;
        }
        let mut sum = 0;
        for count in counts.iter_mut() {
            let here = *count;
            *count = sum;
            sum += here;
        }
        let shift = digit as u32 * BITS;
        for &value in values.iter() {
            let bucket = (key_of(value) >> shift) as usize & (BUCKETS - 1);
            buffer[counts[bucket]] = value;
            counts[bucket] += 1;
        }
        std::mem::swap(values, &mut buffer);
    }
}

/// The key of the bigram `a b`.
pub(super) fn bigram(a: u16, b: u16) -> u32 {
    (u32::from(a) << 16) | u32::from(b)
}

/// The distinct bigrams of a page's normalized text, sorted.
pub(super) fn page_bigrams(units: &[u16]) -> Vec<u32> {
    let mut bigrams: Vec<u32> = units.windows(2).map(|pair| bigram(pair[0], pair[1])).collect();
    radix_sort(&mut bigrams, |key| key);
    bigrams.dedup();
    bigrams
}

/// The bytes of a UTF-16 slice, in native order, for byte-level substring search.
pub(super) fn unit_bytes(units: &[u16]) -> &[u8] {
    // SAFETY: a `u16` slice is valid as twice as many bytes; alignment only decreases.
    unsafe { std::slice::from_raw_parts(units.as_ptr().cast::<u8>(), units.len() * 2) }
}
