//! The evidence interface: what a rule may learn about the rest of the corpus (how many pages use a word or a glossary term, and how often), passed to `analyze` as an explicit, versioned input.
//!
//! A rule sees one page; some artefacts only show against the corpus (a one-off `杜会` on a page
//! whose folder writes `社会` four hundred times). The faces decide where the evidence comes from:
//! the server and `kanwu check` over a folder hand in the corpus index, a sharded or streaming run
//! hands in nothing (or a table of counts it was given), and a rule must give a useful answer from
//! the page alone when there is none. The rule itself never does I/O: it asks [`Evidence`].
//!
//! Two numbers version the evidence. [`INTERFACE_VERSION`] changes when what a source must answer
//! changes (a cache written under another interface is never reused). [`CorpusEvidence::generation`]
//! changes whenever the counts may have changed (the index's change count): the incremental
//! analysis keys its cached chunks by [`Evidence::key`], so a chunk checked against older counts is
//! checked again.

use crate::glossary::Glossary;
use crate::index::CorpusIndex;
use crate::terms::TermQuery;
use std::collections::HashMap;

/// The version of what an evidence source answers; see the module documentation.
pub const INTERFACE_VERSION: u32 = 1;

/// What a result checked under some evidence depends on: the interface version and the source's
/// generation (`None` for the page alone).
pub type EvidenceKey = (u32, Option<u64>);

/// How a corpus uses a word or term: on how many pages, how many times in all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Usage {
    pub pages: usize,
    pub occurrences: usize,
}

/// A source of corpus evidence. Counts are those of the one term search (`crate::terms`), so a rule
/// sees what `kanwu refs` and the hover would show.
pub trait CorpusEvidence: Send + Sync {
    /// Changes whenever any count may have changed.
    fn generation(&self) -> u64;
    /// How many pages the corpus holds.
    fn page_count(&self) -> usize;
    /// How the corpus uses a text wherever it occurs (a word, a misreading), OCR-aware.
    fn word_usage(&self, word: &str) -> Usage;
    /// How the corpus uses a glossary term, counted as its entry (its other names too, never
    /// inside a longer word); a text that names no entry is counted as a word.
    fn term_usage(&self, term: &str) -> Usage;
}

/// The evidence one analysis runs with: a corpus source, or none (the page alone).
#[derive(Clone, Copy, Default)]
pub struct Evidence<'a> {
    corpus: Option<&'a dyn CorpusEvidence>,
}

impl<'a> Evidence<'a> {
    /// No evidence: rules judge the page alone.
    pub const NONE: Evidence<'static> = Evidence { corpus: None };

    /// Evidence from a corpus source.
    pub fn from_corpus(corpus: &'a dyn CorpusEvidence) -> Evidence<'a> {
        Evidence { corpus: Some(corpus) }
    }

    /// True when there is a corpus to ask.
    pub fn has_corpus(&self) -> bool {
        self.corpus.is_some()
    }

    /// How many pages the corpus holds (`None` without a corpus).
    pub fn page_count(&self) -> Option<usize> {
        self.corpus.map(|corpus| corpus.page_count())
    }

    /// How the corpus uses a word (`None` without a corpus).
    pub fn word_usage(&self, word: &str) -> Option<Usage> {
        self.corpus.map(|corpus| corpus.word_usage(word))
    }

    /// How the corpus uses a glossary term (`None` without a corpus).
    pub fn term_usage(&self, term: &str) -> Option<Usage> {
        self.corpus.map(|corpus| corpus.term_usage(term))
    }

    /// What a cached result checked under this evidence depends on: the interface version and the
    /// source's generation (`None` for the page alone).
    pub fn key(&self) -> EvidenceKey {
        (INTERFACE_VERSION, self.corpus.map(|corpus| corpus.generation()))
    }
}

/// The corpus index as evidence, with the glossary its terms are counted by.
pub struct IndexEvidence<'a> {
    pub index: &'a CorpusIndex,
    pub glossary: &'a Glossary,
}

