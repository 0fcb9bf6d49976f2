//! Language server figures, measured through the real stdio protocol against the release binary
//! (`cargo bench -p kanwu --bench lsp`). Prints figures; asserts nothing.
//!
//! - start: process spawn to the `initialize` response (median of 10);
//! - 20 KB page: `didChange` to its `publishDiagnostics`, debounce 0 (median and p90 of 60 edits):
//!   to the last byte of the frame read (the server's figure: the client only reads the head of
//!   each message, never keeps a copy of it), and to the message parsed whole into a
//!   `serde_json::Value` (what a client that builds a tree of every message would see);
//! - 2 MB page: 40 keystrokes 100 ms apart (a character typed, or Enter, or Backspace, at random
//!   places), each one's time to a publish covering it (debounce 0), and the latency of a request
//!   about a small page sent right after each keystroke; and the same typing for a client that pulls
//!   diagnostics (VS Code), each keystroke followed by its `textDocument/diagnostic` request;
//! - resident memory (VmRSS) with 50 open 20 KB pages;
//! - hover latency while the server indexes a generated 10,000-page corpus (when it exists).
//!
//! Pages are generated from the lines of the seed pages in `/work/shared/seeds` (read at run
//! time, shuffled and mixed), or from a built-in generator when the seeds are not there.

#[path = "../tests/support/mod.rs"]
mod support;

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::{initialize_params, position, Client, TempDir};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Lines in the style of the seed pages.
fn source_lines() -> Vec<String> {
    let mut lines = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/work/shared/seeds") {
        for entry in entries.flatten() {
            if entry.path().extension().is_some_and(|ext| ext == "txt") {
                if let Ok(bytes) = std::fs::read(entry.path()) {
                    if let Ok(decoded) = kanwu_core::decode::decode(&bytes) {
                        lines.extend(decoded.text.lines().map(str::to_string));
                    }
                }
            }
        }
    }
    if lines.is_empty() {
        let words = ["党员", "干部", "深入", "700", "多个", "村和社区", "，", "。", "防控", "一线", "工作组"];
        let mut rng = Rng(7);
        for _ in 0..400 {
            let line: String = (0..8 + rng.below(8)).map(|_| words[rng.below(words.len())]).collect();
            lines.push(line);
        }
        lines.push(String::new());
    }
    lines
}

/// A page of about `size` bytes: seed lines shuffled by `seed`.
fn page(lines: &[String], size: usize, seed: u64) -> String {
    let mut rng = Rng(seed | 1);
    let mut out = String::with_capacity(size + 256);
    while out.len() < size {
        out.push_str(&lines[rng.below(lines.len())]);
        out.push('\n');
    }
    out
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap());
    values[values.len() / 2]
}

fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap());
    values[((values.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn start(dir: &TempDir, options: Value) -> Client {
    start_as("neovim-0.11.4", dir, options)
}

/// A server initialized with the recorded initialize message of `editor`.
fn start_as(editor: &str, dir: &TempDir, mut options: Value) -> Client {
    let mut client = Client::spawn(dir.path());
    let mut params = initialize_params(editor, dir.path());
    // `KANWU_BENCH_MAX_PROBLEMS=0` measures without the per-page cap (default: the server's 1000).
    if let Some(max) = std::env::var("KANWU_BENCH_MAX_PROBLEMS").ok().and_then(|max| max.parse::<u64>().ok()) {
        options["maxProblems"] = json!(max);
    }
    params["initializationOptions"] = options;
    client.initialize(params);
    client
}

fn change(client: &mut Client, uri: &str, version: i32, text: &mut String, at: usize, insert: &str) {
    change_in("utf-8", client, uri, version, text, at, insert);
}

/// An insertion, with positions in `encoding` (the one the server chose for this client).
fn change_in(encoding: &str, client: &mut Client, uri: &str, version: i32, text: &mut String, at: usize, insert: &str) {
    let position = position(text, at, encoding);
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "range": { "start": position, "end": position }, "text": insert }] }),
    );
    text.insert_str(at, insert);
}

/// Deletes the character at byte `at` (a backspace), as a range change with no text.
fn delete(encoding: &str, client: &mut Client, uri: &str, version: i32, text: &mut String, at: usize) {
    let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
    let (start_position, end_position) = (position(text, at, encoding), position(text, end, encoding));
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "range": { "start": start_position, "end": end_position }, "text": "" }] }),
    );
    text.replace_range(at..end, "");
}

