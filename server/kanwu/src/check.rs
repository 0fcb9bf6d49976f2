//! `kanwu check`: checks pages in parallel on all cores and streams their diagnostics to the output
//! as they are rendered, a chunk of pages at a time, so memory stays flat in the number of pages
//! and bounded by the pages in flight, not by the output.

use crate::files::{collect_pages, read_page, suppression_key, PageFile};
use crate::output::{sarif_log_around_results, write_human, write_json_elements, write_sarif_results, Style};
use crate::progress::Progress;
use crate::{resolve_locale, Format, LocaleArg};
use kanwu_core::{analyze, Diagnostic, Locale, Severity};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

/// Pages checked in parallel, per worker thread, before their output is written: enough to keep
/// every core busy, few enough that memory stays flat in the number of pages.
const PAGES_PER_THREAD: usize = 8;

/// A page with at most this many diagnostics is rendered by its worker thread into a buffer; a page
/// with more is rendered by the writing thread straight into the output, so no buffer ever holds
/// more than this many diagnostics' rendering (about 1 KB each at most).
const RENDERED_IN_WORKER: usize = 1_000;

/// How a page was read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// Read, decoded and checked.
    Checked,
    /// A binary file, skipped with a note.
    Skipped,
    /// It could not be read.
    Unreadable,
}

/// A page's output: rendered by the worker, or left for the writing thread to stream.
enum PageOutput {
    Rendered(Vec<u8>),
    ToRender { text: String, diagnostics: Vec<Diagnostic> },
}

/// What checking one page produced.
struct PageReport {
    reading: Reading,
    output: PageOutput,
    counts: [usize; 4],
    rules: BTreeMap<&'static str, usize>,
    fixable: usize,
    error: Option<String>,
}

/// How the output of a run is being written.
struct Writer<'a> {
    format: Format,
    locale: Locale,
    style: Style,
    /// Whether no JSON or SARIF element has been written yet.
    first: &'a mut bool,
}

impl Writer<'_> {
    /// Renders one page's diagnostics in the run's format.
    fn render(&mut self, out: &mut impl Write, path: &Path, text: &str, diagnostics: &[Diagnostic]) -> std::io::Result<()> {
        match self.format {
            Format::Human => write_human(out, path, text, diagnostics, self.locale, self.style),
            Format::Json => write_json_elements(out, self.first, path, text, diagnostics, self.locale),
            Format::Sarif => write_sarif_results(out, self.first, path, text, diagnostics, self.locale),
        }
    }
}

