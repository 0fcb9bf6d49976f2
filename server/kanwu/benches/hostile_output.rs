//! Prints the peak memory and output size of `kanwu check` on hostile pages (a 300 KB line full of
//! artefacts, 100,000 zero-width characters, a 50 MB line); figures only, nothing is asserted.
//!
//! `cargo bench -p kanwu --bench hostile_output`; `KANWU_BIN=/path/to/kanwu` measures another
//! binary (an older build, for a before/after comparison); `KANWU_BENCH_SKIP_50MB=1` leaves out the
//! 50 MB page.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A one-line page of at least `bytes` bytes made of pieces that each hold an artefact.
fn one_line_page(bytes: usize) -> String {
    let pieces = ["全旗 56 个", "两委𠮷干部", "服务队,帮助", "牧民解决难题。", "组 织 党 员", "ＡＢＣ１２３"];
    let mut page = String::with_capacity(bytes + 64);
    let mut next = 0usize;
    while page.len() < bytes {
        next = (next * 7 + 3) % pieces.len();
        page.push_str(pieces[next]);
    }
    page.push('\n');
    page
}

/// Runs `kanwu check` on `page`, counting its output and polling its peak resident memory
/// (`VmHWM`, which only grows) until it ends.
fn measure(kanwu: &Path, page: &Path) -> (u64, u64, Duration) {
    let started = Instant::now();
    let mut child = Command::new(kanwu)
        .args(["check", "--exit-zero"])
        .arg(page)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("kanwu starts");
    let pid = child.id();
    let mut stdout = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || {
        let mut buffer = vec![0u8; 1 << 16];
        let mut total = 0u64;
        while let Ok(read) = stdout.read(&mut buffer) {
            if read == 0 {
                break;
            }
            total += read as u64;
        }
        total
    });
    let mut peak_kib = 0u64;
    while child.try_wait().expect("kanwu is waited for").is_none() {
        if let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
            if let Some(kib) =
                status.lines().find_map(|line| line.strip_prefix("VmHWM:")).and_then(|rest| rest.split_whitespace().next()?.parse().ok())
            {
                peak_kib = peak_kib.max(kib);
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let output = reader.join().expect("the reader ends");
    (output, peak_kib, started.elapsed())
}

fn main() {
    let kanwu = std::env::var_os("KANWU_BIN").map(std::path::PathBuf::from).unwrap_or_else(|| env!("CARGO_BIN_EXE_kanwu").into());
    let dir = std::env::temp_dir().join(format!("kanwu-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let mut pages = vec![
        ("one line of 300 KB, full of artefacts", "long-line.txt", one_line_page(300_000)),
        ("100,000 zero-width spaces in one run", "zero-width-run.txt", format!("党员{}干部。\n", "\u{200B}".repeat(100_000))),
        ("100,000 zero-width spaces between characters", "zero-width-spread.txt", format!("{}。\n", "党\u{200B}".repeat(100_000))),
    ];
    if std::env::var_os("KANWU_BENCH_SKIP_50MB").is_none() {
        pages.push(("one line of 50 MB", "50mb-line.txt", format!("{}。\n", "党员干部服务群众".repeat(50_000_000 / 24))));
    }
    println!("{:<48} {:>12} {:>14} {:>12} {:>9}", "page", "page size", "output", "peak RSS", "time");
    for (what, name, text) in &pages {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("the page is written");
        let (output, peak_kib, elapsed) = measure(&kanwu, &path);
        println!(
            "{what:<48} {:>9.1} KB {:>11.1} KB {:>8.1} MiB {:>8.2}s",
            text.len() as f64 / 1000.0,
            output as f64 / 1000.0,
            peak_kib as f64 / 1024.0,
            elapsed.as_secs_f64()
        );
        let _ = std::fs::remove_file(&path);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