/// One keystroke of a proofreader: mostly a character typed, sometimes Enter or Backspace.
fn keystroke(encoding: &str, client: &mut Client, uri: &str, version: i32, text: &mut String, rng: &mut Rng) {
    let at = boundary(text, rng);
    match version % 10 {
        3 => change_in(encoding, client, uri, version, text, at, "\n"),
        6 | 9 => delete(encoding, client, uri, version, text, at),
        _ => change_in(encoding, client, uri, version, text, at, "委"),
    }
}

fn boundary(text: &str, rng: &mut Rng) -> usize {
    let mut at = rng.below(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn bench_start() {
    let dir = TempDir::new("bench-start");
    let mut times = Vec::new();
    for _ in 0..10 {
        let began = Instant::now();
        let mut client = Client::spawn(dir.path());
        client.call("initialize", initialize_params("neovim-0.11.4", dir.path()));
        times.push(ms(began.elapsed()));
        client.notify("initialized", json!({}));
        client.shutdown_and_exit();
    }
    println!("start → initialize answered: median {:.1} ms (target < 50 ms)", median(&mut times));
}

fn bench_20kb(lines: &[String]) {
    let dir = TempDir::new("bench-20k");
    let mut client = start(&dir, json!({ "debounceMs": 0 }));
    let uri = dir.uri("page.txt");
    let mut text = page(lines, 20 * 1024, 11);
    client.open(&uri, &text);
    let first = client.published(&uri, |version| version == 1, support::TIMEOUT).expect("first diagnostics");
    let count = first.diagnostic_count().unwrap_or(0);
    let mut rng = Rng(3);
    let (mut times, mut parsed_times, mut sizes) = (Vec::new(), Vec::new(), Vec::new());
    for version in 2..62 {
        let at = boundary(&text, &mut rng);
        let began = Instant::now();
        change(&mut client, &uri, version, &mut text, at, "两");
        let message = client.published(&uri, |seen| seen == i64::from(version), support::TIMEOUT).expect("diagnostics");
        times.push(ms(message.received.duration_since(began)));
        sizes.push(message.len() as f64);
        std::hint::black_box(message.value());
        parsed_times.push(ms(began.elapsed()));
    }
    println!(
        "20 KB page ({} bytes, {count} diagnostics, {:.0} KB message): didChange → publishDiagnostics, debounce 0: median {:.2} ms, p90 {:.2} ms (target median < 10 ms)",
        text.len(),
        median(&mut sizes) / 1024.0,
        median(&mut times.clone()),
        percentile(&mut times, 0.9)
    );
    println!(
        "   the same, up to the message parsed whole into a serde_json::Value by the client: median {:.2} ms, p90 {:.2} ms",
        median(&mut parsed_times.clone()),
        percentile(&mut parsed_times, 0.9)
    );
    client.shutdown_and_exit();
}

/// Typing into a 2 MB page; with `without_blank_lines`, the same page with its blank lines removed
/// (a single block, as some extraction tools print pages).
fn bench_2mb(lines: &[String], without_blank_lines: bool) {
    let dir = TempDir::new("bench-2m");
    let mut client = start(&dir, json!({ "debounceMs": 0 }));
    let uri = dir.uri("big.txt");
    let small = dir.uri("small.txt");
    let mut text = page(lines, 2 * 1024 * 1024, 5);
    if without_blank_lines {
        text = text.lines().filter(|line| !line.trim().is_empty()).flat_map(|line| [line, "\n"]).collect();
    }
    let label = if without_blank_lines { "2 MB page without blank lines" } else { "2 MB page" };
    let small_text = page(lines, 20 * 1024, 9);
    let began = Instant::now();
    client.open(&uri, &text);
    client.published(&uri, |version| version == 1, Duration::from_secs(120)).expect("first diagnostics");
    let first = began.elapsed();
    client.open(&small, &small_text);
    client.published(&small, |version| version == 1, support::TIMEOUT).expect("small page diagnostics");
    let range = json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 5, "character": 0 } });
    // The same request with the server idle, for comparison.
    let mut idle_latencies: Vec<f64> = Vec::new();
    for _ in 0..20 {
        let asked = Instant::now();
        client.call(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": small }, "range": range, "context": { "diagnostics": [], "only": ["quickfix"] } }),
        );
        idle_latencies.push(ms(asked.elapsed()));
    }
    let mut rng = Rng(13);
    let mut sent: Vec<(i32, Instant)> = Vec::new();
    let mut latencies: Vec<f64> = Vec::new();
    let mut last_message = None;
    let mut request_latencies: Vec<f64> = Vec::new();
    for version in 2..42 {
        let typed = Instant::now();
        keystroke("utf-8", &mut client, &uri, version, &mut text, &mut rng);
        sent.push((version, typed));
        // A request about another page, while the big one is being analysed.
        let asked = Instant::now();
        client.call(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": small }, "range": range, "context": { "diagnostics": [], "only": ["quickfix"] } }),
        );
        request_latencies.push(ms(asked.elapsed()));
        // Collect publishes for the big page until the next keystroke is due.
        let due = typed + Duration::from_millis(100);
        loop {
            let left = due.saturating_duration_since(Instant::now());
            let Some(message) = client.published(&uri, |_| true, left) else {
                break;
            };
            let published = message.version().unwrap_or(0) as i32;
            let now = message.received;
            sent.retain(|(version, at)| {
                if *version <= published {
                    latencies.push(ms(now.duration_since(*at)));
                    false
                } else {
                    true
                }
            });
            last_message = Some(message);
        }
    }
    // Keystrokes whose diagnostics had not arrived by the end of the loop wait for the last publish
    // (when the last one already arrived, nothing is left to wait for).
    if let Some(&(last, _)) = sent.last() {
        let message = client.published(&uri, |version| version >= i64::from(last), Duration::from_secs(120)).expect("last diagnostics");
        let now = message.received;
        for (_, at) in sent.drain(..) {
            latencies.push(ms(now.duration_since(at)));
        }
        last_message = Some(message);
    }
    if std::env::var_os("KANWU_BENCH_LATENCIES").is_some() {
        println!("   each keystroke, in order of arrival (ms): {:?}", latencies.iter().map(|l| l.round() as i64).collect::<Vec<_>>());
    }
    let message = last_message.expect("the big page's diagnostics were published");
    let count = message.diagnostic_count().unwrap_or(0);
    let size_mb = message.len() as f64 / (1024.0 * 1024.0);
    let worst = latencies.iter().cloned().fold(0.0, f64::max);
    println!(
        "{label} ({} bytes, {count} diagnostics in a {size_mb:.1} MB message, first analysis {:.0} ms): keystrokes (characters, Enter, Backspace) 100 ms apart, keystroke → diagnostics covering it: median {:.1} ms, max {:.1} ms (target each < 100 ms)",
        text.len(),
        ms(first),
        median(&mut latencies.clone()),
        worst
    );
    println!(
        "   meanwhile, codeAction on a 20 KB page: median {:.1} ms, max {:.1} ms (with the server idle: median {:.1} ms, max {:.1} ms)",
        median(&mut request_latencies.clone()),
        request_latencies.iter().cloned().fold(0.0, f64::max),
        median(&mut idle_latencies.clone()),
        idle_latencies.iter().cloned().fold(0.0, f64::max)
    );
    client.shutdown_and_exit();
}

