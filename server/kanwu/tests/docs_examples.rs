//! Keeps the rule documentation honest: every example under a "Flagged" heading of
//! `docs/rules/<code>.md` must make its rule fire, and every example under "Not flagged" must not.
//!
//! Examples are the lines of the fenced blocks below those headings. On each line the example
//! ends at `→` (what follows is the fix), and examples on one line are separated by two spaces or
//! more; a piece in parentheses is a comment. `⏎` is a line break, `␠` a space, and `\n`, `\t`,
//! `\uXXXX` and `\u{…}` are escapes. A leading or trailing `…` marks an excerpt and is dropped.
//!
//! A block fenced as `page` is one whole page, for examples that need their surroundings (a
//! column, a page without quotation marks). Its lines marked with `←` (a comment follows) are the
//! lines the claim is about: under "Flagged" the rule reports something starting on each of them,
//! under "Not flagged" on none of them.

use kanwu_core::{analyze, Config};
use std::path::{Path, PathBuf};

/// Whether examples below a heading must be flagged, must not be, or are not examples.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Expectation {
    Flagged,
    NotFlagged,
    Other,
}

fn expectation(heading: &str) -> Expectation {
    let heading = heading.trim_start_matches('#').trim().to_lowercase();
    if heading.starts_with("not flagged") || heading.starts_with("never flagged") {
        Expectation::NotFlagged
    } else if heading.starts_with("flagged") {
        Expectation::Flagged
    } else {
        Expectation::Other
    }
}

/// Turns the documentation's notation into page text.
fn decode(example: &str) -> String {
    let mut out = String::new();
    let mut chars = example.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '⏎' => out.push('\n'),
            '␠' => out.push(' '),
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('u') => {
                    let braced = chars.peek() == Some(&'{');
                    if braced {
                        chars.next();
                    }
                    let mut hex = String::new();
                    while let Some(&digit) = chars.peek() {
                        if !digit.is_ascii_hexdigit() || (!braced && hex.len() == 4) {
                            break;
                        }
                        hex.push(digit);
                        chars.next();
                    }
                    if braced {
                        chars.next();
                    }
                    out.push(u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32).expect("a valid \\u escape"));
                }
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            },
            c => out.push(c),
        }
    }
    out
}

/// The examples of one line of a fenced block.
fn examples_of_line(line: &str, code: &str) -> Vec<String> {
    let before_fix = line.split('→').next().unwrap_or_default();
    let mut examples = Vec::new();
    for piece in before_fix.split("  ") {
        // Only ASCII spaces separate; an ideographic space belongs to the example.
        let piece = piece.trim_matches(' ');
        if piece.is_empty() || piece.starts_with('(') {
            continue;
        }
        // A comment in parentheses after the example, separated by a single space.
        let piece = match piece.find(" (") {
            Some(at) if piece.ends_with(')') => piece[..at].trim(),
            _ => piece,
        };
        let piece = if code == "ellipsis" { piece } else { piece.trim_start_matches('…').trim_end_matches('…') };
        if !piece.is_empty() {
            examples.push(decode(piece));
        }
    }
    examples
}

/// One example: the page text, and the 0-based lines the claim is about (`None`: anywhere).
struct Example {
    expectation: Expectation,
    text: String,
    lines: Option<Vec<usize>>,
}

/// A `page` block: its text, without the `←` comments, and the lines they mark.
fn page_example(expectation: Expectation, block: &[&str]) -> Example {
    let mut text = String::new();
    let mut marked = Vec::new();
    for (number, line) in block.iter().enumerate() {
        let content = match line.split_once('←') {
            Some((content, _comment)) => {
                marked.push(number);
                content.trim_end_matches(' ')
            }
            None => line,
        };
        text.push_str(&decode(content));
        text.push('\n');
    }
    Example { expectation, text, lines: (!marked.is_empty()).then_some(marked) }
}

