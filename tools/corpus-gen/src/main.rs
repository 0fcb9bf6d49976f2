//! `corpus-gen --seeds DIR --out DIR --pages N [--seed S]`: writes N pages of about 16 KB each, built
//! from the seed pages so that every page differs from every other and no cache can help a checker.
//!
//! Each page starts from one seed page's paragraphs, shuffled, with paragraphs borrowed from the other
//! seeds; then its digits are substituted, Chinese characters are swapped in from other pages, spacing
//! artefacts are added or removed, and lines are dropped or duplicated. The output depends only on the
//! seed pages and `--seed`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The size a generated page grows to before it is written.
const TARGET_BYTES: usize = 16 * 1024;

/// A small, fast, deterministic generator (SplitMix64), so the corpus is the same on every machine.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound`; `bound` must be positive.
    fn below(&mut self, bound: usize) -> usize {
        (self.next_u64() % bound as u64) as usize
    }

    /// True with probability `percent` in a hundred.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// The command line.
struct Args {
    seeds: PathBuf,
    out: PathBuf,
    pages: usize,
    seed: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut seeds = None;
    let mut out = None;
    let mut pages = None;
    let mut seed = 0u64;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--seeds" => seeds = Some(PathBuf::from(value()?)),
            "--out" => out = Some(PathBuf::from(value()?)),
            "--pages" => pages = Some(value()?.parse().map_err(|error| format!("--pages: {error}"))?),
            "--seed" => seed = value()?.parse().map_err(|error| format!("--seed: {error}"))?,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(Args {
        seeds: seeds.ok_or("--seeds is required")?,
        out: out.ok_or("--out is required")?,
        pages: pages.ok_or("--pages is required")?,
        seed,
    })
}

/// One seed page cut into paragraphs (runs of lines between blank lines), each kept as its lines.
struct Seed {
    paragraphs: Vec<Vec<String>>,
}

fn read_seeds(dir: &Path) -> Result<Vec<Seed>, String> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|error| format!("cannot list {}: {error}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
        .collect();
    paths.sort();
    let mut seeds = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).map_err(|error| format!("cannot read {}: {error}", path.display()))?;
        let mut paragraphs = Vec::new();
        let mut current: Vec<String> = Vec::new();
        for line in text.lines() {
            if line.trim().is_empty() {
                if !current.is_empty() {
                    paragraphs.push(std::mem::take(&mut current));
                }
            } else {
                current.push(line.to_string());
            }
        }
        if !current.is_empty() {
            paragraphs.push(current);
        }
        if !paragraphs.is_empty() {
            seeds.push(Seed { paragraphs });
        }
    }
    if seeds.is_empty() {
        return Err(format!("no .txt seed pages with text in {}", dir.display()));
    }
    Ok(seeds)
}

fn is_han(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

/// Every Chinese character of one seed page, the pool that other pages borrow characters from.
fn han_pool(seed: &Seed) -> Vec<char> {
    seed.paragraphs.iter().flatten().flat_map(|line| line.chars()).filter(|&c| is_han(c)).collect()
}

/// Rewrites one line: new digits, characters from another page, and spacing artefacts added or removed.
fn vary_line(line: &str, rng: &mut Rng, pool: &[char]) -> String {
    let mut chars: Vec<char> = line.chars().collect();
    for c in chars.iter_mut() {
        if c.is_ascii_digit() {
            *c = char::from(b'0' + rng.below(10) as u8);
        } else if ('０'..='９').contains(c) {
            *c = char::from_u32('０' as u32 + rng.below(10) as u32).unwrap_or(*c);
        } else if is_han(*c) && !pool.is_empty() && rng.chance(4) {
            *c = pool[rng.below(pool.len())];
        }
    }
    let mut out = String::with_capacity(line.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        // An existing stray space is sometimes removed, so both clean and spaced copies occur.
        if c == ' ' && rng.chance(30) {
            continue;
        }
        out.push(c);
        let next = chars.get(i + 1).copied();
        if let Some(next) = next {
            let boundary = (is_han(c) && next.is_ascii_digit()) || (c.is_ascii_digit() && is_han(next));
            // Spaces between Chinese and digits, and inside runs of Chinese, are typical extraction artefacts.
            if (boundary && rng.chance(15)) || (is_han(c) && is_han(next) && rng.chance(1)) {
                out.push(' ');
            }
        }
    }
    if rng.chance(3) {
        out.push(' ');
    }
    out
}

/// Builds page number `index` of the corpus.
fn build_page(seeds: &[Seed], pools: &[Vec<char>], index: usize, rng: &mut Rng) -> String {
    let home = index % seeds.len();
    let mut order: Vec<(usize, usize)> = (0..seeds[home].paragraphs.len()).map(|p| (home, p)).collect();
    // About one paragraph in five comes from another seed page.
    for slot in order.iter_mut() {
        if seeds.len() > 1 && rng.chance(20) {
            let other = (home + 1 + rng.below(seeds.len() - 1)) % seeds.len();
            *slot = (other, rng.below(seeds[other].paragraphs.len()));
        }
    }
    rng.shuffle(&mut order);
    let mut page = String::with_capacity(TARGET_BYTES + 4096);
    let mut cursor = 0;
    while page.len() < TARGET_BYTES {
        if cursor == order.len() {
            rng.shuffle(&mut order);
            cursor = 0;
        }
        let (seed, paragraph) = order[cursor];
        cursor += 1;
        // Characters are swapped in from a page other than the paragraph's own when there is one.
        let donor = if seeds.len() > 1 { (seed + 1 + rng.below(seeds.len() - 1)) % seeds.len() } else { seed };
        for line in &seeds[seed].paragraphs[paragraph] {
            if rng.chance(3) {
                continue;
            }
            let varied = vary_line(line, rng, &pools[donor]);
            page.push_str(&varied);
            page.push('\n');
            if rng.chance(2) {
                page.push_str(&varied);
                page.push('\n');
            }
        }
        // Paragraphs are usually split by one blank line, sometimes by two or by none.
        match rng.below(20) {
            0 => page.push_str("\n\n"),
            1 => {}
            _ => page.push('\n'),
        }
    }
    page
}

fn run(args: &Args) -> Result<(), String> {
    let seeds = read_seeds(&args.seeds)?;
    let pools: Vec<Vec<char>> = seeds.iter().map(han_pool).collect();
    std::fs::create_dir_all(&args.out).map_err(|error| format!("cannot create {}: {error}", args.out.display()))?;
    let width = args.pages.max(1).to_string().len().max(5);
    for index in 0..args.pages {
        // Each page has its own stream, so page k is the same whatever N is.
        let mut rng = Rng(args.seed ^ (index as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93));
        let page = build_page(&seeds, &pools, index, &mut rng);
        let path = args.out.join(format!("page-{index:0width$}.txt"));
        std::fs::write(&path, page).map_err(|error| format!("cannot write {}: {error}", path.display()))?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(error) => {
            if !error.is_empty() {
                eprintln!("error: {error}");
            }
            eprintln!("usage: corpus-gen --seeds DIR --out DIR --pages N [--seed S]");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
