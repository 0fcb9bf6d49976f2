//! A page's diagnostics assembled from shared parts: each part is an immutable list of diagnostics
//! with offsets relative to where the part starts on the page, so the incremental analysis hands
//! out the cached diagnostics of unchanged chunks without copying or shifting them.
//!
//! A finding is read through [`Found`], a view that adds the part's offset on the fly; only what a
//! caller really needs as an owned [`Diagnostic`] (one quick-fix, one suppression check) is copied.

use crate::types::{Diagnostic, Fix, Message, Severity};
use std::cmp::Ordering;
use std::ops::Range;
use std::sync::Arc;

/// One shared list of diagnostics and the page offset its ranges are relative to.
#[derive(Clone, Debug)]
struct Part {
    offset: usize,
    items: Arc<Vec<Diagnostic>>,
}

/// Where one finding lives: its part and its index in that part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Slot {
    part: u32,
    item: u32,
}

/// What [`Findings::revise`] does with one finding.
#[derive(Debug)]
pub enum Revision {
    /// The finding stays as it is.
    Keep,
    /// The finding goes.
    Drop,
    /// The finding is replaced by this diagnostic (page offsets).
    Replace(Diagnostic),
}

/// The diagnostics of a page in page order (by start, end, then code, as [`crate::analyze`] sorts).
#[derive(Clone, Debug, Default)]
pub struct Findings {
    parts: Vec<Part>,
    order: Vec<Slot>,
}

/// One finding seen at its place on the page.
#[derive(Clone, Copy, Debug)]
pub struct Found<'a> {
    base: &'a Diagnostic,
    offset: usize,
}

impl<'a> Found<'a> {
    /// The byte range on the page.
    pub fn range(&self) -> Range<usize> {
        self.base.range.start + self.offset..self.base.range.end + self.offset
    }

    /// The rule code.
    pub fn code(&self) -> &'static str {
        self.base.code
    }

    /// The severity after configuration.
    pub fn severity(&self) -> Severity {
        self.base.severity
    }

    /// The message in both languages.
    pub fn message(&self) -> &'a Message {
        &self.base.message
    }

    /// Whether the finding has a fix that fix-all applies.
    pub fn has_safe_fix(&self) -> bool {
        self.base.safe_fix().is_some()
    }

    /// An owned copy with page offsets everywhere (range and fix edits).
    pub fn to_diagnostic(&self) -> Diagnostic {
        shifted(self.base, self.offset)
    }

    /// Its fixes with page offsets.
    pub fn fixes(&self) -> Vec<Fix> {
        self.to_diagnostic().fixes
    }

    fn key(&self) -> (usize, usize, &'static str) {
        (self.base.range.start + self.offset, self.base.range.end + self.offset, self.base.code)
    }
}

impl Findings {
    /// Findings already in page order with page offsets (as [`crate::analyze`] returns them).
    pub fn from_sorted(diagnostics: Vec<Diagnostic>) -> Findings {
        let order = (0..diagnostics.len()).map(|item| Slot { part: 0, item: item as u32 }).collect();
        Findings { parts: vec![Part { offset: 0, items: Arc::new(diagnostics) }], order }
    }

