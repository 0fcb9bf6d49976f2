//! Reads page bytes in whatever encoding OCR tools wrote them (UTF-8, UTF-16 with a BOM, GB18030)
//! and writes them back byte-exact: bytes that do not decode are kept, never replaced.
//!
//! Detection, without a byte-order mark: a page is UTF-8 if it is valid UTF-8; else UTF-8 with
//! undecodable bytes if at least 99 % of its non-ASCII bytes form valid UTF-8 sequences; else
//! GB18030 if it decodes without error (rewritten only if it encodes back to the same bytes); else
//! it is undecodable (read for checking, never rewritten).
//! Each run of undecodable bytes stands in the text as one U+FFFD placeholder, and [`Decoded`]
//! remembers the bytes behind it, so that [`encode_with`] writes them back unchanged around the
//! fixed text.

use encoding_rs::{Encoding, GB18030, UTF_16LE, UTF_8};
use std::ops::Range;

/// The encoding a page was read in, so that fixes can be written back the same way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageEncoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Gb18030,
}

impl PageEncoding {
    /// The encoding's conventional name.
    pub fn name(self) -> &'static str {
        match self {
            PageEncoding::Utf8 => "UTF-8",
            PageEncoding::Utf8Bom => "UTF-8 with BOM",
            PageEncoding::Utf16Le => "UTF-16LE",
            PageEncoding::Utf16Be => "UTF-16BE",
            PageEncoding::Gb18030 => "GB18030",
        }
    }
}

/// The placeholder that stands for a run of undecodable bytes in the decoded text.
pub const PLACEHOLDER: char = '\u{FFFD}';

/// One run of bytes that did not decode: where its placeholder stands in the text, and the bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Undecodable {
    /// The byte offset of its [`PLACEHOLDER`] in the decoded text.
    pub at: usize,
    /// The original bytes, written back unchanged.
    pub bytes: Vec<u8>,
}

impl Undecodable {
    /// The placeholder's byte range in the decoded text.
    pub fn range(&self) -> Range<usize> {
        self.at..self.at + PLACEHOLDER.len_utf8()
    }
}

/// A decoded page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    /// The text without any byte-order mark; each undecodable run is one [`PLACEHOLDER`].
    pub text: String,
    pub encoding: PageEncoding,
    /// The runs of bytes that did not decode, in text order (empty for a clean page).
    pub undecodable: Vec<Undecodable>,
    /// True when the page fits no encoding well enough to be rewritten byte-exact (see the module
    /// docs): its text is a best-effort reading for checking only.
    pub unwritable: bool,
}

impl Decoded {
    /// True when some bytes did not decode.
    pub fn lossy(&self) -> bool {
        !self.undecodable.is_empty()
    }

    /// The placeholders' ranges in the text, in order.
    pub fn placeholder_ranges(&self) -> Vec<Range<usize>> {
        self.undecodable.iter().map(Undecodable::range).collect()
    }

    /// The total number of undecodable bytes.
    pub fn undecodable_bytes(&self) -> usize {
        self.undecodable.iter().map(|run| run.bytes.len()).sum()
    }
}

/// Why bytes could not be read as a page.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("binary file (contains NUL bytes or is not text)")]
    Binary,
}

/// The share of non-ASCII bytes that must form valid UTF-8 for a page to be read as UTF-8 with a
/// few undecodable bytes rather than as another encoding.
const UTF8_MAJORITY: f64 = 0.99;

