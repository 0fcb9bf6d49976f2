//! Fuzz-style properties over hostile bytes: random bytes in random encodings, with undecodable
//! pieces, go through decoding, analysis, the fixer and encoding without a panic; the fix settles
//! in one run and is idempotent; undecodable bytes are written back unchanged and in order; a page
//! with nothing to fix is written back byte for byte; and no fix ever lands inside protected bytes.

use kanwu_core::decode::{decode, encode, encode_with, PageEncoding, PLACEHOLDER};
use kanwu_core::{analyze, fix_page, Config, FixOptions, FixRequest};
use proptest::prelude::*;

/// Pieces of page text: Chinese words, both widths of punctuation, spaces, line ends of all kinds.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(vec!["两委", "党员", "中心户", "嘎查", "第一书记", "牧民", "合作社", "层层", "近日"]).prop_map(str::to_string),
        3 => prop::sample::select(vec!["，", "。", "、", "“", "”", "（", "）", "…", ",", ",,,,", ".", ":", "(", ")"]).prop_map(str::to_string),
        3 => prop::sample::select(vec![" ", "\n", "\r\n", "\r", "\n\n", "\t", "\u{3000}", "  "]).prop_map(str::to_string),
        1 => prop::sample::select(vec!["12", "３", "𠮷", "\u{FFFD}", "\u{200B}", "abc"]).prop_map(str::to_string),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..120).prop_map(|pieces| pieces.concat())
}

/// Page bytes: text in one of the encodings, with random bytes spliced in at random places.
fn page_bytes() -> impl Strategy<Value = Vec<u8>> {
    let encoding = prop::sample::select(vec![
        PageEncoding::Utf8,
        PageEncoding::Utf8Bom,
        PageEncoding::Utf16Le,
        PageEncoding::Utf16Be,
        PageEncoding::Gb18030,
    ]);
    let splices = prop::collection::vec((any::<prop::sample::Index>(), prop::collection::vec(any::<u8>(), 1..4)), 0..4);
    (text(), encoding, splices).prop_map(|(text, encoding, splices)| {
        let mut bytes = encode(&text, encoding);
        for (at, junk) in splices {
            let at = at.index(bytes.len() + 1);
            bytes.splice(at..at, junk);
        }
        bytes
    })
}

fn options() -> FixOptions {
    FixOptions::default()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn hostile_bytes_decode_fix_and_encode_without_loss(bytes in page_bytes()) {
        let Ok(decoded) = decode(&bytes) else { return Ok(()) };
        let config = Config::with_defaults();
        let _ = analyze(&decoded.text, &config);
        let placeholders = decoded.placeholder_ranges();
        for range in &placeholders {
            prop_assert_eq!(&decoded.text[range.clone()], PLACEHOLDER.to_string());
        }
        // Nothing to change: the bytes come back exactly.
        let untouched = encode_with(&decoded.text, decoded.encoding, &decoded.undecodable, &placeholders);
        if !decoded.unwritable {
            prop_assert_eq!(untouched.as_deref(), Some(&bytes[..]));
        }
        let request = FixRequest { options: options(), suppressions: None, protected: placeholders.clone() };
        let outcome = fix_page(&decoded.text, &config, &request);
        prop_assert!(outcome.settled, "still firing: {:?}", outcome.still_firing);
        prop_assert_eq!(outcome.protected.len(), placeholders.len());
        for range in &outcome.protected {
            prop_assert_eq!(&outcome.text[range.clone()], PLACEHOLDER.to_string(), "a fix landed inside undecodable bytes");
        }
        let written = encode_with(&outcome.text, decoded.encoding, &decoded.undecodable, &outcome.protected);
        prop_assert!(written.is_some(), "a fix touched undecodable bytes");
        let written = written.unwrap();
        // The undecodable runs are all there, in order.
        let mut from = 0;
        for run in &decoded.undecodable {
            let found = written[from..].windows(run.bytes.len()).position(|window| window == run.bytes.as_slice());
            prop_assert!(found.is_some(), "undecodable bytes {:?} lost", run.bytes);
            from += found.unwrap() + run.bytes.len();
        }
        // One run reaches the fixed point: fixing again changes nothing.
        let again = fix_page(&outcome.text, &config, &FixRequest { protected: outcome.protected.clone(), ..request.clone() });
        prop_assert_eq!(&again.text, &outcome.text);
        prop_assert_eq!(again.applied, 0);
    }

    #[test]
    fn clean_pages_round_trip_in_every_encoding(text in text()) {
        for encoding in [PageEncoding::Utf8, PageEncoding::Utf8Bom, PageEncoding::Utf16Le, PageEncoding::Utf16Be, PageEncoding::Gb18030] {
            let bytes = encode(&text, encoding);
            let Ok(decoded) = decode(&bytes) else { continue };
            // GB18030 bytes that also happen to be valid UTF-8 are read as UTF-8: that is the rule.
            if encoding == PageEncoding::Gb18030 && decoded.encoding != PageEncoding::Gb18030 && !text.is_ascii() {
                continue;
            }
            prop_assert!(!decoded.lossy());
            prop_assert_eq!(&decoded.text, &text);
            prop_assert_eq!(encode(&decoded.text, decoded.encoding), bytes);
        }
    }
}
