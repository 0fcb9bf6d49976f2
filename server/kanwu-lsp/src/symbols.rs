//! The outline of pages: document symbols and folding ranges per article, workspace symbols (headlines, reporters, glossary terms, fuzzy-matched) and workspace diagnostics over the whole corpus.

use crate::glossary_state::PageTerms;
use crate::server::Inner;
use crate::to_proto;
use kanwu_core::outline::{articles, OutlineKind};
use kanwu_core::LineIndex;
use std::sync::Arc;
use tower_lsp_server::ls_types as lsp;

/// One page's workspace report: its path, result id, its diagnostics (`None`: unchanged since the
/// client's result id) and whether they were computed now.
type PageReport = (std::path::PathBuf, String, Option<Arc<Vec<lsp::Diagnostic>>>, bool);

/// How many workspace symbols one query returns at most.
const MAX_WORKSPACE_SYMBOLS: usize = 500;

fn symbol_kind(kind: OutlineKind) -> lsp::SymbolKind {
    match kind {
        OutlineKind::Headline => lsp::SymbolKind::CLASS,
        OutlineKind::Byline => lsp::SymbolKind::CONSTRUCTOR,
        OutlineKind::SectionHead => lsp::SymbolKind::NAMESPACE,
        OutlineKind::Caption => lsp::SymbolKind::STRING,
    }
}

/// A fuzzy match: every character of the query appears in order in the name (case-insensitive);
/// the score prefers contiguous and early matches (lower is better).
pub fn fuzzy_score(query: &str, name: &str) -> Option<usize> {
    let query: Vec<char> = query.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect();
    if query.is_empty() {
        return Some(0);
    }
    let name: Vec<char> = name.chars().flat_map(char::to_lowercase).collect();
    let mut at = 0;
    let mut score = 0;
    let mut previous: Option<usize> = None;
    for wanted in query {
        let found = name[at..].iter().position(|&c| c == wanted)? + at;
        score += match previous {
            Some(previous) => found - previous - 1,
            None => found,
        };
        previous = Some(found);
        at = found + 1;
    }
    Some(score)
}

/// The articles of a document version's snapshot with their headlines, bylines, section heads and
/// captions (its page structure and line index are the snapshot's, computed once per version).
pub fn document_symbols(terms: &PageTerms, encoding: kanwu_core::PositionEncoding) -> Vec<lsp::DocumentSymbol> {
    let converter = terms.converter(encoding);
    #[allow(deprecated)]
    articles(&terms.text, &terms.page)
        .into_iter()
        .map(|article| {
            let children: Vec<lsp::DocumentSymbol> = article
                .items
                .iter()
                .map(|item| lsp::DocumentSymbol {
                    name: if item.name.is_empty() { item.kind.as_str().to_string() } else { item.name.clone() },
                    detail: Some(item.kind.as_str().to_string()),
                    kind: symbol_kind(item.kind),
                    tags: None,
                    deprecated: None,
                    range: converter.range(item.range.clone()),
                    selection_range: converter.range(item.range.clone()),
                    children: None,
                })
                .collect();
            let range = converter.range(article.range.clone());
            lsp::DocumentSymbol {
                name: if article.name.is_empty() { "article".to_string() } else { article.name.clone() },
                detail: Some(if article.preamble { "preamble" } else { "article" }.to_string()),
                kind: lsp::SymbolKind::MODULE,
                tags: None,
                deprecated: None,
                range,
                selection_range: children.first().map_or(range, |child| child.range),
                children: Some(children),
            }
        })
        .collect()
}

/// One folding range per article of a document version's snapshot.
pub fn folding_ranges(terms: &PageTerms) -> Vec<lsp::FoldingRange> {
    articles(&terms.text, &terms.page)
        .into_iter()
        .filter(|article| article.lines.end > article.lines.start)
        .map(|article| lsp::FoldingRange {
            start_line: article.lines.start as u32,
            end_line: article.lines.end as u32,
            kind: Some(lsp::FoldingRangeKind::Region),
            collapsed_text: Some(article.name.clone()),
            ..Default::default()
        })
        .collect()
}

impl Inner {
    /// The articles of a page with their headlines, bylines, section heads and captions.
    pub async fn document_symbols(self: &Arc<Self>, params: lsp::DocumentSymbolParams) -> Option<lsp::DocumentSymbolResponse> {
        let terms = self.page_terms(&params.text_document.uri).await?;
        let encoding = self.lock().encoding;
        Some(lsp::DocumentSymbolResponse::Nested(document_symbols(&terms, encoding)))
    }