/// Decodes page bytes: a BOM decides first; then UTF-8 (with undecodable bytes kept); then GB18030.
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let body = &bytes[bom_len..];
        if encoding == UTF_8 {
            return Ok(decode_utf8(body, PageEncoding::Utf8Bom));
        }
        let big_endian = encoding != UTF_16LE;
        return Ok(decode_utf16(body, big_endian));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        if looks_binary(text.as_bytes()) {
            return Err(DecodeError::Binary);
        }
        return Ok(Decoded { text: text.to_string(), encoding: PageEncoding::Utf8, undecodable: Vec::new(), unwritable: false });
    }
    if looks_binary(bytes) {
        return Err(DecodeError::Binary);
    }
    let (non_ascii, valid_non_ascii) = utf8_shares(bytes);
    if valid_non_ascii as f64 >= UTF8_MAJORITY * non_ascii as f64 {
        return Ok(decode_utf8(bytes, PageEncoding::Utf8));
    }
    let (text, had_errors) = GB18030.decode_without_bom_handling(bytes);
    // Clean GB18030 must also encode back to the same bytes (a lone 0x80 reads as € but € is
    // written as A2 E3): otherwise writing it back would change bytes no fix meant to change.
    if !had_errors {
        let unwritable = GB18030.encode(&text).0 != bytes;
        return Ok(Decoded { text: text.into_owned(), encoding: PageEncoding::Gb18030, undecodable: Vec::new(), unwritable });
    }
    // Neither encoding fits: read what UTF-8 can, for checking, and never rewrite the page.
    let mut decoded = decode_utf8(bytes, PageEncoding::Utf8);
    decoded.unwritable = true;
    Ok(decoded)
}

/// The number of non-ASCII bytes, and how many of them belong to valid UTF-8 sequences.
fn utf8_shares(bytes: &[u8]) -> (usize, usize) {
    let mut non_ascii = 0;
    let mut valid = 0;
    for chunk in bytes.utf8_chunks() {
        let in_valid = chunk.valid().bytes().filter(|byte| !byte.is_ascii()).count();
        valid += in_valid;
        non_ascii += in_valid + chunk.invalid().iter().filter(|byte| !byte.is_ascii()).count();
    }
    (non_ascii, valid)
}

/// UTF-8 with each maximal run of invalid bytes kept behind one placeholder.
fn decode_utf8(bytes: &[u8], encoding: PageEncoding) -> Decoded {
    let mut text = String::with_capacity(bytes.len());
    let mut undecodable: Vec<Undecodable> = Vec::new();
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        if chunk.invalid().is_empty() {
            continue;
        }
        // Adjacent invalid sequences (no valid text between them) share one placeholder.
        match undecodable.last_mut() {
            Some(last) if chunk.valid().is_empty() && last.at + PLACEHOLDER.len_utf8() == text.len() => {
                last.bytes.extend_from_slice(chunk.invalid())
            }
            _ => {
                undecodable.push(Undecodable { at: text.len(), bytes: chunk.invalid().to_vec() });
                text.push(PLACEHOLDER);
            }
        }
    }
    Decoded { text, encoding, undecodable, unwritable: false }
}

/// UTF-16 with each unpaired surrogate (and an odd final byte) kept behind a placeholder.
fn decode_utf16(body: &[u8], big_endian: bool) -> Decoded {
    let unit = |pair: &[u8]| if big_endian { u16::from_be_bytes([pair[0], pair[1]]) } else { u16::from_le_bytes([pair[0], pair[1]]) };
    let pairs = body.chunks_exact(2);
    let odd = pairs.remainder().to_vec();
    let units: Vec<u16> = pairs.map(unit).collect();
    let mut text = String::with_capacity(body.len());
    let mut undecodable = Vec::new();
    for decoded in char::decode_utf16(units.iter().copied()) {
        match decoded {
            Ok(c) => text.push(c),
            Err(error) => {
                let value = error.unpaired_surrogate();
                let bytes = if big_endian { value.to_be_bytes() } else { value.to_le_bytes() };
                undecodable.push(Undecodable { at: text.len(), bytes: bytes.to_vec() });
                text.push(PLACEHOLDER);
            }
        }
    }
    if !odd.is_empty() {
        undecodable.push(Undecodable { at: text.len(), bytes: odd });
        text.push(PLACEHOLDER);
    }
    let encoding = if big_endian { PageEncoding::Utf16Be } else { PageEncoding::Utf16Le };
    Decoded { text, encoding, undecodable, unwritable: false }
}

