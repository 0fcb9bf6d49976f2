//! The corpus index in the server: built in the background on start-up with `$/progress`, kept current from open pages' edits, watched files (or the server's own polling), and workspace folder changes.

use crate::server::Inner;
use crate::session::{canonical, stamp, Stamp};
use kanwu_core::index::{CorpusIndex, PreparedPage};
use kanwu_core::workspace::discovery::{walk_pages, PageFilter};
use kanwu_core::workspace::pages::PageOutcome;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;
use tower_lsp_server::ls_types as lsp;

/// How long an open page must go unedited before its new text replaces the indexed one.
const OPEN_PAGE_INDEX_DELAY: Duration = Duration::from_millis(250);

/// The command that re-reads every page of the workspace (the editors' "Reindex corpus").
pub const REINDEX: &str = "kanwu.reindex";

/// How often the server's own watcher walks the workspace folders for changed pages.
const PAGE_POLL_INTERVAL: Duration = Duration::from_millis(1000);

/// The corpus index shared by the handlers; cloning shares it.
#[derive(Clone, Debug, Default)]
pub struct CorpusState {
    index: Arc<RwLock<CorpusIndex>>,
    /// True once the first full index is built.
    pub ready: Arc<AtomicBool>,
    /// The last workspace diagnostic report of each unopened page, by result id.
    pub reports: Arc<std::sync::Mutex<ReportCache>>,
    /// Terms' frequencies as counted for hover, each with the index's change count it was counted
    /// at: a common term takes tens of milliseconds to count over a big corpus, once per change.
    frequencies: Arc<std::sync::Mutex<FrequencyCache>>,
}

/// Per term: the index's change count when it was counted, and (pages, occurrences).
type FrequencyCache = std::collections::HashMap<String, (u64, (usize, usize))>;

/// The most terms whose frequency is remembered (the cache is emptied when it is full).
const FREQUENCY_CACHE: usize = 4096;

/// Workspace diagnostic reports by page. A result id is derived from the page's content hash and the
/// session's configuration generation, so an unchanged page keeps its id and needs no re-check.
#[derive(Debug, Default)]
pub struct ReportCache {
    pub pages: std::collections::HashMap<PathBuf, (String, Arc<Vec<lsp::Diagnostic>>)>,
    /// The number of diagnostics held, bounded by [`ReportCache::MAX_DIAGNOSTICS`].
    pub held: usize,
}

impl ReportCache {
    /// Past this many cached diagnostics, new reports are not kept (unchanged pages still answer
    /// `unchanged` from their result ids, which need no cache).
    pub const MAX_DIAGNOSTICS: usize = 500_000;

    /// The result id of a page with content hash `hash` under configuration generation `generation`.
    pub fn result_id(hash: u64, generation: u64) -> String {
        format!("{hash:016x}-{generation}")
    }
}

impl CorpusState {
    /// The index for reading; a panic elsewhere never leaves it unusable.
    pub fn read(&self) -> RwLockReadGuard<'_, CorpusIndex> {
        self.index.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn write(&self) -> RwLockWriteGuard<'_, CorpusIndex> {
        self.index.write().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// How often the corpus uses a term: (pages, occurrences), for hover, counted by the core's
    /// one term search (as Find References and `kanwu refs` find it); counted again only when the
    /// index changed since it was last counted.
    pub fn frequency(&self, query: &kanwu_core::terms::TermQuery) -> (usize, usize) {
        // The spellings say everything the count depends on (a workspace glossary may give a term other names).
        let term = query.spellings().join("\u{1f}");
        let term = term.as_str();
        let index = self.read();
        let changes = index.changes();
        let cache = || self.frequencies.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(&(counted_at, frequency)) = cache().get(term) {
            if counted_at == changes {
                return frequency;
            }
        }
        let frequency = query.count_in_index(&index);
        drop(index);
        let mut frequencies = cache();
        if frequencies.len() >= FREQUENCY_CACHE {
            frequencies.clear();
        }
        frequencies.insert(term.to_string(), (changes, frequency));
        frequency
    }
}

