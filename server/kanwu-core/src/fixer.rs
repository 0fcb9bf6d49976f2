//! The one fixer: applies safe fixes to a page, pass after pass, until the page no longer changes,
//! honouring ignored occurrences and leaving protected ranges (such as undecodable bytes) intact.
//!
//! `kanwu fix`, the editor's fix-all, format-on-save and formatting all call [`fix_page`]; there is
//! no other fix loop. Each pass analyses the current text, drops what the sidecar of ignored
//! occurrences silences, and applies every selected safe fix that overlaps neither an accepted edit
//! nor a protected range. A silenced occurrence is protected from then on: its range is carried
//! through the edits of later passes, since fixing its neighbours changes the context that
//! identified it. The loop ends at the fixed point; a page that has not settled after
//! [`MAX_PASSES`] passes (which no rule should cause) is reported as such with the rules still firing.

use crate::config::Config;
use crate::suppress::Suppressions;
use crate::types::Edit;
use std::ops::Range;

/// Which fixes the fixer applies.
#[derive(Clone, Debug, Default)]
pub struct FixOptions {
    /// Only fixes of these rule codes; every rule when empty.
    pub only_rules: Vec<String>,
    /// Leave the layout rules (those whose metadata says `layout`) alone.
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

    /// Only the layout rules: what formatting (reflow) applies.
    pub fn layout_only() -> FixOptions {
        let only_rules =
            crate::rules::all_rules().iter().map(|rule| rule.info()).filter(|info| info.layout).map(|info| info.code.to_string()).collect();
        FixOptions { only_rules, keep_lines: false }
    }
}

/// Everything the fixer needs besides the text and the configuration.
#[derive(Clone, Debug, Default)]
pub struct FixRequest<'a> {
    pub options: FixOptions,
    /// The ignored occurrences and the page's key among them.
    pub suppressions: Option<(&'a Suppressions, &'a str)>,
    /// Byte ranges of the original text that no edit may touch (undecodable bytes, kept as they
    /// were); their places in the fixed text are returned in [`FixOutcome::protected`].
    pub protected: Vec<Range<usize>>,
}

/// The result of fixing a page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixOutcome {
    pub text: String,
    /// How many fixes were applied over all passes.
    pub applied: usize,
    /// The request's protected ranges, in the same order, as they lie in the fixed text.
    pub protected: Vec<Range<usize>>,
    /// False when the page was still changing after [`MAX_PASSES`] passes.
    pub settled: bool,
    /// When not settled: the rules whose safe fixes still applied on the last pass.
    pub still_firing: Vec<&'static str>,
}

/// The most passes the fixer makes. Every rule's fix removes what it reports, so real pages settle
/// in a few passes; this bound only guards against a rule whose fix would undo another's.
pub const MAX_PASSES: usize = 200;

/// Applies the safe fixes selected by `options` until nothing changes.
pub fn fix_text(text: &str, config: &Config, options: &FixOptions) -> FixOutcome {
    fix_page(text, config, &FixRequest { options: options.clone(), ..FixRequest::default() })
}