/// Encodes text back into a page's encoding, restoring its BOM.
pub fn encode(text: &str, encoding: PageEncoding) -> Vec<u8> {
    let mut out = match encoding {
        PageEncoding::Utf8Bom => vec![0xEF, 0xBB, 0xBF],
        PageEncoding::Utf16Le => vec![0xFF, 0xFE],
        PageEncoding::Utf16Be => vec![0xFE, 0xFF],
        PageEncoding::Utf8 | PageEncoding::Gb18030 => Vec::new(),
    };
    encode_body(text, encoding, &mut out);
    out
}

/// Encodes a fixed text whose placeholders for undecodable bytes now stand at `placeholders`
/// (sorted, each the range of one [`PLACEHOLDER`]), writing the original bytes of `runs` there.
/// `None` when a placeholder is missing (a fix touched it): the page must then not be written.
pub fn encode_with(text: &str, encoding: PageEncoding, runs: &[Undecodable], placeholders: &[Range<usize>]) -> Option<Vec<u8>> {
    if runs.len() != placeholders.len() {
        return None;
    }
    let mut out = encode("", encoding);
    let mut cursor = 0;
    for (run, range) in runs.iter().zip(placeholders) {
        if range.start < cursor || text.get(range.clone()) != Some("\u{FFFD}") {
            return None;
        }
        encode_body(&text[cursor..range.start], encoding, &mut out);
        out.extend_from_slice(&run.bytes);
        cursor = range.end;
    }
    encode_body(&text[cursor..], encoding, &mut out);
    Some(out)
}

fn encode_body(text: &str, encoding: PageEncoding, out: &mut Vec<u8>) {
    match encoding {
        PageEncoding::Utf8 | PageEncoding::Utf8Bom => out.extend_from_slice(text.as_bytes()),
        PageEncoding::Utf16Le => out.extend(text.encode_utf16().flat_map(u16::to_le_bytes)),
        PageEncoding::Utf16Be => out.extend(text.encode_utf16().flat_map(u16::to_be_bytes)),
        PageEncoding::Gb18030 => out.extend_from_slice(&GB18030.encode(text).0),
    }
}