    /// One folding range per article.
    pub async fn folding_ranges(self: &Arc<Self>, params: lsp::FoldingRangeParams) -> Option<Vec<lsp::FoldingRange>> {
        let terms = self.page_terms(&params.text_document.uri).await?;
        Some(folding_ranges(&terms))
    }

    /// Headlines and reporters of every page, and glossary terms, fuzzy-matched against the query.
    pub async fn workspace_symbols(self: &Arc<Self>, params: lsp::WorkspaceSymbolParams) -> Option<lsp::WorkspaceSymbolResponse> {
        let inner = self.clone();
        tokio::task::spawn_blocking(move || {
            let query = params.query;
            let mut scored: Vec<(usize, lsp::SymbolInformation)> = Vec::new();
            let corpus = inner.corpus();
            {
                let index = corpus.read();
                for (page, symbol) in index.symbols() {
                    let Some(score) = fuzzy_score(&query, &symbol.name) else { continue };
                    let Some(uri) = index.path(page).and_then(lsp::Uri::from_file_path) else { continue };
                    let range = crate::to_proto::whole_line(symbol.line);
                    #[allow(deprecated)]
                    scored.push((
                        score,
                        lsp::SymbolInformation {
                            name: symbol.name.clone(),
                            kind: symbol_kind(symbol.kind),
                            tags: None,
                            deprecated: None,
                            location: lsp::Location { uri, range },
                            container_name: Some(if symbol.kind == OutlineKind::Byline { "reporter" } else { "headline" }.to_string()),
                        },
                    ));
                }
            }
            // Glossary terms point at their entry in the glossary file when it has one.
            let projects: Vec<Arc<kanwu_core::glossary::Glossary>> = {
                let session = inner.lock();
                let mut glossaries: Vec<_> = session.projects.values().map(|project| project.glossary.in_force.clone()).collect();
                if glossaries.is_empty() {
                    glossaries.push(Arc::new(kanwu_core::glossary::Glossary::builtin().clone()));
                }
                glossaries
            };
            for glossary in projects {
                for entry in glossary.entries() {
                    let Some(score) = fuzzy_score(&query, &entry.term) else { continue };
                    let Some(path) = entry.source.path.as_ref() else { continue };
                    let Some(uri) = lsp::Uri::from_file_path(path) else { continue };
                    let line = entry.source.line.saturating_sub(1) as u32;
                    let range = crate::to_proto::whole_line(line);
                    #[allow(deprecated)]
                    scored.push((
                        score,
                        lsp::SymbolInformation {
                            name: entry.term.clone(),
                            kind: lsp::SymbolKind::CONSTANT,
                            tags: None,
                            deprecated: None,
                            location: lsp::Location { uri, range },
                            container_name: Some("glossary".to_string()),
                        },
                    ));
                }
            }
            scored
                .sort_by(|a, b| a.0.cmp(&b.0).then(a.1.name.cmp(&b.1.name)).then(a.1.location.uri.as_str().cmp(b.1.location.uri.as_str())));
            scored.truncate(MAX_WORKSPACE_SYMBOLS);
            Some(lsp::WorkspaceSymbolResponse::Flat(scored.into_iter().map(|(_, symbol)| symbol).collect()))
        })
        .await
        .ok()
        .flatten()
    }