/// Every page of the workspace folder `root`, sorted: the core's walk, with the globs of the
/// nearest `kanwu.toml`, as `kanwu check` finds them. What it skips is noted on stderr when
/// `note_skipped` (the indexing walk; the polling walk, every second, stays quiet).
pub fn folder_pages(root: &Path, note_skipped: bool) -> Vec<PathBuf> {
    let note = |skipped| {
        if note_skipped {
            eprintln!("kanwu: index: {skipped}");
        }
    };
    let mut pages = walk_pages(root, &PageFilter::for_folder(root), note);
    pages.sort();
    pages
}

/// Reads a page from disk as the command line does, through the core guard: decoded, or skipped
/// with a note on stderr (not a regular file, over 64 MiB, binary, unreadable).
pub fn read_page(path: &Path) -> Option<String> {
    match kanwu_core::workspace::pages::read_page(path) {
        Ok(PageOutcome::Read(read)) => Some(read.decoded.text),
        Ok(PageOutcome::Binary) => {
            eprintln!("kanwu: index: {} skipped: not text", path.display());
            None
        }
        Err(error) => {
            eprintln!("kanwu: index: {error}: skipped");
            None
        }
    }
}

impl Inner {
    /// The corpus index.
    pub fn corpus(&self) -> CorpusState {
        self.lock().corpus.clone()
    }

    /// A hover's contents with how often the corpus uses a term (pages, occurrences) added as a
    /// closing line, in the hover's own format. While the first index is being built there is no
    /// such line: a count of the pages indexed so far would be wrong, and counting would make the
    /// hover wait on the indexing.
    pub fn with_frequency(&self, mut contents: lsp::MarkupContent, query: &kanwu_core::terms::TermQuery) -> lsp::MarkupContent {
        let corpus = self.corpus();
        if !corpus.ready.load(Ordering::Acquire) {
            return contents;
        }
        let (pages, occurrences) = corpus.frequency(query);
        if !contents.value.ends_with('\n') {
            contents.value.push('\n');
        }
        // Markdown needs a blank line to start a paragraph; the plain text is one `key：value` line each.
        if contents.kind == lsp::MarkupKind::Markdown {
            contents.value.push('\n');
        }
        contents.value.push_str(&frequency_line(pages, occurrences));
        contents
    }

    /// Whether `path` is a page of the workspace folder holding it (the innermost one), as the
    /// walk of that folder would find it.
    fn is_workspace_page(&self, path: &Path) -> bool {
        let roots = self.lock().roots.clone();
        let root = roots.iter().filter(|root| path.starts_with(root)).max_by_key(|root| root.components().count());
        root.is_some_and(|root| PageFilter::for_folder(root).is_page_below(root, path))
    }