/// The same typing into a 2 MB page for a client that pulls diagnostics (VS Code): each keystroke
/// is followed by a `textDocument/diagnostic` request, as VS Code sends one after each change.
fn bench_2mb_pull(lines: &[String]) {
    let dir = TempDir::new("bench-2m-pull");
    let mut client = start_as("vscode-1.139", &dir, json!({}));
    let uri = dir.uri("big.txt");
    let mut text = page(lines, 2 * 1024 * 1024, 5);
    client.open(&uri, &text);
    let pull = |client: &mut Client, previous: Option<&str>| {
        let mut params = json!({ "textDocument": { "uri": uri } });
        if let Some(previous) = previous {
            params["previousResultId"] = json!(previous);
        }
        client.call("textDocument/diagnostic", params)
    };
    let began = Instant::now();
    let first = pull(&mut client, None);
    let first_time = began.elapsed();
    let mut result_id = first["resultId"].as_str().unwrap_or_default().to_string();
    let mut rng = Rng(13);
    let mut latencies = Vec::new();
    for version in 2..42 {
        let typed = Instant::now();
        keystroke("utf-16", &mut client, &uri, version, &mut text, &mut rng);
        let report = pull(&mut client, Some(&result_id));
        latencies.push(ms(typed.elapsed()));
        assert_eq!(report["kind"], "full", "a changed page is reported in full");
        result_id = report["resultId"].as_str().unwrap_or_default().to_string();
        std::thread::sleep(Duration::from_millis(100).saturating_sub(typed.elapsed()));
    }
    println!(
        "2 MB page, pull (VS Code's initialize; first report {:.0} ms): keystroke → its `textDocument/diagnostic` report: median {:.1} ms, max {:.1} ms (target each < 100 ms)",
        ms(first_time),
        median(&mut latencies.clone()),
        latencies.iter().cloned().fold(0.0, f64::max)
    );
    client.shutdown_and_exit();
}

