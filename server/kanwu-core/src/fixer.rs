//! Applies fixes to a page: non-overlapping edits, repeated until the page no longer changes.

use crate::config::Config;
use crate::types::{Diagnostic, Edit};
use std::ops::Range;

/// Which fixes `fix_text` applies.
#[derive(Clone, Debug, Default)]
pub struct FixOptions {
    /// Only fixes of these rule codes; every rule when empty.
    pub only_rules: Vec<String>,
    /// Leave the layout rules (line-wrap, blank-split, vertical-heading) alone.
    pub keep_lines: bool,
}

impl FixOptions {
    /// Whether a diagnostic of `code` is fixed under these options.
    pub fn selects(&self, code: &str) -> bool {
        if !self.only_rules.is_empty() {
            return self.only_rules.iter().any(|rule| rule == code);
        }
        !(self.keep_lines && crate::rules::is_layout_rule(code))
    }
}

/// The result of fixing a page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixOutcome {
    pub text: String,
    /// How many fixes were applied over all passes.
    pub applied: usize,
}

/// The most passes `fix_text` makes; each pass applies every non-overlapping safe fix.
const MAX_PASSES: usize = 8;

/// Applies the safe fixes selected by `options` until nothing changes.
pub fn fix_text(text: &str, config: &Config, options: &FixOptions) -> FixOutcome {
    fix_text_filtered(text, config, options, |_, _| true)
}

/// Like [`fix_text`], fixing only the diagnostics for which `keep(current_text, diagnostic)` holds
/// (used to honour occurrences a proofreader chose to ignore).
pub fn fix_text_filtered(text: &str, config: &Config, options: &FixOptions, keep: impl Fn(&str, &Diagnostic) -> bool) -> FixOutcome {
    let mut current = text.to_string();
    let mut applied = 0;
    for _ in 0..MAX_PASSES {
        let diagnostics = crate::analyze(&current, config);
        let selected = diagnostics.iter().filter(|diagnostic| options.selects(diagnostic.code) && keep(&current, diagnostic));
        let (next, count) = apply_safe_fixes(&current, selected);
        if count == 0 || next == current {
            break;
        }
        applied += count;
        current = next;
    }
    FixOutcome { text: current, applied }
}

/// Applies the first safe fix of each diagnostic, skipping any fix that overlaps one already taken.
pub fn apply_safe_fixes<'a>(text: &str, diagnostics: impl IntoIterator<Item = &'a Diagnostic>) -> (String, usize) {
    let fixes = diagnostics.into_iter().filter_map(Diagnostic::safe_fix).map(|fix| fix.edits.as_slice());
    apply_edit_groups(text, fixes)
}

/// Applies groups of edits (one group per fix) in the given order of preference; a group that
/// overlaps an accepted edit, or has an edit off a character boundary, is skipped whole.
pub fn apply_edit_groups<'a>(text: &str, groups: impl IntoIterator<Item = &'a [Edit]>) -> (String, usize) {
    let mut accepted: Vec<&Edit> = Vec::new();
    let mut taken: Vec<Range<usize>> = Vec::new();
    let mut count = 0;
    for group in groups {
        let valid = group.iter().all(|edit| {
            edit.range.start <= edit.range.end
                && edit.range.end <= text.len()
                && text.is_char_boundary(edit.range.start)
                && text.is_char_boundary(edit.range.end)
        });
        if !valid || group.is_empty() {
            continue;
        }
        if group.iter().any(|edit| taken.iter().any(|range| overlaps(range, &edit.range))) {
            continue;
        }
        if has_internal_overlap(group) {
            continue;
        }
        for edit in group {
            taken.push(edit.range.clone());
            accepted.push(edit);
        }
        count += 1;
    }
    accepted.sort_by_key(|edit| (edit.range.start, edit.range.end));
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    for edit in accepted {
        out.push_str(&text[cursor..edit.range.start]);
        out.push_str(&edit.new_text);
        cursor = edit.range.end;
    }
    out.push_str(&text[cursor..]);
    (out, count)
}

/// Two ranges conflict when they share a byte, or when both are insertions at one point, or an
/// insertion falls strictly inside the other range.
fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    if a.is_empty() && b.is_empty() {
        return a.start == b.start;
    }
    if a.is_empty() {
        return b.start < a.start && a.start < b.end;
    }
    if b.is_empty() {
        return a.start < b.start && b.start < a.end;
    }
    a.start < b.end && b.start < a.end
}

fn has_internal_overlap(group: &[Edit]) -> bool {
    group.iter().enumerate().any(|(i, a)| group[i + 1..].iter().any(|b| overlaps(&a.range, &b.range)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_overlapping_groups_and_keeps_order() {
        let text = "abcdef";
        let first = [Edit::replace(1..3, "X")];
        let clash = [Edit::replace(2..4, "Y")];
        let later = [Edit::delete(4..5), Edit::insert(6, "!")];
        let (out, count) = apply_edit_groups(text, [&first[..], &clash[..], &later[..]]);
        assert_eq!(out, "aXdf!");
        assert_eq!(count, 2);
    }

    #[test]
    fn rejects_edits_off_char_boundaries() {
        let text = "两委";
        let bad = [Edit::delete(1..2)];
        let (out, count) = apply_edit_groups(text, [&bad[..]]);
        assert_eq!(out, text);
        assert_eq!(count, 0);
    }
}