/// Applies the selected safe fixes of `text` to its fixed point, as [`FixRequest`] says.
pub fn fix_page(text: &str, config: &Config, request: &FixRequest<'_>) -> FixOutcome {
    let suppressions = request.suppressions.filter(|(suppressions, key)| !suppressions.is_empty_for(key));
    let mut current = text.to_string();
    let mut applied = 0;
    // Ranges no edit may touch: the request's own first (their order is kept), then silenced occurrences.
    let mut kept: Vec<Range<usize>> = request.protected.clone();
    let requested = kept.len();
    for _ in 0..MAX_PASSES {
        let diagnostics = crate::analyze(&current, config);
        let mut groups: Vec<Vec<&Edit>> = Vec::new();
        for diagnostic in diagnostics.iter().filter(|diagnostic| request.options.selects(diagnostic.code)) {
            let Some(original) = diagnostic.safe_fix() else { continue };
            // What the sidecar leaves of the diagnostic, as `kanwu check` and the editor show it.
            let remaining = match suppressions {
                Some((suppressions, key)) => suppressions.remaining(key, &current, diagnostic),
                None => Some(std::borrow::Cow::Borrowed(diagnostic)),
            };
            let Some(remaining) = remaining else {
                kept.push(diagnostic.range.clone());
                continue;
            };
            let fix = remaining.safe_fix();
            // A silenced edit of a grouped fix (one space of a justified line) stays, protected.
            for edit in &original.edits {
                if !fix.is_some_and(|fix| fix.edits.contains(edit)) {
                    kept.push(edit.range.clone());
                }
            }
            let group: Vec<&Edit> = original.edits.iter().filter(|edit| fix.is_some_and(|fix| fix.edits.contains(edit))).collect();
            if !group.is_empty() {
                groups.push(group);
            }
        }
        let (next, accepted, count) = apply_groups(&current, groups.iter().map(Vec::as_slice), &kept);
        if count == 0 || next == current {
            return finish(current, applied, kept, requested, true, Vec::new());
        }
        applied += count;
        kept = kept.iter().map(|range| shift(range, &accepted)).collect();
        current = next;
    }
    // Still changing: name the rules whose fixes would apply next.
    let diagnostics = crate::analyze(&current, config);
    let mut still_firing: Vec<&'static str> = diagnostics
        .iter()
        .filter(|diagnostic| request.options.selects(diagnostic.code) && diagnostic.safe_fix().is_some())
        .map(|diagnostic| diagnostic.code)
        .collect();
    still_firing.sort_unstable();
    still_firing.dedup();
    let settled = still_firing.is_empty();
    finish(current, applied, kept, requested, settled, still_firing)
}

fn finish(
    text: String,
    applied: usize,
    mut kept: Vec<Range<usize>>,
    requested: usize,
    settled: bool,
    still_firing: Vec<&'static str>,
) -> FixOutcome {
    kept.truncate(requested);
    FixOutcome { text, applied, protected: kept, settled, still_firing }
}

/// Applies groups of edits (one group per fix) in the given order of preference; a group that
/// overlaps an accepted edit, or has an edit off a character boundary, is skipped whole.
pub fn apply_edit_groups<'a>(text: &str, groups: impl IntoIterator<Item = &'a [Edit]>) -> (String, usize) {
    let groups: Vec<Vec<&Edit>> = groups.into_iter().map(|group| group.iter().collect()).collect();
    let (out, _, count) = apply_groups(text, groups.iter().map(Vec::as_slice), &[]);
    (out, count)
}

/// Applies edit groups in order, skipping a group that is invalid, overlaps an accepted edit or
/// itself, or touches a protected range; returns the new text, the accepted edits in text order
/// and how many groups were taken.
fn apply_groups<'e, 'g>(
    text: &str,
    groups: impl IntoIterator<Item = &'g [&'e Edit]>,
    protected: &[Range<usize>],
) -> (String, Vec<Edit>, usize)
where
    'e: 'g,
{
    let mut accepted: Vec<&Edit> = Vec::new();
    let mut count = 0;
    for group in groups {
        let valid = !group.is_empty()
            && group.iter().all(|edit| {
                edit.range.start <= edit.range.end
                    && edit.range.end <= text.len()
                    && text.is_char_boundary(edit.range.start)
                    && text.is_char_boundary(edit.range.end)
            });
        if !valid {
            continue;
        }
        let clashes = group.iter().enumerate().any(|(index, edit)| {
            accepted.iter().any(|other| overlaps(&other.range, &edit.range))
                || protected.iter().any(|range| touches(range, &edit.range))
                || group[index + 1..].iter().any(|other| overlaps(&other.range, &edit.range))
        });
        if clashes {
            continue;
        }
        accepted.extend(group.iter().copied());
        count += 1;
    }
    accepted.sort_by_key(|edit| (edit.range.start, edit.range.end));
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    for edit in &accepted {
        out.push_str(&text[cursor..edit.range.start]);
        out.push_str(&edit.new_text);
        cursor = edit.range.end;
    }
    out.push_str(&text[cursor..]);
    (out, accepted.into_iter().cloned().collect(), count)
}