    /// Assembles findings from sorted parts, each with the offset its ranges are relative to.
    /// `groups` cover consecutive stretches of the page in order, each group with one or more
    /// parts over its stretch; `overlay` lies over the whole page at offset 0. The result is in page
    /// order.
    pub fn assemble(groups: Vec<Vec<(usize, Arc<Vec<Diagnostic>>)>>, overlay: Vec<Diagnostic>) -> Findings {
        let mut parts = Vec::new();
        let mut group_parts = Vec::with_capacity(groups.len());
        for group in groups {
            let first = parts.len() as u32;
            parts.extend(group.into_iter().filter(|(_, items)| !items.is_empty()).map(|(offset, items)| Part { offset, items }));
            group_parts.push(first..parts.len() as u32);
        }
        let overlay_part = parts.len() as u32;
        let overlay_len = overlay.len() as u32;
        parts.push(Part { offset: 0, items: Arc::new(overlay) });
        let total = parts.iter().map(|part| part.items.len()).sum();
        let mut findings = Findings { parts, order: Vec::with_capacity(total) };

        let mut next_overlay = 0u32;
        let mut ordered = true;
        let mut last: Option<(usize, usize, &'static str)> = None;
        for range in group_parts {
            // The group's parts merged by position (a group has few parts: compare their heads).
            let mut heads: Vec<(u32, u32)> = range.map(|part| (part, 0)).collect();
            loop {
                let mut best: Option<(usize, (usize, usize, &'static str))> = None;
                for (at, &(part, item)) in heads.iter().enumerate() {
                    if item as usize >= findings.parts[part as usize].items.len() {
                        continue;
                    }
                    let key = findings.found(Slot { part, item }).key();
                    if best.is_none_or(|(_, best_key)| key < best_key) {
                        best = Some((at, key));
                    }
                }
                let Some((at, key)) = best else { break };
                let slot = Slot { part: heads[at].0, item: heads[at].1 };
                heads[at].1 += 1;
                while next_overlay < overlay_len {
                    let pending = Slot { part: overlay_part, item: next_overlay };
                    if findings.found(pending).key() <= key {
                        findings.order.push(pending);
                        next_overlay += 1;
                    } else {
                        break;
                    }
                }
                ordered &= last.is_none_or(|last| last <= key);
                last = Some(key);
                findings.order.push(slot);
            }
        }
        findings.order.extend((next_overlay..overlay_len).map(|item| Slot { part: overlay_part, item }));
        if !ordered {
            // A group that reached into the next one (never expected): fall back to a full sort.
            let mut order = std::mem::take(&mut findings.order);
            order.sort_by(|a, b| findings.compare(*a, *b));
            findings.order = order;
        }
        findings
    }

    /// How many findings there are.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The finding at `index` in page order.
    pub fn get(&self, index: usize) -> Option<Found<'_>> {
        self.order.get(index).map(|&slot| self.found(slot))
    }

    /// Every finding in page order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Found<'_>> + '_ {
        self.order.iter().map(|&slot| self.found(slot))
    }

    /// Keeps only the findings `keep` accepts (the order is kept).
    pub fn retain(&mut self, mut keep: impl FnMut(Found<'_>) -> bool) {
        let parts = &self.parts;
        self.order.retain(|&slot| {
            let part = &parts[slot.part as usize];
            keep(Found { base: &part.items[slot.item as usize], offset: part.offset })
        });
    }

    /// Keeps, drops or replaces each finding, as `revise` says. A replacement is an owned
    /// diagnostic with page offsets over the same range as the finding it replaces (so the page
    /// order holds; a replacement that moves is sorted into place). Unchanged findings stay shared.
    pub fn revise(&mut self, mut revise: impl FnMut(Found<'_>) -> Revision) {
        let mut replacements = Vec::new();
        let mut moved = false;
        let replacement_part = self.parts.len() as u32;
        let parts = &self.parts;
        self.order.retain_mut(|slot| {
            let part = &parts[slot.part as usize];
            let found = Found { base: &part.items[slot.item as usize], offset: part.offset };
            match revise(found) {
                Revision::Keep => true,
                Revision::Drop => false,
                Revision::Replace(diagnostic) => {
                    moved |= diagnostic.range != found.range() || diagnostic.code != found.code();
                    *slot = Slot { part: replacement_part, item: replacements.len() as u32 };
                    replacements.push(diagnostic);
                    true
                }
            }
        });
        if replacements.is_empty() {
            return;
        }
        self.parts.push(Part { offset: 0, items: Arc::new(replacements) });
        if moved {
            let mut order = std::mem::take(&mut self.order);
            order.sort_by(|a, b| self.compare(*a, *b));
            self.order = order;
        }
    }

    /// Owned copies of every finding, with page offsets.
    pub fn to_vec(&self) -> Vec<Diagnostic> {
        self.iter().map(|found| found.to_diagnostic()).collect()
    }

    fn found(&self, slot: Slot) -> Found<'_> {
        let part = &self.parts[slot.part as usize];
        Found { base: &part.items[slot.item as usize], offset: part.offset }
    }

    fn compare(&self, a: Slot, b: Slot) -> Ordering {
        self.found(a).key().cmp(&self.found(b).key()).then((a.part, a.item).cmp(&(b.part, b.item)))
    }
}

/// A copy of `diagnostic` with every offset moved on by `by`.
fn shifted(diagnostic: &Diagnostic, by: usize) -> Diagnostic {
    let mut copy = diagnostic.clone();
    if by > 0 {
        copy.range = copy.range.start + by..copy.range.end + by;
        for fix in &mut copy.fixes {
            for edit in &mut fix.edits {
                edit.range = edit.range.start + by..edit.range.end + by;
            }
        }
    }
    copy
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Edit, Fix};

    fn diagnostic(range: Range<usize>, code: &'static str) -> Diagnostic {
        Diagnostic {
            range: range.clone(),
            code,
            severity: Severity::Warning,
            message: Message::new("消息", "message"),
            fixes: vec![Fix::safe(Message::new("删", "delete"), vec![Edit::delete(range)])],
        }
    }

    #[test]
    fn parts_are_shifted_and_merged_with_the_overlay() {
        let first = Arc::new(vec![diagnostic(0..3, "a"), diagnostic(6..9, "a")]);
        let second = Arc::new(vec![diagnostic(0..3, "b")]);
        let overlay = vec![diagnostic(4..5, "z"), diagnostic(10..12, "z"), diagnostic(30..31, "z")];
        let also_second = Arc::new(vec![diagnostic(1..2, "c"), diagnostic(5..6, "c")]);
        let findings = Findings::assemble(vec![vec![(0, first)], vec![(10, second), (10, also_second)]], overlay);
        let seen: Vec<(Range<usize>, &str)> = findings.iter().map(|found| (found.range(), found.code())).collect();
        assert_eq!(
            seen,
            vec![(0..3, "a"), (4..5, "z"), (6..9, "a"), (10..12, "z"), (10..13, "b"), (11..12, "c"), (15..16, "c"), (30..31, "z")]
        );
        let owned = findings.get(4).expect("fifth finding").to_diagnostic();
        assert_eq!(owned.range, 10..13);
        assert_eq!(owned.fixes[0].edits[0].range, 10..13);
        assert!(findings.get(8).is_none());
    }

    #[test]
    fn revise_keeps_drops_and_replaces_in_place() {
        let first = Arc::new(vec![diagnostic(0..3, "a"), diagnostic(6..9, "a")]);
        let second = Arc::new(vec![diagnostic(0..3, "b")]);
        let mut findings = Findings::assemble(vec![vec![(0, first)], vec![(10, second)]], vec![diagnostic(4..5, "z")]);
        findings.revise(|found| match found.range().start {
            4 => Revision::Drop,
            6 => {
                let mut trimmed = found.to_diagnostic();
                trimmed.fixes.clear();
                Revision::Replace(trimmed)
            }
            _ => Revision::Keep,
        });
        let seen: Vec<(Range<usize>, usize)> = findings.iter().map(|found| (found.range(), found.fixes().len())).collect();
        assert_eq!(seen, vec![(0..3, 1), (6..9, 0), (10..13, 1)]);
        assert_eq!(findings.get(2).expect("third finding").fixes()[0].edits[0].range, 10..13);
    }

    #[test]
    fn out_of_order_parts_are_sorted_and_retain_keeps_order() {
        let late = Arc::new(vec![diagnostic(50..52, "a")]);
        let early = Arc::new(vec![diagnostic(1..2, "a")]);
        let mut findings = Findings::assemble(vec![vec![(0, late)], vec![(0, early)]], Vec::new());
        assert_eq!(findings.iter().map(|found| found.range().start).collect::<Vec<_>>(), vec![1, 50]);
        findings.retain(|found| found.range().start > 10);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings.to_vec(), vec![diagnostic(50..52, "a")]);
    }
}
