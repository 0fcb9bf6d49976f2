//! A progress bar over the pages of a command, drawn on stderr only when stderr is a terminal.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// Progress over a known number of pages; hidden (every call does nothing visible) unless stderr
/// is a terminal, so pipes, files and editors never see it. Cloning shares the bar, so worker
/// threads can count their pages.
#[derive(Clone)]
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A bar over `pages` pages, labelled with what is being done (`checking`, `counting`, …).
    pub fn new(pages: usize, doing: &'static str) -> Progress {
        Progress::with_target(pages, doing, std::io::stderr().is_terminal())
    }

    /// A bar drawn on stderr when `visible`, hidden otherwise.
    fn with_target(pages: usize, doing: &'static str, visible: bool) -> Progress {
        let target = if visible { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() };
        let bar = ProgressBar::with_draw_target(Some(pages as u64), target);
        // The template is a constant known to be valid; fall back to the default style otherwise.
        if let Ok(style) = ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} pages, {elapsed}") {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(doing);
        Progress { bar }
    }

    /// Counts `pages` more pages done.
    pub fn inc(&self, pages: usize) {
        self.bar.inc(pages as u64);
    }

    /// Runs `write` (which prints to stderr) with the bar taken off the screen, so messages and the
    /// bar do not mix.
    pub fn suspend<T>(&self, write: impl FnOnce() -> T) -> T {
        self.bar.suspend(write)
    }

    /// Removes the bar from the screen once the work is done.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hidden_bar_counts_without_drawing() {
        let progress = Progress::with_target(3, "checking", false);
        progress.inc(2);
        assert_eq!(progress.bar.position(), 2);
        assert!(progress.bar.is_hidden());
        progress.finish();
        assert!(progress.bar.is_finished());
    }
}
