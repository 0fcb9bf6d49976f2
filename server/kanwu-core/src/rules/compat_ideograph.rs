//! `compat-ideograph`: a Kangxi radical or CJK compatibility ideograph in running text, where PDF extraction put it for the unified character it looks like (⼀ U+2F00 for 一, 豈 U+F900 for 豈 U+8C48).

use crate::rules::{Context, FixSafety, Rule, RuleInfo, Scope};
use crate::types::{Diagnostic, Edit, Fix, Message, Severity};
use unicode_normalization::char::{decompose_canonical, decompose_compatible};

/// Finds Kangxi radicals, CJK radicals with a compatibility decomposition and compatibility
/// ideographs with a canonical one, and replaces each with the unified ideograph.
pub struct CompatIdeograph;

static INFO: RuleInfo = RuleInfo {
    code: "compat-ideograph",
    default_severity: Severity::Warning,
    fix_safety: FixSafety::Safe,
    layout: false,
    scope: Scope::Line,
    summary_zh: "康熙部首或兼容汉字：PDF 提取留下的形同字符，应换成统一汉字。",
    summary_en: "A Kangxi radical or compatibility ideograph that PDF extraction left for the unified character.",
    example: "⼀年来，全旗⾛访农户",
};

/// What a character stands for when it is a radical or compatibility form of a unified ideograph:
/// the unified character and whether it is a radical (NFKC) or a compatibility ideograph (NFC).
/// The twelve unified ideographs inside the compatibility block (U+FA0E, U+FA0F, U+FA11, …) have
/// no decomposition and are never replaced.
pub fn unified_form(c: char) -> Option<(char, bool)> {
    let code = c as u32;
    let radical = (0x2E80..=0x2FDF).contains(&code);
    let compatibility = (0xF900..=0xFAFF).contains(&code) || (0x2F800..=0x2FA1F).contains(&code);
    if !radical && !compatibility {
        return None;
    }
    let mut parts = Vec::with_capacity(1);
    if radical {
        decompose_compatible(c, |part| parts.push(part));
    } else {
        decompose_canonical(c, |part| parts.push(part));
    }
    match parts.as_slice() {
        [single] if *single != c => Some((*single, radical)),
        _ => None,
    }
}

impl Rule for CompatIdeograph {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, sink: &mut Vec<Diagnostic>) {
        for (start, c) in cx.text.char_indices() {
            let Some((unified, radical)) = unified_form(c) else { continue };
            let range = start..start + c.len_utf8();
            let code = c as u32;
            let message = if radical {
                Message::new(
                    format!("康熙部首「{c}」（U+{code:04X}）混在正文中，应为汉字「{unified}」"),
                    format!("The Kangxi radical {c} (U+{code:04X}) stands in running text where the character {unified} belongs"),
                )
            } else {
                Message::new(
                    format!("兼容汉字「{c}」（U+{code:04X}）应为统一汉字「{unified}」"),
                    format!("The compatibility ideograph {c} (U+{code:04X}) stands where the unified character {unified} belongs"),
                )
            };
            let fix = Fix::safe(
                Message::new(format!("换成「{unified}」"), format!("Replace with {unified}")),
                vec![Edit::replace(range.clone(), unified.to_string())],
            );
            sink.push(cx.diagnostic(&INFO, range, message, vec![fix]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::unified_form;

    #[test]
    fn radicals_and_compatibility_ideographs_map_to_their_unified_characters() {
        assert_eq!(unified_form('\u{2F00}'), Some(('一', true)));
        assert_eq!(unified_form('\u{2F94}'), Some(('言', true)));
        assert_eq!(unified_form('\u{2FDB}'), None, "an unassigned code point");
        assert_eq!(unified_form('\u{F900}'), Some(('\u{8C48}', false)));
        // The twelve unified ideographs of the compatibility block are characters in their own right.
        for c in ['\u{FA0E}', '\u{FA0F}', '\u{FA11}', '\u{FA13}', '\u{FA14}', '\u{FA1F}', '\u{FA21}', '\u{FA23}', '\u{FA24}', '\u{FA27}', '\u{FA28}', '\u{FA29}'] {
            assert_eq!(unified_form(c), None, "U+{:04X}", c as u32);
        }
        assert_eq!(unified_form('一'), None);
        assert_eq!(unified_form('a'), None);
    }
}
