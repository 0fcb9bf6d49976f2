//! The shared jieba segmenter: built once per process, used by rules, the glossary and the index.

use jieba_rs::Jieba;
use std::sync::LazyLock;

static JIEBA: LazyLock<Jieba> = LazyLock::new(build);

/// Jieba's default dictionary with every term and alias of the built-in glossary added, each with a
/// frequency high enough that segmentation keeps it whole (`党员中心户`, `两委`).
fn build() -> Jieba {
    let mut jieba = Jieba::new();
    for word in crate::glossary::Glossary::builtin().segmenter_words() {
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