fn bench_memory(lines: &[String]) {
    let dir = TempDir::new("bench-mem");
    let mut client = start(&dir, json!({ "debounceMs": 0 }));
    let baseline = rss_kb(client.pid());
    for n in 0..50 {
        let uri = dir.uri(&format!("p{n:02}.txt"));
        client.open(&uri, &page(lines, 20 * 1024, 100 + n));
        client.published(&uri, |version| version == 1, support::TIMEOUT).expect("diagnostics");
    }
    std::thread::sleep(Duration::from_millis(300));
    let rss = rss_kb(client.pid());
    println!(
        "resident memory: {:.1} MB with 50 open 20 KB pages ({:.1} MB after initialize) (target < 100 MB)",
        rss as f64 / 1024.0,
        baseline as f64 / 1024.0
    );
    client.shutdown_and_exit();
}

/// Hovers (which read the corpus index for a term's frequency) every 20 ms while the server indexes
/// a generated 10,000-page corpus, and until a second after it is done: no hover should wait long
/// on the indexing. Skipped when the corpus has not been generated.
fn bench_hover_while_indexing() {
    let corpus = std::env::var_os("KANWU_CORPUS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("kanwu-index-corpus/pages-10000-seed1"));
    if !corpus.is_dir() {
        println!(
            "hover while indexing: skipped, no generated corpus at {} (see server/kanwu-core/benches/corpus_index.rs)",
            corpus.display()
        );
        return;
    }
    let mut client = Client::spawn(&corpus);
    client.initialize(initialize_params("neovim-0.11.4", &corpus));
    let dir = TempDir::new("bench-hover");
    let uri = dir.uri("note.txt");
    let note = "召开嘎查两委会议，研究春季接羔工作。\n";
    client.open(&uri, note);
    // Neovim's initialize offers UTF-8 first, so columns are bytes.
    let at = position(note, note.find("两委").unwrap_or(0), "utf-8");
    let began = Instant::now();
    let (mut latencies, mut ended) = (Vec::new(), None);
    let progress_ended = |message: &Value| message["method"] == "$/progress" && message["params"]["value"]["kind"] == "end";
    while began.elapsed() < Duration::from_secs(180) {
        let asked = Instant::now();
        let hover = client.call("textDocument/hover", json!({ "textDocument": { "uri": uri }, "position": at }));
        latencies.push(ms(asked.elapsed()));
        if std::env::var_os("KANWU_BENCH_LATENCIES").is_some() && ms(asked.elapsed()) > 50.0 {
            println!("   a hover at {:.2} s took {:.0} ms", asked.duration_since(began).as_secs_f64(), ms(asked.elapsed()));
        }
        assert!(!hover.is_null(), "a hover over 两委; stderr:\n{}", client.stderr());
        if ended.is_none() && client.wait_for(progress_ended, Duration::ZERO).is_some() {
            ended = Some(began.elapsed());
        }
        if ended.is_some_and(|ended| began.elapsed() > ended + Duration::from_secs(1)) {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let indexed = ended.map_or(f64::NAN, |ended| ended.as_secs_f64());
    println!(
        "hover while indexing {} ({indexed:.1} s to index): {} hovers, median {:.2} ms, max {:.1} ms",
        corpus.display(),
        latencies.len(),
        median(&mut latencies.clone()),
        latencies.iter().cloned().fold(0.0, f64::max)
    );
    client.shutdown_and_exit();
}

fn rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this too: keep that quick.
    let quick = !std::env::args().any(|arg| arg == "--bench");
    let lines = source_lines();
    if quick {
        bench_start();
        return;
    }
    // `KANWU_BENCH_ONLY=2mb` (or start, 20kb, memory, 2mb-no-blank, 2mb-pull, hover) runs one section.
    let only = std::env::var("KANWU_BENCH_ONLY").ok();
    let wanted = |name: &str| only.as_deref().is_none_or(|only| only == name);
    if wanted("start") {
        bench_start();
    }
    if wanted("20kb") {
        bench_20kb(&lines);
    }
    if wanted("memory") {
        bench_memory(&lines);
    }
    if wanted("2mb") {
        bench_2mb(&lines, false);
    }
    if wanted("2mb-no-blank") {
        bench_2mb(&lines, true);
    }
    if wanted("2mb-pull") {
        bench_2mb_pull(&lines);
    }
    if wanted("hover") {
        bench_hover_while_indexing();
    }
}
