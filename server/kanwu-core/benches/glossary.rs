//! Speed benches for the glossary (issue 4): hover lookup (`term_at`) on a ~20 KB page, and loading the
//! built-in glossary plus a generated 10,000-entry workspace glossary.
//!
//! Run with `cargo bench -p kanwu-core --bench glossary`. Targets: hover under 1 ms median, loading
//! under 100 ms. The hover benches use an invented page; the seed page `page-d` from `shared/seeds`
//! (or the folder named by `KANWU_SEEDS`) is benched too when it is there.

use divan::{black_box, Bencher};
use kanwu_core::glossary::{Glossary, BUILTIN_TOML};
use kanwu_core::Page;
use std::path::{Path, PathBuf};

fn main() {
    divan::main();
}

/// Filler text between terms: common words with no glossary term in them.
const FILLER: [&str; 6] = ["今年以来", "全体干部", "认真落实", "各项工作", "取得明显成效", "群众纷纷表示"];

/// Terms of the built-in glossary sprinkled over the invented page, some wrapped or spaced.
const TERMS: [&str; 6] = ["两委", "党员中心户", "第一书记", "驻村工作队", "网格员", "乡村振兴"];

/// An invented page of about `bytes` bytes: column lines of 24 characters, wrapped mid-word.
fn invented_page(bytes: usize) -> String {
    let mut running = String::new();
    let mut index = 0;
    while running.len() < bytes {
        running.push_str(FILLER[index % FILLER.len()]);
        running.push_str(TERMS[index % TERMS.len()]);
        running.push_str(if index % 5 == 4 { "。" } else { "，" });
        index += 1;
    }
    let chars: Vec<char> = running.chars().collect();
    let mut page = String::with_capacity(running.len() + chars.len() / 12);
    for (line, chunk) in chars.chunks(24).enumerate() {
        page.extend(chunk);
        page.push('\n');
        if line % 30 == 29 {
            page.push('\n');
        }
    }
    page
}

fn seed_page() -> Option<String> {
    let dir = match std::env::var_os("KANWU_SEEDS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds"),
    };
    std::fs::read_to_string(dir.join("page-d.txt")).ok()
}

/// Hover at the middle and near the end of the page (the matcher scans from the page's start).
fn hover(bencher: Bencher, text: &str) {
    let page = Page::parse(text);
    let glossary = Glossary::builtin();
    let offsets: Vec<usize> = [text.len() / 2, text.len() - text.len() / 20]
        .into_iter()
        .map(|mut offset| {
            while !text.is_char_boundary(offset) {
                offset -= 1;
            }
            offset
        })
        .collect();
    bencher.bench(|| {
        for &offset in &offsets {
            black_box(glossary.term_at(black_box(text), &page, offset));
        }
    });
}

/// Two hover lookups (middle and end) on an invented 20 KB page, the page already parsed.
#[divan::bench]
fn term_at_20kb_invented(bencher: Bencher) {
    let text = invented_page(20 * 1024);
    hover(bencher, &text);
}

/// Two hover lookups on the real seed page `page-d` (about 20 KB), when it is there.
#[divan::bench]
fn term_at_seed_page_d(bencher: Bencher) {
    let Some(text) = seed_page() else {
        eprintln!("seed page-d not found; skipped");
        return;
    };
    hover(bencher, &text);
}

/// Every term on the invented 20 KB page, for comparison with hover.
#[divan::bench]
fn find_in_20kb_invented(bencher: Bencher) {
    let text = invented_page(20 * 1024);
    let page = Page::parse(&text);
    bencher.bench(|| black_box(Glossary::builtin().find_in(black_box(&text), &page)));
}

/// Han characters for generated terms: a generated term spells its number in base 64 with them.
const DIGITS: &str =
    "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水火土日月星山川河湖江海风云雷电春夏秋冬东南西北红黄蓝白黑青松柏桃李梅兰竹菊";

/// A workspace glossary file of `count` generated entries, each with an alias and a related term.
fn generated_workspace(count: usize) -> String {
    let digits: Vec<char> = DIGITS.chars().collect();
    let spell = |mut number: usize| {
        let mut word = String::from("试");
        loop {
            word.push(digits[number % digits.len()]);
            number /= digits.len();
            if number == 0 {
                break;
            }
        }
        word
    };
    let mut out = String::from("# Generated workspace glossary for the load bench.\n");
    for index in 0..count {
        let term = spell(index);
        out.push_str(&format!(
            "\n[[term]]\nterm = \"{term}\"\naliases = [\"{term}组\"]\ncategory = \"practice\"\ndefinition = \"生成的第{index}条定义。\"\nenglish = \"generated entry {index}\"\nrelated = [\"两委\"]\n"
        ));
    }
    out
}

/// Parsing the built-in glossary and a 10,000-entry workspace file, then layering them.
#[divan::bench(sample_count = 20)]
fn load_builtin_and_10k_workspace(bencher: Bencher) {
    let workspace = generated_workspace(10_000);
    bencher.bench(|| {
        let builtin = Glossary::parse(black_box(BUILTIN_TOML), None).expect("built-in glossary");
        let layer = Glossary::parse(black_box(&workspace), Some(Path::new("glossary.toml"))).expect("generated glossary");
        let glossary = Glossary::layered(&builtin, [&layer]);
        assert_eq!(glossary.len(), builtin.len() + 10_000);
        glossary
    });
}

/// Loading as above, then the first search, which builds the matcher over every name.
#[divan::bench(sample_count = 20)]
fn load_10k_workspace_and_first_search(bencher: Bencher) {
    let workspace = generated_workspace(10_000);
    let text = "召开村“两委”会议。";
    let page = Page::parse(text);
    bencher.bench(|| {
        let builtin = Glossary::parse(black_box(BUILTIN_TOML), None).expect("built-in glossary");
        let layer = Glossary::parse(black_box(&workspace), Some(Path::new("glossary.toml"))).expect("generated glossary");
        let glossary = Glossary::layered(&builtin, [&layer]);
        assert_eq!(glossary.find_in(text, &page).len(), 1);
        glossary
    });
}
