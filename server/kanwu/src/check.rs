//! `kanwu check`: checks pages in parallel on all cores and prints diagnostics as they are found,
//! a chunk of pages at a time, so memory stays flat in the number of pages.

use crate::files::{collect_pages, read_page, suppression_key, PageFile};
use crate::output::{human, sarif_log, sarif_results, write_json_elements, Style};
use crate::{resolve_locale, Format, LocaleArg};
use kanwu_core::{analyze, Locale, Severity};
use rayon::prelude::*;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// Pages checked in parallel, per worker thread, before their output is written: enough to keep
/// every core busy, few enough that memory stays flat in the number of pages.
const PAGES_PER_THREAD: usize = 8;

/// What checking one page produced.
struct PageReport {
    /// SARIF results of the page.
    rendered: Vec<serde_json::Value>,
    /// The page's human or JSON output, ready to write.
    bytes: Vec<u8>,
    /// Whether the page's JSON output starts with the array's first element.
    json_has_elements: bool,
    counts: [usize; 4],
    fixable: usize,
    error: Option<String>,
}

/// Checks one page and renders its diagnostics in the requested format.
fn check_page(page: &PageFile, format: Format, locale: Locale, style: Style) -> PageReport {
    let mut report =
        PageReport { rendered: Vec::new(), bytes: Vec::new(), json_has_elements: false, counts: [0; 4], fixable: 0, error: None };
    let read = match read_page(&page.display) {
        Ok(Some(read)) => read,
        Ok(None) => return report,
        Err(error) => {
            report.error = Some(format!("{error:#}"));
            return report;
        }
    };
    let text = read.text;
    let mut diagnostics = analyze(&text, &page.settings.config);
    if let Some(key) = suppression_key(&page.settings, &page.display) {
        page.settings.suppressions.retain(&key, &text, &mut diagnostics);
    }
    for diagnostic in &diagnostics {
        report.counts[diagnostic.severity as usize] += 1;
        if diagnostic.safe_fix().is_some() {
            report.fixable += 1;
        }
    }
    match format {
        Format::Human => report.bytes = human(&page.display, &text, &diagnostics, locale, style).into_bytes(),
        Format::Json => {
            // Each element is written with a leading `,\n`; the first element of the output drops the comma.
            let mut first = false;
            write_json_elements(&mut report.bytes, &mut first, &page.display, &text, &diagnostics, locale);
            report.json_has_elements = !diagnostics.is_empty();
        }
        Format::Sarif => report.rendered = sarif_results(&page.display, &text, &diagnostics, locale),
    }
    report
}

/// How a check ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Nothing at warning or above.
    Clean,
    /// Something at warning or above.
    Findings,
    /// A page or the configuration could not be read.
    Error,
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> ExitCode {
        match status {
            Status::Clean => ExitCode::SUCCESS,
            Status::Findings => ExitCode::from(1),
            Status::Error => ExitCode::from(2),
        }
    }
}

/// Runs `kanwu check`: exit 0 clean, 1 findings at warning or above, 2 errors (2 wins over 1).
pub fn run(paths: &[std::path::PathBuf], format: Format, locale: Option<LocaleArg>) -> Status {
    let pages = match collect_pages(paths) {
        Ok(pages) => pages,
        Err(error) => {
            eprintln!("error: {error:#}");
            return Status::Error;
        }
    };
    // The command line wins, then the configuration's `locale`, then the environment.
    let configured = pages.first().and_then(|page| page.settings.config.locale);
    let locale = match (locale, configured) {
        (None, Some(configured)) => configured,
        (argument, _) => resolve_locale(argument),
    };
    let style = Style { color: format == Format::Human && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none() };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut counts = [0usize; 4];
    let mut fixable = 0;
    let mut failed = false;
    let mut first_json = true;
    let mut sarif = Vec::new();
    if format == Format::Json {
        let _ = out.write_all(b"[");
    }
    let chunk_size = PAGES_PER_THREAD * rayon::current_num_threads().max(1);
    for chunk in pages.chunks(chunk_size) {
        let reports: Vec<PageReport> = chunk.par_iter().map(|page| check_page(page, format, locale, style)).collect();
        for report in reports {
            if let Some(error) = report.error {
                eprintln!("error: {error}");
                failed = true;
            }
            for (total, count) in counts.iter_mut().zip(report.counts) {
                *total += count;
            }
            fixable += report.fixable;
            match format {
                Format::Human => {
                    let _ = out.write_all(&report.bytes);
                }
                Format::Json => {
                    if report.json_has_elements {
                        // The page's elements each start with `,\n`; the output's very first drops its comma.
                        let bytes = if first_json { &report.bytes[1..] } else { &report.bytes[..] };
                        let _ = out.write_all(bytes);
                        first_json = false;
                    }
                }
                Format::Sarif => sarif.extend(report.rendered),
            }
        }
    }
    match format {
        Format::Json => {
            let _ = out.write_all(if first_json { b"]\n" } else { b"\n]\n" });
        }
        Format::Sarif => {
            let _ = serde_json::to_writer_pretty(&mut out, &sarif_log(sarif, locale));
            let _ = out.write_all(b"\n");
        }
        Format::Human => {
            let _ = out.write_all(summary(&counts, fixable, pages.len(), locale).as_bytes());
        }
    }
    let _ = out.flush();
    if failed {
        Status::Error
    } else if counts[Severity::Error as usize] + counts[Severity::Warning as usize] > 0 {
        Status::Findings
    } else {
        Status::Clean
    }
}

/// The closing line of human output.
fn summary(counts: &[usize; 4], fixable: usize, pages: usize, locale: Locale) -> String {
    let total: usize = counts.iter().sum();
    match locale {
        Locale::Zh => format!(
            "共检查 {pages} 页，发现 {total} 处问题（错误 {}，警告 {}，提示 {}）；其中 {fixable} 处可用 `kanwu fix` 自动修复。\n",
            counts[0],
            counts[1],
            counts[2] + counts[3]
        ),
        Locale::En => format!(
            "Checked {pages} page{}: {total} problem{} ({} error{}, {} warning{}, {} info/hint); {fixable} fixable with `kanwu fix`.\n",
            if pages == 1 { "" } else { "s" },
            if total == 1 { "" } else { "s" },
            counts[0],
            if counts[0] == 1 { "" } else { "s" },
            counts[1],
            if counts[1] == 1 { "" } else { "s" },
            counts[2] + counts[3]
        ),
    }
}
