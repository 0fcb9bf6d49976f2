//! Character classes shared by the rules: Chinese characters, Chinese punctuation, display width.

/// True for Han ideographs, including the compatibility and extension blocks (𠮷 is one).
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF
        | 0x20000..=0x2A6DF
        | 0x2A700..=0x2EBEF
        | 0x2F800..=0x2FA1F
        | 0x30000..=0x323AF
        | 0x3007)
}

/// True for full-width Chinese punctuation (、。，；：？！“”‘’（）《》「」【】…—·).
pub fn is_cjk_punct(c: char) -> bool {
    matches!(
        c,
        '、' | '。'
            | '，'
            | '；'
            | '：'
            | '？'
            | '！'
            | '“'
            | '”'
            | '‘'
            | '’'
            | '（'
            | '）'
            | '《'
            | '》'
            | '〈'
            | '〉'
            | '「'
            | '」'
            | '『'
            | '』'
            | '【'
            | '】'
            | '〔'
            | '〕'
            | '…'
            | '—'
            | '·'
            | '～'
            | '⋯'
            | '﹏'
            | '．'
    )
}

/// True for a Chinese character or Chinese punctuation mark.
pub fn is_cjk(c: char) -> bool {
    is_han(c) || is_cjk_punct(c)
}

/// True for punctuation that ends a sentence (full-width or ASCII), closing quotes included
/// when they follow such a mark.
pub fn is_sentence_end(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '!' | '?' | '…' | '；' | ';')
}

/// True for marks that close a span: quotes, brackets and book-title marks.
pub fn is_closing(c: char) -> bool {
    matches!(c, '”' | '’' | '）' | ')' | '》' | '」' | '』' | '】' | '〕')
}

/// True for marks that open a span.
pub fn is_opening(c: char) -> bool {
    matches!(c, '“' | '‘' | '（' | '(' | '《' | '「' | '『' | '【' | '〔')
}

/// True for ASCII and full-width decimal digits.
pub fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

/// True for the horizontal spaces that extraction leaves between characters (not U+3000).
pub fn is_plain_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{00A0}')
}

/// Terminal display width of a character: 2 for East Asian wide characters, 0 for controls.
pub fn display_width(c: char) -> usize {
    unicode_width::UnicodeWidthChar::width(c).unwrap_or(0)
}

/// Terminal display width of a string.
pub fn str_display_width(s: &str) -> usize {
    s.chars().map(display_width).sum()
}

/// True for the horizontal white space a line can start or end with: ASCII space and tab,
/// no-break space, the ideographic space U+3000 and the typographic spaces U+2000–U+200A.
pub fn is_horizontal_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{00A0}' | '\u{3000}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}')
}

/// True for Han text or Chinese punctuation around an ASCII mark (`None` is the edge of the text).
pub fn is_cjk_context(c: Option<char>) -> bool {
    c.is_some_and(is_cjk)
}

/// True for the Chinese numerals that surround a misread `〇` (二〇二〇, 一〇八).
pub fn is_chinese_numeral(c: char) -> bool {
    matches!(c, '〇' | '零' | '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十' | '百' | '千' | '万' | '两')
}

/// The character of `text` starting at byte `offset`, if `offset` is a boundary inside the text.
pub fn char_at(text: &str, offset: usize) -> Option<char> {
    text.get(offset..)?.chars().next()
}

/// The character of `text` ending at byte `offset`, if `offset` is a boundary inside the text.
pub fn char_before(text: &str, offset: usize) -> Option<char> {
    text.get(..offset)?.chars().next_back()
}

/// A short excerpt around `range` (up to `context` characters each side, never crossing a line
/// break), for naming the text a diagnostic is about.
pub fn excerpt(text: &str, range: std::ops::Range<usize>, context: usize) -> String {
    let (Some(before), Some(middle), Some(after)) = (text.get(..range.start), text.get(range.clone()), text.get(range.end..)) else {
        return String::new();
    };
    let head: String = {
        let mut taken: Vec<char> = before.chars().rev().take_while(|&c| c != '\n' && c != '\r').take(context).collect();
        taken.reverse();
        taken.into_iter().collect()
    };
    let tail: String = after.chars().take_while(|&c| c != '\n' && c != '\r').take(context).collect();
    format!("{head}{middle}{tail}")
}

/// Pseudo-random short texts made of the characters rules look at (spaces of every kind, ASCII
/// and Chinese punctuation, brackets, digits, look-alike letters, controls, astral characters,
/// line breaks), for tests that check rules never panic and only edit at character boundaries.
#[cfg(test)]
pub(crate) fn tricky_samples(count: usize) -> Vec<String> {
    const ALPHABET: &[&str] = &[
        " ",
        "\t",
        "\u{00A0}",
        "\u{3000}",
        "\n",
        "\r\n",
        "\r",
        "汉",
        "字",
        "二",
        "〇",
        "1",
        "0",
        ",",
        ":",
        ";",
        "?",
        "!",
        "(",
        ")",
        "\"",
        "“",
        "”",
        "‘",
        "’",
        "（",
        "）",
        "《",
        "》",
        "…",
        "⋯",
        ".",
        "。",
        "．",
        "·",
        "o",
        "O",
        "l",
        "I",
        "A",
        "о",
        "Ο",
        "１",
        "Ａ",
        "\u{FFFD}",
        "\u{200B}",
        "\u{200D}",
        "\u{FEFF}",
        "\u{0C}",
        "𠮷",
        "😀",
        "%",
        "接",
        "糕",
        "http://a.b/",
        "a@b.cn",
        "-",
        "摄",
        "□",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count)
        .map(|_| {
            let len = (next() % 24) as usize;
            (0..len).map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize]).collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_cover_extension_b_and_punctuation() {
        assert!(is_han('𠮷'));
        assert!(is_han('两'));
        assert!(!is_han('a'));
        assert!(is_cjk_punct('，'));
        assert!(!is_cjk_punct(','));
        assert_eq!(str_display_width("两委ab"), 6);
    }
}