impl CorpusEvidence for IndexEvidence<'_> {
    fn generation(&self) -> u64 {
        self.index.changes()
    }

    fn page_count(&self) -> usize {
        self.index.len()
    }

    fn word_usage(&self, word: &str) -> Usage {
        let (pages, occurrences) = TermQuery::literal(word).count_in_index(self.index);
        Usage { pages, occurrences }
    }

    fn term_usage(&self, term: &str) -> Usage {
        let (pages, occurrences) = TermQuery::new(term, self.glossary).count_in_index(self.index);
        Usage { pages, occurrences }
    }
}

/// Counts given as a table (a sharded run handed the counts of the whole archive, or a test):
/// words and terms not in the table are unused.
#[derive(Clone, Debug, Default)]
pub struct UsageTable {
    pub generation: u64,
    pub pages: usize,
    pub words: HashMap<String, Usage>,
    pub terms: HashMap<String, Usage>,
}

impl CorpusEvidence for UsageTable {
    fn generation(&self) -> u64 {
        self.generation
    }

    fn page_count(&self) -> usize {
        self.pages
    }

    fn word_usage(&self, word: &str) -> Usage {
        self.words.get(&crate::index::normalize_term(word)).copied().unwrap_or_default()
    }

    fn term_usage(&self, term: &str) -> Usage {
        let term = crate::index::normalize_term(term);
        self.terms.get(&term).or_else(|| self.words.get(&term)).copied().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn the_index_answers_with_the_one_term_search() {
        let mut index = CorpusIndex::new();
        index.update(Path::new("a.txt"), "加强基层党组织建设，机关成立党组。\n");
        index.update(Path::new("b.txt"), "设立党组，党\n组。\n");
        let source = IndexEvidence { index: &index, glossary: Glossary::builtin() };
        let evidence = Evidence::from_corpus(&source);
        assert_eq!(evidence.page_count(), Some(2));
        // As a word, 党组 is everywhere its text is; as the glossary term, not inside 党组织.
        assert_eq!(evidence.word_usage("党组"), Some(Usage { pages: 2, occurrences: 4 }));
        assert_eq!(evidence.term_usage("党组"), Some(Usage { pages: 2, occurrences: 3 }));
        assert_eq!(evidence.key(), (INTERFACE_VERSION, Some(index.changes())));
    }

    #[test]
    fn a_rule_that_asks_marks_its_result_as_depending_on_the_evidence() {
        let text = "社会各界踊跃参与。";
        let page = crate::Page::parse(text);
        let config = crate::Config::with_defaults();
        let table = UsageTable { generation: 1, pages: 1, ..UsageTable::default() };
        let cx = crate::rules::Context::with_evidence(text, &page, &config, Evidence::from_corpus(&table));
        assert!(!cx.consulted_evidence());
        assert_eq!(cx.evidence().page_count(), Some(1));
        assert!(cx.consulted_evidence());
    }

    #[test]
    fn analysis_with_evidence_and_incremental_analysis_agree() {
        let text = "连日来，某某镇党委组织机关干\n部深入各村， 逐户宣传。\n\n社会各界踊跃参与,共同抗疫。\n".repeat(40);
        let config = crate::Config::with_defaults();
        let mut table = UsageTable { generation: 1, pages: 10, ..UsageTable::default() };
        let plain = crate::analyze(&text, &config);
        assert_eq!(crate::analyze_with(&text, &config, Evidence::from_corpus(&table)), plain);
        let mut incremental = crate::incremental::IncrementalAnalysis::new();
        for generation in 1..4 {
            table.generation = generation;
            let (found, _) = incremental.analyze_with_evidence_until(&text, &config, Evidence::from_corpus(&table), &|| false).unwrap();
            assert_eq!(found.to_vec(), plain, "generation {generation}");
        }
    }

    #[test]
    fn no_evidence_answers_nothing_and_keys_apart() {
        let evidence = Evidence::NONE;
        assert!(!evidence.has_corpus());
        assert_eq!(evidence.word_usage("社会"), None);
        let table = UsageTable { generation: 7, pages: 3, ..UsageTable::default() };
        assert_ne!(Evidence::from_corpus(&table).key(), evidence.key());
        assert_eq!(Evidence::from_corpus(&table).word_usage("社会"), Some(Usage::default()));
    }
}