/// Every example of a documentation page with what it must do.
fn examples(page: &str, code: &str) -> Vec<Example> {
    let mut found = Vec::new();
    let mut section = Expectation::Other;
    let mut fence: Option<String> = None;
    let mut page_block: Vec<&str> = Vec::new();
    for line in page.lines() {
        if let Some(info) = line.trim_start().strip_prefix("```") {
            fence = match fence {
                Some(info) => {
                    if info == "page" && section != Expectation::Other {
                        found.push(page_example(section, &page_block));
                    }
                    page_block.clear();
                    None
                }
                None => Some(info.trim().to_string()),
            };
            continue;
        }
        match fence.as_deref() {
            None if line.starts_with('#') => section = expectation(line),
            Some("page") => page_block.push(line),
            // Configuration snippets are not examples.
            Some(info) if info != "toml" && section != Expectation::Other => {
                found.extend(examples_of_line(line, code).into_iter().map(|example| {
                    let text = if example.ends_with('\n') { example } else { format!("{example}\n") };
                    Example { expectation: section, text, lines: None }
                }));
            }
            _ => {}
        }
    }
    found
}

/// The configuration an example is checked with: the page's own `[misreadings]` when it shows one.
fn config_for(page: &str) -> Config {
    let Some(start) = page.find("```toml\n[misreadings]") else { return Config::with_defaults() };
    let block = &page[start + "```toml\n".len()..];
    let block = &block[..block.find("```").expect("a closed block")];
    Config::parse(block, None).expect("the documented configuration parses")
}

fn docs_folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules")
}

#[test]
fn every_documented_example_does_what_its_page_says() {
    let mut pages: Vec<PathBuf> = std::fs::read_dir(docs_folder()).unwrap().map(|entry| entry.unwrap().path()).collect();
    pages.sort();
    let mut failures = Vec::new();
    let mut flagged = 0;
    for path in &pages {
        let code = path.file_stem().unwrap().to_string_lossy().into_owned();
        assert!(kanwu_core::rules::rule_info(&code).is_some(), "{} documents no rule", path.display());
        let page = std::fs::read_to_string(path).unwrap();
        let config = config_for(&page);
        for example in examples(&page, &code) {
            let text = &example.text;
            let reported: Vec<usize> = analyze(text, &config)
                .iter()
                .filter(|diagnostic| diagnostic.code == code)
                .map(|diagnostic| text[..diagnostic.range.start].matches('\n').count())
                .collect();
            let wrong = match (&example.lines, example.expectation) {
                (None, Expectation::Flagged) => reported.is_empty(),
                (None, Expectation::NotFlagged) => !reported.is_empty(),
                (Some(lines), Expectation::Flagged) => !lines.iter().all(|line| reported.contains(line)),
                (Some(lines), Expectation::NotFlagged) => lines.iter().any(|line| reported.contains(line)),
                (_, Expectation::Other) => false,
            };
            if wrong {
                failures.push(format!("{code}: {:?} example, reported on lines {reported:?}: {text:?}", example.expectation));
            }
            flagged += usize::from(example.expectation == Expectation::Flagged);
        }
    }
    assert!(flagged >= 40, "only {flagged} flagged examples found: is the parser still reading the pages?");
    assert!(failures.is_empty(), "documentation examples that do not do what their page says:\n{}", failures.join("\n"));
}

#[test]
fn the_notation_is_read_as_documented() {
    assert_eq!(decode("一线。⏎␠␠␠⏎下一段。"), "一线。\n   \n下一段。");
    assert_eq!(decode("党员\\u200B干部\\t\\u{FEFF}"), "党员\u{200B}干部\t\u{FEFF}");
    assert_eq!(examples_of_line("二o二〇年   工о作组 (Cyrillic о)   防Ι控 (Greek Ι)", "mixed-script"), ["二o二〇年", "工о作组", "防Ι控"]);
    assert_eq!(examples_of_line("…开展新冠病毒⏎毒核酸检测      → …开展新冠病毒⏎核酸检测", "repeated-word"), ["开展新冠病毒\n毒核酸检测"]);
    assert_eq!(examples_of_line("                            → 守初心。", "doubled-text"), Vec::<String>::new());
    assert_eq!(examples_of_line("　　　三个全角空格的缩进。           → 　　", "leading-space"), ["　　　三个全角空格的缩进。"]);
    let page = page_example(Expectation::NotFlagged, &["甲乙丙", "丁戊。   ← not a wrap", "己"]);
    assert_eq!((page.text.as_str(), page.lines), ("甲乙丙\n丁戊。\n己\n", Some(vec![1])));
    assert_eq!(expectation("## Flagged (with the list above)"), Expectation::Flagged);
    assert_eq!(expectation("## Not flagged"), Expectation::NotFlagged);
}
