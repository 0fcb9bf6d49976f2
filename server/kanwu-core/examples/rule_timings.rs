//! Prints how long each rule takes over the seed pages, to find the slow ones (a profiling aid).

use kanwu_core::rules::{all_rules, Context};
use kanwu_core::{Config, Page};
use std::time::Instant;

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "../shared/seeds".to_string());
    let pages: Vec<String> =
        std::fs::read_dir(&dir).expect("a folder of pages").filter_map(|entry| std::fs::read_to_string(entry.ok()?.path()).ok()).collect();
    let config = Config::with_defaults();
    let rounds = 50;
    // Build the segmenter before timing anything.
    let _ = kanwu_core::segment::jieba();
    let start = Instant::now();
    for _ in 0..rounds {
        for text in &pages {
            std::hint::black_box(Page::parse(text));
        }
    }
    println!("{:20} {:8.3} ms/page", "page structure", start.elapsed().as_secs_f64() * 1000.0 / (rounds * pages.len()) as f64);
    let start = Instant::now();
    for _ in 0..rounds {
        for text in &pages {
            std::hint::black_box(kanwu_core::analyze(text, &config));
        }
    }
    println!("{:20} {:8.3} ms/page", "analyze (all rules)", start.elapsed().as_secs_f64() * 1000.0 / (rounds * pages.len()) as f64);
    let parsed: Vec<Page> = pages.iter().map(|text| Page::parse(text)).collect();
    for rule in all_rules() {
        let start = Instant::now();
        for _ in 0..rounds {
            for (text, page) in pages.iter().zip(&parsed) {
                let cx = Context::new(text, page, &config);
                let mut sink = Vec::new();
                rule.check(&cx, &mut sink);
                std::hint::black_box(sink);
            }
        }
        println!("{:20} {:8.3} ms/page", rule.info().code, start.elapsed().as_secs_f64() * 1000.0 / (rounds * pages.len()) as f64);
    }
}
