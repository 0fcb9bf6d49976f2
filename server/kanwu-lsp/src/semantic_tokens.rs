//! `textDocument/semanticTokens/full` and `/full/delta`: every glossary term as a token of type `term` with a modifier naming its category.
//!
//! Positions and lengths are in the negotiated encoding. A term cut by a line break yields one
//! token per line (clients need not support multi-line tokens), each without the spaces at the
//! line's edges. Each answer has a result id; a delta request naming the last id gets the edit that
//! turns the last tokens into the new ones (one edit: the changed middle, whole tokens).

use crate::glossary_state::PageTerms;
use crate::server::Inner;
use kanwu_core::glossary::Category;
use kanwu_core::PositionEncoding;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tower_lsp_server::ls_types as lsp;

/// The one token type.
pub const TERM_TYPE: &str = "term";

/// The token modifiers, one per category, in legend order.
pub const MODIFIERS: [Category; 8] = [
    Category::Organization,
    Category::Role,
    Category::Formula,
    Category::Practice,
    Category::Administrative,
    Category::Culture,
    Category::Rural,
    Category::Epidemic,
];

/// The legend declared at initialize.
pub fn legend() -> lsp::SemanticTokensLegend {
    lsp::SemanticTokensLegend {
        token_types: vec![lsp::SemanticTokenType::new(TERM_TYPE)],
        token_modifiers: MODIFIERS.iter().map(|category| lsp::SemanticTokenModifier::new(category.as_str())).collect(),
    }
}

/// The modifier bit of a category.
fn modifier_bit(category: Category) -> u32 {
    MODIFIERS.iter().position(|&other| other == category).map_or(0, |index| 1 << index)
}

/// The tokens of a page, relative-encoded as the protocol wants them.
pub fn tokens(terms: &PageTerms, encoding: PositionEncoding) -> Vec<lsp::SemanticToken> {
    let converter = terms.converter(encoding);
    let text: &str = &terms.text;
    let mut out = Vec::with_capacity(terms.hits.len());
    let (mut last_line, mut last_start) = (0u32, 0u32);
    for hit in &terms.hits {
        let modifiers = modifier_bit(terms.glossary.entry(hit.entry).category);
        let first = terms.index.line_of(hit.range.start);
        let last = terms.index.line_of(hit.range.end.saturating_sub(1).max(hit.range.start));
        for line in first..=last {
            let start = hit.range.start.max(terms.index.line_start(line));
            let end = hit.range.end.min(terms.index.line_end(line));
            if start >= end {
                continue;
            }
            let segment = &text[start..end];
            let start = start + (segment.len() - segment.trim_start().len());
            let end = end - (segment.len() - segment.trim_end().len());
            if start >= end {
                continue;
            }
            let (from, to) = (converter.position(start), converter.position(end));
            let delta_line = from.line - last_line;
            let delta_start = if delta_line == 0 { from.character - last_start } else { from.character };
            out.push(lsp::SemanticToken {
                delta_line,
                delta_start,
                length: to.character - from.character,
                token_type: 0,
                token_modifiers_bitset: modifiers,
            });
            (last_line, last_start) = (from.line, from.character);
        }
    }
    out
}

/// The single edit (in integers of the flat array) that turns `old` into `new`.
pub fn delta(old: &[lsp::SemanticToken], new: &[lsp::SemanticToken]) -> Vec<lsp::SemanticTokensEdit> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..].iter().rev().zip(new[prefix..].iter().rev()).take_while(|(a, b)| a == b).count();
    let deleted = old.len() - prefix - suffix;
    let inserted = &new[prefix..new.len() - suffix];
    if deleted == 0 && inserted.is_empty() {
        return Vec::new();
    }
    vec![lsp::SemanticTokensEdit { start: (prefix * 5) as u32, delete_count: (deleted * 5) as u32, data: Some(inserted.to_vec()) }]
}

/// A fresh result id.
fn next_result_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed).to_string()
}

impl Inner {
    /// Computes the page's tokens, records them under a new result id, and returns the id, the
    /// tokens and the tokens previously recorded under `previous` (if that was the last id).
    async fn record_tokens(
        self: &Arc<Self>,
        uri: &lsp::Uri,
        previous: Option<&str>,
    ) -> Option<(String, Arc<Vec<lsp::SemanticToken>>, Option<Arc<Vec<lsp::SemanticToken>>>)> {
        let terms = self.page_terms(uri).await?;
        let encoding = self.lock().encoding;
        let data = Arc::new(tokens(&terms, encoding));
        let id = next_result_id();
        let mut session = self.lock();
        let document = session.documents.get_mut(uri)?;
        let old = match (&document.terms.tokens, previous) {
            (Some((last, old)), Some(previous)) if last == previous => Some(old.clone()),
            _ => None,
        };
        document.terms.tokens = Some((id.clone(), data.clone()));
        Some((id, data, old))
    }

    pub async fn semantic_tokens_full(self: &Arc<Self>, params: lsp::SemanticTokensParams) -> Option<lsp::SemanticTokensResult> {
        let (id, data, _) = self.record_tokens(&params.text_document.uri, None).await?;
        Some(lsp::SemanticTokensResult::Tokens(lsp::SemanticTokens { result_id: Some(id), data: data.to_vec() }))
    }

    pub async fn semantic_tokens_delta(
        self: &Arc<Self>,
        params: lsp::SemanticTokensDeltaParams,
    ) -> Option<lsp::SemanticTokensFullDeltaResult> {
        let (id, data, old) = self.record_tokens(&params.text_document.uri, Some(&params.previous_result_id)).await?;
        Some(match old {
            Some(old) => {
                lsp::SemanticTokensFullDeltaResult::TokensDelta(lsp::SemanticTokensDelta { result_id: Some(id), edits: delta(&old, &data) })
            }
            None => lsp::SemanticTokensFullDeltaResult::Tokens(lsp::SemanticTokens { result_id: Some(id), data: data.to_vec() }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::glossary_state::PageTerms;
    use kanwu_core::glossary::Glossary;

    fn token(delta_line: u32, delta_start: u32, length: u32) -> lsp::SemanticToken {
        lsp::SemanticToken { delta_line, delta_start, length, token_type: 0, token_modifiers_bitset: 1 }
    }

    #[test]
    fn a_wrapped_term_gives_one_token_per_line() {
        let text = "召开村“ 两\n委”会议，两委成员参加。";
        let terms = PageTerms::compute(1, Arc::new(Glossary::builtin().clone()), Arc::from(text));
        let data = tokens(&terms, PositionEncoding::Utf16);
        let lines: Vec<(u32, u32, u32)> = data.iter().map(|token| (token.delta_line, token.delta_start, token.length)).collect();
        // 村“ 两 on line 0 (the alias 村“两委” spans the break), 委” on line 1, then 两委.
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert_eq!(lines[1].0, 1);
        assert_eq!(lines[1].1, 0);
        assert!(data.iter().all(|token| token.token_modifiers_bitset == modifier_bit(Category::Organization)), "{data:?}");
    }

    #[test]
    fn delta_is_the_changed_middle() {
        let old = vec![token(0, 0, 2), token(1, 0, 2), token(0, 5, 3)];
        let new = vec![token(0, 0, 2), token(2, 1, 2), token(0, 5, 3)];
        let edits = delta(&old, &new);
        assert_eq!(edits.len(), 1);
        assert_eq!((edits[0].start, edits[0].delete_count), (5, 5));
        assert_eq!(edits[0].data.as_deref(), Some(&new[1..2]));
        assert!(delta(&old, &old).is_empty());
    }
}