    /// `workspace/diagnostic`: every indexed page that is not open, checked with its project's
    /// configuration. A page whose result id (content hash and configuration generation) matches the
    /// client's `previousResultIds` is reported `unchanged` without a re-check; a page checked before
    /// is answered from the cache; only new and changed pages are analysed.
    pub async fn workspace_diagnostics(self: &Arc<Self>, params: lsp::WorkspaceDiagnosticParams) -> lsp::WorkspaceDiagnosticReportResult {
        let inner = self.clone();
        let items = tokio::task::spawn_blocking(move || {
            use rayon::prelude::*;
            use std::path::PathBuf;
            let previous: std::collections::HashMap<PathBuf, String> = params
                .previous_result_ids
                .into_iter()
                .filter_map(|previous| {
                    Some((crate::from_proto::path(&previous.uri).map(|path| crate::session::canonical(&path))?, previous.value))
                })
                .collect();
            let (encoding, open, configs, generation) = {
                let session = inner.lock();
                let open: Vec<PathBuf> = session.documents.values().filter_map(|document| document.path.clone()).collect();
                let configs: Vec<(PathBuf, kanwu_core::Config, kanwu_core::Locale)> = session
                    .projects
                    .values()
                    .map(|project| {
                        let config = project.effective_config(&session.settings);
                        let locale = session.locale_for(&config);
                        (project.root.clone(), config, locale)
                    })
                    .collect();
                (session.encoding, open, configs, session.generation)
            };
            let defaults = (kanwu_core::Config::with_defaults(), kanwu_core::Locale::En);
            let corpus = inner.corpus();
            let index = corpus.read();
            let mut pages: Vec<(kanwu_core::index::PageId, PathBuf, String)> = index
                .paths()
                .filter(|path| !open.iter().any(|open| open == path))
                .filter_map(|path| {
                    let id = index.id_of(path)?;
                    Some((id, path.to_path_buf(), crate::index_state::ReportCache::result_id(index.content_hash(id)?, generation)))
                })
                .collect();
            pages.sort_by(|a, b| a.1.cmp(&b.1));
            let cached: std::collections::HashMap<PathBuf, (String, Arc<Vec<lsp::Diagnostic>>)> = {
                let mut cache = corpus.reports.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                // Pages that left the corpus, or changed, leave the cache.
                let current: std::collections::HashMap<&PathBuf, &String> = pages.iter().map(|(_, path, id)| (path, id)).collect();
                cache.pages.retain(|path, (id, _)| current.get(path).is_some_and(|current| *current == id));
                cache.held = cache.pages.values().map(|(_, items)| items.len()).sum();
                cache.pages.clone()
            };
            let reports: Vec<PageReport> = pages
                .par_iter()
                .filter_map(|(id, path, result_id)| {
                    if previous.get(path) == Some(result_id) {
                        return Some((path.clone(), result_id.clone(), None, false));
                    }
                    if let Some((_, items)) = cached.get(path) {
                        return Some((path.clone(), result_id.clone(), Some(items.clone()), false));
                    }
                    let text = index.original_text(*id)?;
                    let (config, locale) = configs
                        .iter()
                        .filter(|(root, _, _)| path.starts_with(root))
                        .max_by_key(|(root, _, _)| root.components().count())
                        .map_or((&defaults.0, defaults.1), |(_, config, locale)| (config, *locale));
                    let diagnostics = kanwu_core::analyze(&text, config);
                    let line_index = LineIndex::new(&text);
                    let converter = to_proto::Text { text: &text, index: &line_index, encoding };
                    let items: Vec<lsp::Diagnostic> =
                        diagnostics.iter().map(|diagnostic| to_proto::diagnostic(&converter, diagnostic, locale, 0)).collect();
                    Some((path.clone(), result_id.clone(), Some(Arc::new(items)), true))
                })
                .collect();
            drop(index);
            let mut cache = corpus.reports.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            for (path, result_id, items, fresh) in &reports {
                if let (Some(items), true) = (items, fresh) {
                    if cache.held + items.len() <= crate::index_state::ReportCache::MAX_DIAGNOSTICS {
                        cache.held += items.len();
                        cache.pages.insert(path.clone(), (result_id.clone(), items.clone()));
                    }
                }
            }
            drop(cache);
            reports
                .into_iter()
                .filter_map(|(path, result_id, items, _)| {
                    let uri = lsp::Uri::from_file_path(&path)?;
                    Some(match items {
                        None => lsp::WorkspaceDocumentDiagnosticReport::Unchanged(lsp::WorkspaceUnchangedDocumentDiagnosticReport {
                            uri,
                            version: None,
                            unchanged_document_diagnostic_report: lsp::UnchangedDocumentDiagnosticReport { result_id },
                        }),
                        Some(items) => lsp::WorkspaceDocumentDiagnosticReport::Full(lsp::WorkspaceFullDocumentDiagnosticReport {
                            uri,
                            version: None,
                            full_document_diagnostic_report: lsp::FullDocumentDiagnosticReport {
                                result_id: Some(result_id),
                                items: Arc::try_unwrap(items).unwrap_or_else(|shared| (*shared).clone()),
                            },
                        }),
                    })
                })
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        lsp::WorkspaceDiagnosticReportResult::Report(lsp::WorkspaceDiagnosticReport { items })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_and_folding_come_from_the_snapshot() {
        let text = "党建引领乡村振兴\n\n□本报记者 林晓\n\n全旗各嘎查村召开会议，部署春耕生产工作，\n确保不误农时。\n";
        let terms = PageTerms::compute(1, Arc::new(kanwu_core::glossary::Glossary::builtin().clone()), Arc::from(text));
        let symbols = document_symbols(&terms, kanwu_core::PositionEncoding::Utf16);
        assert_eq!(symbols.len(), 1);
        assert_eq!(symbols[0].name, "党建引领乡村振兴");
        let details: Vec<&str> = symbols[0].children.iter().flatten().filter_map(|child| child.detail.as_deref()).collect();
        assert_eq!(details, ["headline", "byline"]);
        let folds = folding_ranges(&terms);
        assert_eq!((folds[0].start_line, folds[0].end_line), (0, 5), "the article runs to its last line");
    }
}
