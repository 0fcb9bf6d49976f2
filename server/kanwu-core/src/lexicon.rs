//! The lexicon: the dictionary words that the page structure, the rules, the glossary and the index
//! share, and the jieba segmenter built on them once per process.
//!
//! The words are jieba's default dictionary and every term and alias of the built-in glossary. The
//! lexicon reads those names from the built-in glossary file itself, so it sits below both the page
//! structure (which asks whether two characters make a word) and the glossary (which matches terms
//! on pages): neither depends on the other through it.

use jieba_rs::Jieba;
use serde::Deserialize;
use std::sync::LazyLock;

/// The text of the built-in glossary (`kanwu-core/glossary/builtin.toml`), compiled in.
pub const BUILTIN_GLOSSARY_TOML: &str = include_str!("../glossary/builtin.toml");

static JIEBA: LazyLock<Jieba> = LazyLock::new(build);

/// Jieba's default dictionary with every term and alias of the built-in glossary added, each with a
/// frequency high enough that segmentation keeps it whole (`党员中心户`, `两委`).
fn build() -> Jieba {
    let mut jieba = Jieba::new();
    for word in builtin_glossary_words() {
        let freq = jieba.suggest_freq(&word);
        jieba.add_word(&word, Some(freq), None);
    }
    jieba
}

/// The process-wide segmenter with jieba's default dictionary and the built-in glossary's words.
pub fn jieba() -> &'static Jieba {
    &JIEBA
}

/// True when `word` is an entry of the segmenter's dictionary.
pub fn is_dictionary_word(word: &str) -> bool {
    JIEBA.has_word(word)
}

/// Quotation marks that OCR loses or replaces, which a glossary name may hold (`村“两委”`).
pub fn is_quote(c: char) -> bool {
    matches!(c, '“' | '”' | '‘' | '’' | '"' | '\'' | '「' | '」' | '『' | '』')
}

/// The names of a glossary file's entries; everything else in the file is left unread.
#[derive(Deserialize)]
struct GlossaryNames {
    #[serde(default)]
    term: Vec<EntryNames>,
}

/// One entry's term and aliases.
#[derive(Deserialize)]
struct EntryNames {
    term: String,
    #[serde(default)]
    aliases: Vec<String>,
}

/// Every term and alias of the built-in glossary, without quotation marks, made only of word
/// characters and at least two characters long, sorted, each once: the words the segmenter adds.
/// The glossary's own `segmenter_words` gives the same list (a test of the glossary checks it).
pub fn builtin_glossary_words() -> Vec<String> {
    // The built-in file is valid (the glossary's tests parse it); were it not, no word is added.
    let names: GlossaryNames = toml::from_str(BUILTIN_GLOSSARY_TOML).unwrap_or(GlossaryNames { term: Vec::new() });
    let mut words: Vec<String> = names
        .term
        .iter()
        .flat_map(|entry| std::iter::once(&entry.term).chain(&entry.aliases))
        .map(|name| name.trim().chars().filter(|&c| !is_quote(c)).collect::<String>())
        .filter(|word| word.chars().count() >= 2 && word.chars().all(|c| c.is_alphanumeric()))
        .collect();
    words.sort();
    words.dedup();
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dictionary_knows_common_words() {
        assert!(is_dictionary_word("起来"));
        assert!(is_dictionary_word("层层"));
        assert!(!is_dictionary_word("毒毒"));
    }

    #[test]
    fn glossary_words_stay_whole() {
        let words: Vec<&str> =
            jieba().cut("全村建立了党员中心户制度，村两委成员参加。", false).into_iter().map(|token| token.word).collect();
        assert!(words.contains(&"党员中心户"), "{words:?}");
        assert!(words.contains(&"村两委") || words.contains(&"两委"), "{words:?}");
    }
}
