//! Lints every page in a folder with `autocorrect::lint_for` in parallel on all cores and prints the results as JSON.
//!
//! This is the baseline that `tools/bench-cli.sh` times against `kanwu check --format json`.

use rayon::prelude::*;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Lists the `.txt` pages directly inside `dir`, sorted by name so the output order is stable.
fn pages_in(dir: &PathBuf) -> std::io::Result<Vec<PathBuf>> {
    let mut pages = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_file() && path.extension().is_some_and(|ext| ext == "txt") {
            pages.push(path);
        }
    }
    pages.sort();
    Ok(pages)
}

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: autocorrect-bench DIR");
        return ExitCode::from(2);
    };
    let pages = match pages_in(&dir) {
        Ok(pages) => pages,
        Err(error) => {
            eprintln!("error: cannot list {}: {error}", dir.display());
            return ExitCode::from(2);
        }
    };
    // Each page is read and linted on a rayon worker; the rendered JSON is collected in page order.
    let rendered: Vec<Result<String, String>> = pages
        .par_iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).map_err(|error| format!("{}: {error}", path.display()))?;
            let mut result = autocorrect::lint_for(&text, "text");
            result.filepath = path.display().to_string();
            // The raw text would make the output as large as the corpus, so it is dropped as Kanwu's output drops it.
            result.raw = String::new();
            serde_json::to_string(&result).map_err(|error| format!("{}: {error}", path.display()))
        })
        .collect();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = false;
    let _ = out.write_all(b"[");
    let mut first = true;
    for item in rendered {
        match item {
            Ok(json) => {
                if !first {
                    let _ = out.write_all(b",");
                }
                first = false;
                let _ = out.write_all(json.as_bytes());
            }
            Err(error) => {
                eprintln!("error: {error}");
                failed = true;
            }
        }
    }
    let _ = out.write_all(b"]\n");
    let _ = out.flush();
    if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}
