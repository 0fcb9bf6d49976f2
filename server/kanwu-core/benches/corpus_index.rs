//! Corpus index figures against a generated corpus (prints, never asserts): full index time against jieba-rs alone on the same text and cores (alternating rounds), references latency against `rg -F`, re-indexing one page, and index memory against the corpus size.
//!
//! Generate the corpus once (about 160 MB), then run the bench:
//!
//! ```sh
//! cargo run --release -p corpus-gen -- --seeds ../shared/seeds --out "${TMPDIR:-/tmp}/kanwu-index-corpus/pages-10000-seed1" --pages 10000 --seed 1
//! cargo bench -p kanwu-core --bench corpus_index
//! ```
//!
//! `KANWU_CORPUS` names another folder. `rg` (ripgrep) must be on the PATH for the comparison.

use kanwu_core::index::CorpusIndex;
use kanwu_core::segment::jieba;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn corpus_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("KANWU_CORPUS") {
        return PathBuf::from(dir);
    }
    std::env::temp_dir().join("kanwu-index-corpus/pages-10000-seed1")
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}

fn main() {
    let dir = corpus_dir();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!("corpus not found at {}: generate it first (see the header of benches/corpus_index.rs)", dir.display());
        return;
    };
    let mut paths: Vec<PathBuf> =
        entries.flatten().map(|entry| entry.path()).filter(|path| path.extension().is_some_and(|ext| ext == "txt")).collect();
    paths.sort();
    let texts: HashMap<PathBuf, String> = paths.iter().map(|path| (path.clone(), std::fs::read_to_string(path).expect("page"))).collect();
    let bytes: usize = texts.values().map(String::len).sum();
    let threads = rayon::current_num_threads();
    println!("corpus: {} pages, {:.1} MB in {} ({} threads)", paths.len(), bytes as f64 / 1e6, dir.display(), threads);
    // The segmenter's dictionary is loaded before timing either side.
    let _ = jieba().cut("预热", false);

    for hmm in [false, true] {
        let start = Instant::now();
        let tokens: usize = paths.par_iter().map(|path| jieba().cut(&texts[path], hmm).len()).sum();
        println!("jieba-rs cut (hmm={hmm}) alone: {} ({} tokens)", ms(start.elapsed()), tokens);
    }
    // The machine is shared: jieba (hmm off, the cheaper mode) and the full index alternate for three
    // rounds, and the ratio is taken of the medians, so that a burst of load hits both sides alike.
    let mut jieba_samples = Vec::new();
    let mut index_samples = Vec::new();
    let mut built = None;
    for _ in 0..3 {
        let start = Instant::now();
        let tokens: usize = paths.par_iter().map(|path| jieba().cut(&texts[path], false).len()).sum();
        jieba_samples.push(start.elapsed());
        assert!(tokens > 0);
        drop(built.take());
        let start = Instant::now();
        let index = CorpusIndex::build(&paths, |path: &Path| texts.get(path).cloned(), |_| {});
        index_samples.push(start.elapsed());
        built = Some(index);
    }
    let index = built.expect("built");
    let (jieba_median, index_median) = (median(jieba_samples.clone()), median(index_samples.clone()));
    println!("jieba-rs (hmm=false) rounds: {:?}", jieba_samples.iter().map(|sample| ms(*sample)).collect::<Vec<_>>());
    println!("full index rounds: {:?}", index_samples.iter().map(|sample| ms(*sample)).collect::<Vec<_>>());
    println!(
        "full index: {} median against jieba-rs {} median = {:.2} x ({} pages, {} bigrams)",
        ms(index_median),
        ms(jieba_median),
        index_median.as_secs_f64() / jieba_median.as_secs_f64(),
        index.len(),
        index.bigram_count()
    );
    let memory = index.memory_bytes();
    println!(
        "index memory: {:.1} MB = {:.2} x corpus size ({:.1} MB)",
        memory as f64 / 1e6,
        memory as f64 / bytes as f64,
        bytes as f64 / 1e6
    );

    let page = &paths[paths.len() / 2];
    let mut edited = texts[page].clone();
    let mut samples = Vec::new();
    let mut index = index;
    for round in 0..200 {
        edited.push_str(&format!("第{round}次修改。"));
        let start = Instant::now();
        index.update(page, &edited);
        samples.push(start.elapsed());
    }
    println!("re-index one page (median of 200): {}", ms(median(samples)));

    let rg = Command::new("rg").arg("--version").output().is_ok();
    println!("\n| term | hits (index) | pages | references (median of 21) | rg -F --count-matches (median of 5) | rg matches |");
    println!("| --- | --- | --- | --- | --- | --- |");
    // Terms from rare to very common: the corpus repeats four seed pages, so most words are frequent.
    for term in [
        "不存在的词语",
        "6000余个",
        "13万党员",
        "72个工作组",
        "21支",
        "党员先锋岗",
        "崔国哲",
        "战斗堡垒",
        "两委",
        "疫情防控",
        "党员",
        "工作",
    ] {
        let hits = index.references(term);
        let pages = {
            let mut ids: Vec<u32> = hits.iter().map(|hit| hit.page).collect();
            ids.dedup();
            ids.len()
        };
        let samples: Vec<Duration> = (0..21)
            .map(|_| {
                let start = Instant::now();
                let found = index.references(term);
                let elapsed = start.elapsed();
                assert_eq!(found.len(), hits.len());
                elapsed
            })
            .collect();
        let (rg_time, rg_count) = if rg {
            let mut count = 0usize;
            let samples: Vec<Duration> = (0..5)
                .map(|_| {
                    let start = Instant::now();
                    let output =
                        Command::new("rg").args(["-F", "--count-matches", "--no-filename", term]).arg(&dir).output().expect("rg runs");
                    let elapsed = start.elapsed();
                    count = String::from_utf8_lossy(&output.stdout).lines().filter_map(|line| line.trim().parse::<usize>().ok()).sum();
                    elapsed
                })
                .collect();
            (ms(median(samples)), count.to_string())
        } else {
            ("rg missing".to_string(), "-".to_string())
        };
        println!("| {term} | {} | {pages} | {} | {rg_time} | {rg_count} |", hits.len(), ms(median(samples)));
    }
}
