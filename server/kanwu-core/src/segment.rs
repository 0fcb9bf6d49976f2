//! The shared jieba segmenter: built once per process, used by rules, the glossary and the index.

use jieba_rs::Jieba;
use std::sync::LazyLock;

static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// The process-wide segmenter with jieba's default dictionary.
pub fn jieba() -> &'static Jieba {
    &JIEBA
}

/// True when `word` is an entry of the segmenter's dictionary.
pub fn is_dictionary_word(word: &str) -> bool {
    JIEBA.has_word(word)
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
}
