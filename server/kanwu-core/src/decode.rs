//! Reads page bytes in whatever encoding OCR tools wrote them: UTF-8, UTF-16 with a BOM, or GB18030.

use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE, UTF_8};

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

/// A decoded page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    /// The text without any byte-order mark.
    pub text: String,
    pub encoding: PageEncoding,
    /// True when the bytes were not valid in the detected encoding and some were replaced.
    pub lossy: bool,
}

/// Why bytes could not be read as a page.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("binary file (contains NUL bytes or is not text)")]
    Binary,
}

/// Decodes page bytes: a BOM decides first; then UTF-8; then GB18030 when it decodes cleanly.
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let body = &bytes[bom_len..];
        let (page_encoding, encoding) = if encoding == UTF_8 {
            (PageEncoding::Utf8Bom, UTF_8)
        } else if encoding == UTF_16LE {
            (PageEncoding::Utf16Le, UTF_16LE)
        } else {
            (PageEncoding::Utf16Be, UTF_16BE)
        };
        let (text, lossy) = encoding.decode_without_bom_handling(body);
        return Ok(Decoded { text: text.into_owned(), encoding: page_encoding, lossy });
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        if looks_binary(text.as_bytes()) {
            return Err(DecodeError::Binary);
        }
        return Ok(Decoded { text: text.to_string(), encoding: PageEncoding::Utf8, lossy: false });
    }
    if looks_binary(bytes) {
        return Err(DecodeError::Binary);
    }
    let (text, had_errors) = GB18030.decode_without_bom_handling(bytes);
    if !had_errors {
        return Ok(Decoded { text: text.into_owned(), encoding: PageEncoding::Gb18030, lossy: false });
    }
    // Neither encoding fits: keep what UTF-8 can read, with replacement characters, so nothing is hidden.
    let text = String::from_utf8_lossy(bytes).into_owned();
    Ok(Decoded { text, encoding: PageEncoding::Utf8, lossy: true })
}

/// Encodes text back into a page's encoding, restoring its BOM.
pub fn encode(text: &str, encoding: PageEncoding) -> Vec<u8> {
    match encoding {
        PageEncoding::Utf8 => text.as_bytes().to_vec(),
        PageEncoding::Utf8Bom => [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
        PageEncoding::Utf16Le => {
            let mut out = vec![0xFF, 0xFE];
            out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
            out
        }
        PageEncoding::Utf16Be => {
            let mut out = vec![0xFE, 0xFF];
            out.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
            out
        }
        PageEncoding::Gb18030 => GB18030.encode(text).0.into_owned(),
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
            assert!(!decoded.lossy);
        }
    }

    #[test]
    fn binary_is_refused() {
        assert_eq!(decode(b"PK\x03\x04\x00\x00binary"), Err(DecodeError::Binary));
    }
}
