//! Speed benches for the analysis core (issue 2): `analyze`, `Page::parse` and `fix_text` on each real
//! seed page, and `analyze` on a 5 MB and a 50 MB page to show that checking time grows linearly.
//!
//! Run with `cargo bench -p kanwu-core --bench check`. The seed pages are read at run time from
//! `shared/seeds` beside the project, or from the folder named by `KANWU_SEEDS`.

use divan::counter::BytesCount;
use divan::{black_box, Bencher};
use kanwu_core::{analyze, fix_text, Config, FixOptions, Page};
use std::path::PathBuf;
use std::sync::OnceLock;

/// The seed pages, by file stem.
const SEEDS: [&str; 4] = ["page-a", "page-b", "page-c", "page-d"];

/// Sizes in megabytes of the large pages for the linear-time check.
const BIG_MB: [usize; 2] = [5, 50];

fn seeds_dir() -> PathBuf {
    match std::env::var_os("KANWU_SEEDS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds"),
    }
}

/// The seed pages' texts in the order of `SEEDS`, read once; empty when the folder is missing.
fn seed_texts() -> &'static [String] {
    static TEXTS: OnceLock<Vec<String>> = OnceLock::new();
    TEXTS.get_or_init(|| {
        let dir = seeds_dir();
        SEEDS.iter().filter_map(|name| std::fs::read_to_string(dir.join(format!("{name}.txt"))).ok()).collect()
    })
}

fn seed_text(name: &str) -> &'static str {
    let index = SEEDS.iter().position(|seed| *seed == name).expect("a known seed page");
    &seed_texts()[index]
}

fn config() -> &'static Config {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    CONFIG.get_or_init(Config::with_defaults)
}

/// A deterministic SplitMix64 step, enough to vary the copies of the seed text.
fn next_random(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Builds one page of at least `bytes` bytes by concatenating the seed pages, with every copy's digits
/// substituted and some of its Chinese characters swapped for ones from the next seed page.
fn big_page(bytes: usize) -> String {
    let seeds = seed_texts();
    let pools: Vec<Vec<char>> = seeds.iter().map(|text| text.chars().filter(|c| ('\u{4E00}'..='\u{9FFF}').contains(c)).collect()).collect();
    let mut state = bytes as u64;
    let mut page = String::with_capacity(bytes + 32 * 1024);
    let mut copy = 0;
    while page.len() < bytes {
        let source = copy % seeds.len();
        let pool = &pools[(source + 1) % seeds.len()];
        for c in seeds[source].chars() {
            let random = next_random(&mut state);
            if c.is_ascii_digit() {
                page.push(char::from(b'0' + (random % 10) as u8));
            } else if ('\u{4E00}'..='\u{9FFF}').contains(&c) && random.is_multiple_of(25) && !pool.is_empty() {
                page.push(pool[(random >> 8) as usize % pool.len()]);
            } else {
                page.push(c);
            }
        }
        page.push('\n');
        copy += 1;
    }
    page
}

/// The large pages, built once each.
fn big_text(megabytes: usize) -> &'static str {
    static PAGES: [OnceLock<String>; 2] = [OnceLock::new(), OnceLock::new()];
    let index = BIG_MB.iter().position(|size| *size == megabytes).expect("a known size");
    PAGES[index].get_or_init(|| big_page(megabytes * 1_000_000))
}

fn main() {
    if seed_texts().len() != SEEDS.len() {
        eprintln!("check benches skipped: the seed pages are not in {} (set KANWU_SEEDS)", seeds_dir().display());
        return;
    }
    divan::main();
}

/// Checks one whole seed page with every default rule, as `kanwu check` does per file.
#[divan::bench(args = SEEDS)]
fn analyze_seed(bencher: Bencher, name: &str) {
    let text = seed_text(name);
    bencher.counter(BytesCount::of_str(text)).bench(|| analyze(black_box(text), config()));
}

/// Parses the page structure (lines, paragraphs, breaks) that the layout rules work on.
#[divan::bench(args = SEEDS)]
fn page_parse(bencher: Bencher, name: &str) {
    let text = seed_text(name);
    bencher.counter(BytesCount::of_str(text)).bench(|| Page::parse(black_box(text)));
}

/// Applies every safe fix until the page no longer changes, as `kanwu fix` does per file.
#[divan::bench(args = SEEDS)]
fn fix_seed(bencher: Bencher, name: &str) {
    let text = seed_text(name);
    let options = FixOptions::default();
    bencher.counter(BytesCount::of_str(text)).bench(|| fix_text(black_box(text), config(), &options));
}

/// Checks a 5 MB and a 50 MB page: equal throughput at both sizes means linear time.
#[divan::bench(args = BIG_MB, sample_count = 5, sample_size = 1)]
fn analyze_big(bencher: Bencher, megabytes: usize) {
    let text = big_text(megabytes);
    bencher.counter(BytesCount::of_str(text)).bench(|| analyze(black_box(text), config()));
}