    /// Indexes every page of `roots` in the background, reporting `$/progress`; open pages keep the
    /// editor's text.
    pub fn index_folders(self: &Arc<Self>, roots: Vec<PathBuf>) {
        let inner = self.clone();
        tokio::spawn(async move {
            let listed =
                tokio::task::spawn_blocking(move || roots.iter().flat_map(|root| folder_pages(root, true)).collect::<Vec<PathBuf>>()).await;
            let Ok(paths) = listed else { return };
            let token = lsp::ProgressToken::String(format!("kanwu-index-{}", paths.len()));
            // Progress only for clients that declare `window.workDoneProgress`; others would get requests they cannot answer.
            let progress = if inner.lock().caps.work_done_progress {
                match inner.client.create_work_done_progress(token.clone()).await {
                    Ok(()) => Some(
                        inner
                            .client
                            .progress(token, "Indexing pages")
                            .with_percentage(0)
                            .with_message(format!("0/{}", paths.len()))
                            .begin()
                            .await,
                    ),
                    Err(_) => None,
                }
            } else {
                None
            };
            let total = paths.len();
            let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<usize>();
            let corpus = inner.corpus();
            let open: Vec<PathBuf> = inner.lock().documents.values().filter_map(|document| document.path.clone()).collect();
            let build = tokio::task::spawn_blocking(move || {
                let paths: Vec<PathBuf> = paths.into_iter().filter(|path| !open.contains(path)).collect();
                const CHUNK: usize = 512;
                let mut done = 0;
                for chunk in paths.chunks(CHUNK) {
                    // Each chunk is prepared on all cores, then merged under a short write lock.
                    let prepared: Vec<PreparedPage> =
                        chunk.par_iter().filter_map(|path| read_page(path).map(|text| PreparedPage::new(path.clone(), &text))).collect();
                    let mut index = corpus.write();
                    for page in prepared {
                        index.insert(page);
                    }
                    drop(index);
                    done += chunk.len();
                    let _ = sender.send(done);
                }
                // The pages went in one at a time; one parallel merge freezes their postings
                // compactly. It is prepared under a read lock, so hovers and references go on
                // meanwhile, and installed under a short write lock (again in full, under the
                // write lock, if a page changed in between).
                let prepared = corpus.read().prepare_freeze();
                let mut index = corpus.write();
                if !index.install_freeze(prepared) {
                    index.freeze();
                }
                drop(index);
                corpus.ready.store(true, Ordering::Release);
            });
            while let Some(done) = receiver.recv().await {
                if let Some(progress) = &progress {
                    let percentage = (done * 100 / total.max(1)) as u32;
                    progress.report_with_message(format!("{done}/{total}"), percentage).await;
                }
            }
            let _ = build.await;
            if let Some(progress) = progress {
                progress.finish_with_message(format!("{total}/{total} pages indexed")).await;
            }
            eprintln!("kanwu: indexed {total} pages");
        });
    }

    /// Starts indexing the workspace folders (from `initialized`, and again for the `kanwu.reindex`
    /// command), and the page watcher when the client cannot watch files.
    pub fn start_indexing(self: &Arc<Self>) {
        let roots = self.lock().roots.clone();
        self.index_folders(roots);
    }

    /// Re-indexes an open page from the editor's text.
    pub fn index_open(self: &Arc<Self>, uri: &lsp::Uri, after_edit: bool) {
        let version = {
            let session = self.lock();
            let Some(document) = session.documents.get(uri) else { return };
            if document.is_config || document.path.is_none() {
                return;
            }
            document.document.version
        };
        let inner = self.clone();
        let uri = uri.clone();
        tokio::spawn(async move {
            // Typing bursts are indexed once they pause: re-indexing a big page on every keystroke
            // would compete with its diagnostics for the cores. A page just opened goes in at once.
            if after_edit {
                tokio::time::sleep(OPEN_PAGE_INDEX_DELAY).await;
            }
            let (snapshot, path, corpus) = {
                let session = inner.lock();
                let Some(document) = session.documents.get(&uri) else { return };
                // A later edit schedules its own indexing: only the version still current goes in.
                if document.document.version != version {
                    return;
                }
                let Some(path) = document.path.clone() else { return };
                (document.document.snapshot(), path, session.corpus.clone())
            };
            let _ = tokio::task::spawn_blocking(move || {
                let text = snapshot.text();
                corpus.write().update(&path, &text);
            })
            .await;
        });
    }

    /// Applies `workspace/didChangeWatchedFiles` events to the index.
    pub fn pages_changed(self: &Arc<Self>, changes: &[lsp::FileEvent]) {
        let mut work: Vec<(PathBuf, bool)> = Vec::new();
        for change in changes {
            let Some(path) = crate::from_proto::path(&change.uri).map(|path| canonical(&path)) else { continue };
            work.push((path, change.typ == lsp::FileChangeType::DELETED));
        }
        if work.is_empty() {
            return;
        }
        let inner = self.clone();
        tokio::task::spawn_blocking(move || {
            let corpus = inner.corpus();
            for (path, deleted) in work {
                inner.refresh_page(&corpus, &path, deleted);
            }
        });
    }

