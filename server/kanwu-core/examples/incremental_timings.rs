//! Times one keystroke's re-analysis of a 2 MB page with the incremental analysis (a profiling aid).

use kanwu_core::incremental::IncrementalAnalysis;
use kanwu_core::Config;
use std::time::Instant;

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "../shared/seeds".to_string());
    let mut seed = String::new();
    for entry in std::fs::read_dir(&dir).expect("a folder of pages") {
        seed.push_str(&std::fs::read_to_string(entry.expect("entry").path()).unwrap_or_default());
        seed.push_str("\n\n");
    }
    let mut page = String::new();
    if let Some(file) = std::env::var_os("PAGE") {
        // A page given whole (for instance one without blank lines).
        page = std::fs::read_to_string(file).expect("PAGE names a UTF-8 file");
    } else if std::env::var_os("SHUFFLED").is_some() {
        // Lines drawn at random from the seeds, as the server bench builds its 2 MB page.
        let lines: Vec<&str> = seed.lines().collect();
        let mut state = 5u64 | 1;
        while page.len() < 2 * 1024 * 1024 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            page.push_str(lines[(state % lines.len() as u64) as usize]);
            page.push('\n');
        }
    } else {
        while page.len() < 2_000_000 {
            page.push_str(&seed);
        }
    }
    let config = Config::with_defaults();
    let mut analysis = IncrementalAnalysis::new();
    let start = Instant::now();
    let first = analysis.analyze(&page, &config);
    println!("first analysis: {:.1} ms, {} diagnostics", start.elapsed().as_secs_f64() * 1000.0, first.len());
    // Typing lands in the middle of the page, or with `WIDEST=1` at the end of its widest line (the
    // worst case: the line widens its block, which every chunk of the block sees).
    let middle = if std::env::var_os("WIDEST").is_some() {
        let mut offset = 0;
        let mut widest = (0, 0);
        for line in page.split_inclusive('\n') {
            let width = kanwu_core::page::content_width(line.trim_end());
            if width > widest.0 {
                widest = (width, offset + line.trim_end().len());
            }
            offset += line.len();
        }
        widest.1
    } else {
        page.char_indices().map(|(i, _)| i).find(|&i| i >= page.len() / 2).unwrap_or(0)
    };
    let rounds: usize = std::env::var("ROUNDS").ok().and_then(|n| n.parse().ok()).unwrap_or(10);
    for round in 0..rounds {
        page.insert(middle + round * 3, '字');
        let start = Instant::now();
        let (found, stats) = analysis.analyze_with_stats(&page, &config);
        println!("keystroke {round}: {:.1} ms, {} diagnostics, {stats:?}", start.elapsed().as_secs_f64() * 1000.0, found.len());
    }
}