/// Two edit ranges conflict when they share a byte, or when both are insertions at one point, or an
/// insertion falls strictly inside the other range.
fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => a.start == b.start,
        (true, false) => b.start < a.start && a.start < b.end,
        (false, true) => a.start < b.start && b.start < a.end,
        (false, false) => a.start < b.end && b.start < a.end,
    }
}

/// Whether an edit touches a protected range: they share a byte, or are the same (possibly empty)
/// range, or an insertion falls strictly inside the protected range.
fn touches(protected: &Range<usize>, edit: &Range<usize>) -> bool {
    protected == edit || overlaps(protected, edit) && !(protected.is_empty() && edit.is_empty())
}

/// Where `range` lies after `edits` (sorted, none touching it) are applied.
fn shift(range: &Range<usize>, edits: &[Edit]) -> Range<usize> {
    let delta: isize = edits
        .iter()
        .filter(|edit| edit.range.end <= range.start && !(edit.range.is_empty() && edit.range.start == range.start && range.is_empty()))
        .map(|edit| edit.new_text.len() as isize - edit.range.len() as isize)
        .sum();
    let start = range.start.saturating_add_signed(delta);
    start..start + range.len()
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

    #[test]
    fn reaches_the_fixed_point_in_one_run_on_long_runs_of_commas() {
        let config = Config::with_defaults();
        for commas in [2, 9, 20, 64, 300] {
            let text = format!("第一{}第二。\n", ",".repeat(commas));
            let once = fix_text(&text, &config, &FixOptions::default());
            assert!(once.settled, "{commas}: {:?}", once.still_firing);
            let twice = fix_text(&once.text, &config, &FixOptions::default());
            assert_eq!(twice.text, once.text, "{commas} commas need a second run");
            assert_eq!(twice.applied, 0);
        }
    }

    #[test]
    fn protected_ranges_stay_byte_exact_and_are_carried_through_edits() {
        let config = Config::with_defaults();
        // A placeholder for undecodable bytes between two fixable spots.
        let text = "第一段,有逗号。\n\u{FFFD}(第二段 ,好。\n";
        let at = text.find('\u{FFFD}').unwrap();
        let protected = std::iter::once(at..at + 3).collect();
        let request = FixRequest { protected, ..FixRequest::default() };
        let outcome = fix_page(text, &config, &request);
        assert_ne!(outcome.text, text);
        let moved = outcome.protected[0].clone();
        assert_eq!(&outcome.text[moved], "\u{FFFD}");
        assert!(outcome.text.starts_with("第一段，有逗号。"), "{}", outcome.text);
    }

    #[test]
    fn an_ignored_space_stays_and_the_rest_of_its_justified_line_is_fixed() {
        use crate::suppress::{Occurrence, Suppressions};
        let config = Config::with_defaults();
        let text = "标题\n\n组 织 党 员 深 入 一 线 ，开 展 走 访 慰 问 活 动 。\n";
        let at = text.find("党 员").unwrap() + "党".len();
        let mut suppressions = Suppressions::default();
        // An entry written for one space, before the spaces of a line were grouped.
        suppressions.add(Occurrence::at("p.txt", text, "cjk-space", at..at + 1));
        let request = FixRequest { suppressions: Some((&suppressions, "p.txt")), ..FixRequest::default() };
        let outcome = fix_page(text, &config, &request);
        assert!(outcome.text.contains("组织党 员深入一线"), "{}", outcome.text);
        assert!(!outcome.text.contains("开 展"), "{}", outcome.text);
        // Without the entry every space goes.
        assert!(fix_text(text, &config, &FixOptions::default()).text.contains("组织党员深入一线"));
    }

    #[test]
    fn shift_moves_ranges_after_edits_only() {
        let edits = [Edit::delete(0..2), Edit::insert(10, "abc")];
        assert_eq!(shift(&(4..6), &edits), 2..4);
        assert_eq!(shift(&(12..13), &edits), 13..14);
    }
}