    /// Re-reads one page from disk (or drops it); open pages keep the editor's text.
    fn refresh_page(&self, corpus: &CorpusState, path: &Path, deleted: bool) {
        if deleted || !path.is_file() {
            if !corpus.write().remove(path) {
                // A deleted folder: drop every page below it.
                corpus.write().remove_folder(path);
            }
            return;
        }
        let open = self.lock().documents.values().any(|document| document.path.as_deref() == Some(path));
        if open || !self.is_workspace_page(path) {
            return;
        }
        if let Some(text) = read_page(path) {
            corpus.write().update(path, &text);
        }
    }

    /// The server's own page watcher, for clients that cannot watch files: walks the folders and
    /// compares modification times and lengths.
    pub fn start_page_polling(self: &Arc<Self>) {
        let weak = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut seen: Option<BTreeMap<PathBuf, Stamp>> = None;
            loop {
                tokio::time::sleep(PAGE_POLL_INTERVAL).await;
                let Some(inner) = weak.upgrade() else { return };
                let (roots, shutdown, ready) = {
                    let session = inner.lock();
                    (session.roots.clone(), session.shutdown, session.corpus.ready.load(Ordering::Acquire))
                };
                if shutdown {
                    return;
                }
                if !ready {
                    continue;
                }
                let previous = seen.take();
                let now = tokio::task::spawn_blocking({
                    let inner = inner.clone();
                    move || {
                        let mut now: BTreeMap<PathBuf, Stamp> = BTreeMap::new();
                        for root in &roots {
                            for path in folder_pages(root, false) {
                                let current = stamp(&path);
                                now.insert(path, current);
                            }
                        }
                        let corpus = inner.corpus();
                        if previous.is_none() {
                            // The first walk catches what changed while the first index was built.
                            let missing: Vec<PathBuf> = now.keys().filter(|path| !corpus.read().contains(path)).cloned().collect();
                            for path in missing {
                                inner.refresh_page(&corpus, &path, false);
                            }
                            let gone: Vec<PathBuf> = corpus
                                .read()
                                .paths()
                                .filter(|path| !now.contains_key(*path) && !path.is_file())
                                .map(Path::to_path_buf)
                                .collect();
                            for path in gone {
                                inner.refresh_page(&corpus, &path, true);
                            }
                        }
                        if let Some(previous) = &previous {
                            for (path, current) in &now {
                                if previous.get(path) != Some(current) {
                                    inner.refresh_page(&corpus, path, false);
                                }
                            }
                            for path in previous.keys().filter(|path| !now.contains_key(*path)) {
                                inner.refresh_page(&corpus, path, true);
                            }
                        }
                        now
                    }
                })
                .await;
                seen = now.ok();
            }
        });
    }

    /// `workspace/didChangeWorkspaceFolders`: drops removed folders' pages and indexes added ones.
    pub fn folders_changed(self: &Arc<Self>, event: &lsp::WorkspaceFoldersChangeEvent) {
        let removed: Vec<PathBuf> =
            event.removed.iter().filter_map(|folder| crate::from_proto::path(&folder.uri)).map(|path| canonical(&path)).collect();
        let added: Vec<PathBuf> =
            event.added.iter().filter_map(|folder| crate::from_proto::path(&folder.uri)).map(|path| canonical(&path)).collect();
        {
            let mut session = self.lock();
            session.roots.retain(|root| !removed.contains(root));
            for root in &added {
                if !session.roots.contains(root) {
                    session.roots.push(root.clone());
                }
            }
        }
        let corpus = self.corpus();
        for root in &removed {
            corpus.write().remove_folder(root);
        }
        if !added.is_empty() {
            self.index_folders(added);
        }
    }
}

/// The hover line saying how often the corpus uses a term.
pub fn frequency_line(pages: usize, occurrences: usize) -> String {
    format!("语料：{pages} 页，{occurrences} 处 (corpus: {pages} pages, {occurrences} occurrences)\n")
}

/// The glob patterns the client is asked to watch for pages.
pub const PAGE_WATCH_PATTERNS: [&str; 1] = ["**/*.txt"];