/// NUL bytes, or many control bytes, mark a file that is not a page of text.
fn looks_binary(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(8192)];
    if sample.contains(&0) {
        return true;
    }
    let controls = sample.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0C)).count();
    controls * 10 > sample.len().max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_encoding_and_round_trips() {
        let text = "两委班子\n第一书记";
        for encoding in [PageEncoding::Utf8, PageEncoding::Utf8Bom, PageEncoding::Utf16Le, PageEncoding::Utf16Be, PageEncoding::Gb18030] {
            let bytes = encode(text, encoding);
            let decoded = decode(&bytes).unwrap();
            assert_eq!(decoded.text, text, "{encoding:?}");
            assert_eq!(decoded.encoding, encoding);
            assert!(!decoded.lossy());
            assert!(!decoded.unwritable);
        }
    }

    #[test]
    fn binary_is_refused() {
        assert_eq!(decode(b"PK\x03\x04\x00\x00binary"), Err(DecodeError::Binary));
    }

    #[test]
    fn one_stray_byte_keeps_a_utf8_page_utf8() {
        let mut bytes = "两委,班子 会议\n党员干部,群众\n".repeat(3).into_bytes();
        bytes.extend_from_slice(b"\x80\n");
        let decoded = decode(&bytes).unwrap();
        assert_eq!(decoded.encoding, PageEncoding::Utf8);
        assert_eq!(decoded.undecodable, vec![Undecodable { at: decoded.text.len() - 4, bytes: vec![0x80] }]);
        assert_eq!(encode_with(&decoded.text, decoded.encoding, &decoded.undecodable, &decoded.placeholder_ranges()).unwrap(), bytes);
    }

    #[test]
    fn undecodable_utf8_bytes_are_kept_byte_exact() {
        let bytes = b"\xe7\xac\xac\xe4\xb8\x80\xe6\xae\xb5,\n\xff\xfe\xc3(\xe7\xac\xac\n".to_vec();
        let decoded = decode(&bytes).unwrap();
        assert_eq!(decoded.encoding, PageEncoding::Utf8);
        assert_eq!(decoded.undecodable.len(), 1, "one run of three bytes");
        assert_eq!(decoded.undecodable[0].bytes, b"\xff\xfe\xc3");
        let round = encode_with(&decoded.text, decoded.encoding, &decoded.undecodable, &decoded.placeholder_ranges()).unwrap();
        assert_eq!(round, bytes);
        // A placeholder that moved is still written back; one that vanished refuses.
        let edited = decoded.text.replacen(",", "，", 1);
        let moved = edited.find(PLACEHOLDER).unwrap();
        let out = encode_with(&edited, decoded.encoding, &decoded.undecodable, std::slice::from_ref(&(moved..moved + 3))).unwrap();
        assert!(out.windows(3).any(|window| window == b"\xff\xfe\xc3"));
        assert_eq!(
            encode_with(
                &edited.replace(PLACEHOLDER, ""),
                decoded.encoding,
                &decoded.undecodable,
                std::slice::from_ref(&(moved..moved + 3))
            ),
            None
        );
    }

    #[test]
    fn a_lone_surrogate_in_utf16_is_kept() {
        for big_endian in [false, true] {
            let units: Vec<u16> = "第一".encode_utf16().chain([0xD800]).chain("段".encode_utf16()).collect();
            let mut bytes = if big_endian { vec![0xFE, 0xFF] } else { vec![0xFF, 0xFE] };
            bytes.extend(units.iter().flat_map(|unit| if big_endian { unit.to_be_bytes() } else { unit.to_le_bytes() }));
            let decoded = decode(&bytes).unwrap();
            assert_eq!(decoded.text, "第一\u{FFFD}段");
            assert_eq!(decoded.undecodable.len(), 1);
            let round = encode_with(&decoded.text, decoded.encoding, &decoded.undecodable, &decoded.placeholder_ranges()).unwrap();
            assert_eq!(round, bytes);
        }
    }

    #[test]
    fn gb18030_pages_decode_as_before_and_mixed_garbage_is_unwritable() {
        let text = "内蒙古自治区，两委班子。\n嘎查党支部\n";
        let bytes = encode(text, PageEncoding::Gb18030);
        let decoded = decode(&bytes).unwrap();
        assert_eq!((decoded.text.as_str(), decoded.encoding, decoded.unwritable), (text, PageEncoding::Gb18030, false));
        // GB18030 with a broken final byte pair fits neither encoding.
        let mut broken = bytes.clone();
        broken.extend_from_slice(b"\x81\x20");
        let decoded = decode(&broken).unwrap();
        assert!(decoded.unwritable);
        assert!(decoded.lossy());
    }

    #[test]
    fn gb18030_that_would_not_encode_back_the_same_is_never_rewritten() {
        // 0x80 decodes as € in GB18030, and € encodes as A2 E3: not byte-exact.
        let mut bytes = encode("两委班子会议", PageEncoding::Gb18030);
        bytes.push(0x80);
        let decoded = decode(&bytes).unwrap();
        assert!(decoded.unwritable, "{decoded:?}");
        assert_eq!(decoded.encoding, PageEncoding::Gb18030, "still read as GB18030 for checking");
        assert!(decoded.text.starts_with("两委班子会议"));
    }

    #[test]
    fn a_real_replacement_character_is_not_a_placeholder() {
        let decoded = decode("原文就有\u{FFFD}字".as_bytes()).unwrap();
        assert!(decoded.undecodable.is_empty());
    }
}