/// Checks one page and renders its diagnostics, unless they are too many to keep rendered.
fn check_page(page: &PageFile, format: Format, locale: Locale, style: Style) -> PageReport {
    let mut report = PageReport {
        reading: Reading::Checked,
        output: PageOutput::Rendered(Vec::new()),
        counts: [0; 4],
        rules: BTreeMap::new(),
        fixable: 0,
        error: None,
    };
    let read = match read_page(&page.display) {
        Ok(Some(read)) => read,
        Ok(None) => {
            report.reading = Reading::Skipped;
            return report;
        }
        Err(error) => {
            report.reading = Reading::Unreadable;
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
        *report.rules.entry(diagnostic.code).or_default() += 1;
        if diagnostic.safe_fix().is_some() {
            report.fixable += 1;
        }
    }
    if diagnostics.len() > RENDERED_IN_WORKER {
        report.output = PageOutput::ToRender { text, diagnostics };
        return report;
    }
    // Whether the page's elements are the output's first is only known when they are written:
    // each starts with `,\n`, and the writer drops the first comma of the output.
    let mut first_of_output = false;
    let mut bytes = Vec::new();
    // Rendering into a byte buffer cannot fail.
    let _ = Writer { format, locale, style, first: &mut first_of_output }.render(&mut bytes, &page.display, &text, &diagnostics);
    report.output = PageOutput::Rendered(bytes);
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

/// The figures of a whole run, for its summary.
#[derive(Default)]
struct Totals {
    /// Diagnostics by severity (error, warning, information, hint).
    counts: [usize; 4],
    rules: BTreeMap<&'static str, usize>,
    fixable: usize,
    checked: usize,
    skipped: usize,
    unreadable: usize,
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
    let progress = Progress::new(pages.len(), "checking");
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut totals = Totals::default();
    let mut first = true;
    let sarif_tail = match format {
        Format::Json => {
            write_or_quit(out.write_all(b"["));
            String::new()
        }
        Format::Sarif => {
            let (head, tail) = sarif_log_around_results(locale);
            write_or_quit(out.write_all(head.as_bytes()));
            tail
        }
        Format::Human => String::new(),
    };
    let chunk_size = PAGES_PER_THREAD * rayon::current_num_threads().max(1);
    for chunk in pages.chunks(chunk_size) {
        let reports: Vec<PageReport> = chunk
            .par_iter()
            .map(|page| {
                let report = check_page(page, format, locale, style);
                progress.inc(1);
                report
            })
            .collect();
        for (page, report) in chunk.iter().zip(reports) {
            if let Some(error) = &report.error {
                progress.suspend(|| eprintln!("error: {error}"));
            }
            match report.reading {
                Reading::Checked => totals.checked += 1,
                Reading::Skipped => totals.skipped += 1,
                Reading::Unreadable => totals.unreadable += 1,
            }
            for (total, count) in totals.counts.iter_mut().zip(report.counts) {
                *total += count;
            }
            for (code, count) in report.rules {
                *totals.rules.entry(code).or_default() += count;
            }
            totals.fixable += report.fixable;
            let mut writer = Writer { format, locale, style, first: &mut first };
            match report.output {
                PageOutput::Rendered(bytes) if bytes.is_empty() => {}
                PageOutput::Rendered(bytes) => {
                    // JSON and SARIF elements each start with `,\n`; the output's very first drops its comma.
                    let bytes = if format != Format::Human && *writer.first { &bytes[1..] } else { &bytes[..] };
                    write_or_quit(out.write_all(bytes));
                    *writer.first = false;
                }
                PageOutput::ToRender { text, diagnostics } => write_or_quit(writer.render(&mut out, &page.display, &text, &diagnostics)),
            }
        }
    }
    progress.finish();
    match format {
        Format::Json => write_or_quit(out.write_all(if first { b"]\n" } else { b"\n]\n" })),
        Format::Sarif => {
            write_or_quit(out.write_all(if first { b"" } else { b"\n" }));
            write_or_quit(out.write_all(sarif_tail.as_bytes()));
            write_or_quit(out.write_all(b"\n"));
        }
        Format::Human => write_or_quit(out.write_all(summary(&totals, locale).as_bytes())),
    }
    write_or_quit(out.flush());
    if totals.unreadable > 0 {
        Status::Error
    } else if totals.counts[Severity::Error as usize] + totals.counts[Severity::Warning as usize] > 0 {
        Status::Findings
    } else {
        Status::Clean
    }
}

/// Goes on after a successful write; a closed or failing output ends the process (see
/// [`crate::stdout_failed`]).
fn write_or_quit(result: std::io::Result<()>) {
    if let Err(error) = result {
        crate::stdout_failed(error);
    }
}

/// The closing lines of human output: pages checked (and those skipped or unreadable), problems
/// by severity, then problems per rule, most frequent first.
fn summary(totals: &Totals, locale: Locale) -> String {
    let counts = &totals.counts;
    let total: usize = counts.iter().sum();
    let fixable = totals.fixable;
    let checked = totals.checked;
    let mut out = match locale {
        Locale::Zh => {
            let mut not_checked = Vec::new();
            if totals.unreadable > 0 {
                not_checked.push(format!("{} 页无法读取", totals.unreadable));
            }
            if totals.skipped > 0 {
                not_checked.push(format!("{} 个二进制文件已跳过", totals.skipped));
            }
            let not_checked = if not_checked.is_empty() { String::new() } else { format!("（{}）", not_checked.join("，")) };
            format!(
                "共检查 {checked} 页{not_checked}，发现 {total} 处问题（错误 {}，警告 {}，信息/提示 {}）；其中 {fixable} 处可用 `kanwu fix` 自动修复。\n",
                counts[0],
                counts[1],
                counts[2] + counts[3]
            )
        }
        Locale::En => {
            let mut not_checked = Vec::new();
            if totals.unreadable > 0 {
                not_checked.push(format!("{} could not be read", totals.unreadable));
            }
            if totals.skipped > 0 {
                not_checked.push(format!("{} binary file{} skipped", totals.skipped, plural(totals.skipped)));
            }
            let not_checked = if not_checked.is_empty() { String::new() } else { format!(" ({})", not_checked.join(", ")) };
            format!(
                "Checked {checked} page{}{not_checked}: {total} problem{} ({} error{}, {} warning{}, {} info/hint); {fixable} fixable with `kanwu fix`.\n",
                plural(checked),
                plural(total),
                counts[0],
                plural(counts[0]),
                counts[1],
                plural(counts[1]),
                counts[2] + counts[3]
            )
        }
    };
    let mut rules: Vec<(&&str, &usize)> = totals.rules.iter().collect();
    rules.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (code, count) in rules {
        out.push_str(&match locale {
            Locale::Zh => format!("  {code}：{count} 处\n"),
            Locale::En => format!("  {code}: {count}\n"),
        });
    }
    out
}

fn plural(count: usize) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}
