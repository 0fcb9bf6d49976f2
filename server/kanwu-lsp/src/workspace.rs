//! Workspace configuration: reading each root's `kanwu.toml` (from the editor's buffer when it is
//! open, else from disk), its sidecar of ignored occurrences and its glossary files
//! (`glossary_state.rs`), always with the core guard and never under the session lock; noticing
//! when they change, through
//! the client's file watching or, where the client cannot watch, by polling modification times.

use crate::server::Inner;
use crate::session::{stamp, Project, Session, Stamp};
use kanwu_core::config::CONFIG_FILE_NAME;
use kanwu_core::suppress::Suppressions;
use kanwu_core::workspace::fs::{self, FsError};
use kanwu_core::workspace::sidecar;
use kanwu_core::Config;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tower_lsp_server::ls_types as lsp;

/// How often the server's own watcher looks at the configuration files.
pub const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// Reads a settings file as text with the core guard (a regular file of at most
/// `MAX_SETTINGS_BYTES`, never blocking on a pipe), decoding GB18030 or UTF-16 as the CLI does.
pub fn read_text(path: &Path) -> Result<String, FsError> {
    fs::read_settings_text(path).map(|(text, _)| text)
}

/// What to read for one project, collected under the session lock.
#[derive(Debug)]
pub struct ConfigPlan {
    pub root: PathBuf,
    pub toml: PathBuf,
    /// The text of `kanwu.toml` when it is open in the editor (nothing is read then).
    pub open_text: Option<String>,
    /// The folders the sidecar may be read from.
    pub readable: Vec<PathBuf>,
}

/// What was read for one project, outside the lock.
#[derive(Debug)]
pub struct ConfigRead {
    pub root: PathBuf,
    /// The text of `kanwu.toml`: `Ok(None)` when there is none.
    pub toml: Result<Option<String>, FsError>,
    /// The sidecar as read; `None` leaves the one in force as it is.
    pub sidecar: Option<Result<Suppressions, String>>,
}

/// Reads what `plan` names (blocking: call it outside the lock).
pub fn read_config(plan: ConfigPlan) -> ConfigRead {
    let toml = match plan.open_text {
        Some(text) => Ok(Some(text)),
        None => match read_text(&plan.toml) {
            Ok(text) => Ok(Some(text)),
            Err(error) if error.is_not_found() => Ok(None),
            Err(error) => Err(error),
        },
    };
    let sidecar_path = sidecar::path_for(&plan.root);
    let sidecar = if std::fs::symlink_metadata(&sidecar_path).is_ok() && !fs::is_inside(&sidecar_path, &plan.readable) {
        Err(format!("{}: a link out of the workspace: not read", sidecar_path.display()))
    } else {
        sidecar::load(&plan.root).map_err(|error| error.to_string())
    };
    ConfigRead { root: plan.root, toml, sidecar: Some(sidecar) }
}

/// Applies a project's configuration and sidecar as read; returns whether what is in force changed.
pub fn apply_config(project: &mut Project, read: ConfigRead) -> bool {
    let before = (project.config.clone(), project.error.clone(), project.suppressions.clone(), project.pending_ignores.clone());
    let text = match read.toml {
        Ok(text) => text,
        Err(error) => {
            eprintln!("kanwu: cannot read {error}");
            None
        }
    };
    project.toml_text = text.as_deref().map(Arc::from);
    match text {
        None => {
            project.config = None;
            project.error = None;
        }
        Some(text) => match Config::parse(&text, Some(&project.toml)) {
            Ok(config) => {
                project.pending_ignores.retain(|word| !config.ignore.contains(word));
                project.config = Some(config);
                project.error = None;
            }
            Err(error) => {
                eprintln!("kanwu: {error} (the last valid configuration stays in force)");
                project.error = Some((error, text));
            }
        },
    }
    match read.sidecar {
        Some(Ok(suppressions)) if *project.suppressions != suppressions => project.suppressions = Arc::new(suppressions),
        Some(Ok(_)) => {}
        Some(Err(error)) => eprintln!("kanwu: {error} (the ignored occurrences read before stay in force)"),
        None => {}
    }
    let after = (project.config.clone(), project.error.clone(), project.suppressions.clone(), project.pending_ignores.clone());
    before.0 != after.0 || before.1 != after.1 || before.2 != after.2 || before.3 != after.3
}

/// Runs blocking reads off the protocol threads (and off the session lock).
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => Some(value),
        Err(error) => {
            eprintln!("kanwu: reading the configuration failed: {error}");
            None
        }
    }
}

impl Session {
    /// Resolves each open page's project again (a stat per folder, no reads), adding the projects
    /// not known yet; returns whether a page moved to another project.
    pub fn reassign_roots(&mut self) -> bool {
        let mut changed = false;
        let uris: Vec<lsp::Uri> = self.documents.keys().cloned().collect();
        for uri in uris {
            let Some(document) = self.documents.get(&uri) else { continue };
            if document.is_config {
                continue;
            }
            let Some(path) = document.path.clone() else { continue };
            let root = self.root_for(&path);
            if document.root.as_ref() != Some(&root) {
                changed = true;
                self.projects.entry(root.clone()).or_insert_with(|| Project::new(root.clone()));
                if let Some(document) = self.documents.get_mut(&uri) {
                    document.root = Some(root);
                }
            }
        }
        changed
    }

    /// What to read for the projects at `roots` (every project when `None`).
    pub fn config_plans(&mut self, roots: Option<&[PathBuf]>) -> Vec<ConfigPlan> {
        let roots: Vec<PathBuf> = match roots {
            Some(roots) => roots.to_vec(),
            None => self.projects.keys().cloned().collect(),
        };
        roots
            .into_iter()
            .map(|root| {
                self.projects.entry(root.clone()).or_insert_with(|| Project::new(root.clone()));
                let toml = root.join(CONFIG_FILE_NAME);
                ConfigPlan { open_text: self.open_config_text(&toml), readable: self.readable_roots(&root), toml, root }
            })
            .collect()
    }

    /// Applies the editor's buffer of an open `kanwu.toml` or glossary file at once, before any
    /// `.await` (nothing is read: the text is the buffer), so that requests that follow see it; the
    /// full reload from disk comes after. Returns whether the configuration in force changed (the
    /// generation is then bumped).
    pub fn apply_open_buffer(&mut self, uri: &lsp::Uri) -> bool {
        let Some(document) = self.documents.get(uri) else { return false };
        let (Some(path), true) = (document.path.clone(), document.is_config) else { return false };
        let text = document.document.rope.to_string();
        if !document.is_glossary {
            let Some(root) = path.parent().map(Path::to_path_buf) else { return false };
            let project = self.projects.entry(root.clone()).or_insert_with(|| Project::new(root.clone()));
            let changed = apply_config(project, ConfigRead { root, toml: Ok(Some(text)), sidecar: None });
            if changed {
                self.generation += 1;
            }
            return changed;
        }
        let text: Arc<str> = Arc::from(text);
        for project in self.projects.values_mut() {
            if !project.glossary.files.iter().any(|file| file.path == path) {
                continue;
            }
            let texts = project
                .glossary
                .files
                .iter()
                .map(|file| (file.path.clone(), Ok(if file.path == path { Some(text.clone()) } else { file.text.clone() })))
                .collect();
            let read = crate::glossary_state::GlossaryRead { root: project.root.clone(), targets: project.glossary.targets.clone(), texts };
            crate::glossary_state::apply(project, read);
        }
        false
    }

    /// The projects among `roots` not loaded yet.
    pub fn unknown_projects(&self, roots: &[PathBuf]) -> Vec<PathBuf> {
        roots.iter().filter(|root| !self.projects.contains_key(*root)).cloned().collect()
    }
    /// The files whose changes matter: each project's `kanwu.toml` and sidecar, and a
    /// `kanwu.toml` that could appear between an open page and its project root.
    pub fn watched_files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = Vec::new();
        for project in self.projects.values() {
            files.push(project.toml.clone());
            files.push(sidecar::path_for(&project.root));
            files.extend(project.glossary.targets.iter().map(|target| target.path.clone()));
        }
        for document in self.documents.values() {
            let (Some(path), Some(root)) = (&document.path, &document.root) else { continue };
            let mut dir = path.parent();
            while let Some(current) = dir {
                files.push(current.join(CONFIG_FILE_NAME));
                if current == root || !current.starts_with(root) {
                    break;
                }
                dir = current.parent();
            }
        }
        files.sort();
        files.dedup();
        files
    }
}

impl Inner {
    /// Reloads the configuration and, when it changed, diagnoses every page again.
    pub async fn reload_configuration(self: &Arc<Self>) {
        let changed = self.refresh_projects(None).await;
        self.settle(changed).await;
    }

    /// Loads the projects at `roots` (adding them when new); returns whether what is in force
    /// changed.
    pub async fn load_projects(self: &Arc<Self>, roots: Vec<PathBuf>) -> bool {
        self.refresh_projects(Some(roots)).await
    }

    /// Reads the configuration files of the projects at `roots` (all of them, after resolving the
    /// open pages' projects again, when `None`) in two rounds, never under the session lock: first
    /// each `kanwu.toml` and sidecar, then the glossary files the configurations just parsed name.
    /// The paths are collected and the texts applied under the lock. Returns whether the
    /// configuration in force changed (the generation is then bumped).
    pub async fn refresh_projects(self: &Arc<Self>, roots: Option<Vec<PathBuf>>) -> bool {
        let _serial = self.config_loads.lock().await;
        let (plans, mut changed) = {
            let mut session = self.lock();
            let moved = roots.is_none() && session.reassign_roots();
            (session.config_plans(roots.as_deref()), moved)
        };
        let roots: Vec<PathBuf> = plans.iter().map(|plan| plan.root.clone()).collect();
        let Some(reads) = blocking(move || plans.into_iter().map(read_config).collect::<Vec<_>>()).await else { return false };
        let glossary_plans = {
            let mut session = self.lock();
            for read in reads {
                if let Some(project) = session.projects.get_mut(&read.root) {
                    changed |= apply_config(project, read);
                }
            }
            roots.iter().filter_map(|root| session.glossary_plan(root)).collect::<Vec<_>>()
        };
        let Some(glossary_reads) =
            blocking(move || glossary_plans.into_iter().map(crate::glossary_state::read_glossaries).collect::<Vec<_>>()).await
        else {
            return false;
        };
        let mut session = self.lock();
        for read in glossary_reads {
            // The glossary files follow the configuration just read; their changes do not touch
            // diagnostics, so they do not count as a configuration change.
            session.apply_glossaries(read);
        }
        if changed {
            session.generation += 1;
        }
        changed
    }

    /// The server's own watcher, for clients that cannot watch files: polls modification times.
    pub fn start_polling(self: &Arc<Self>) {
        // Pages are polled too, by walking the folders at a slower pace.
        self.start_page_polling();
        let inner = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut seen: BTreeMap<PathBuf, Stamp> = BTreeMap::new();
            let mut first = true;
            loop {
                tokio::time::sleep(POLL_INTERVAL).await;
                let Some(inner) = inner.upgrade() else { return };
                let files = {
                    let session = inner.lock();
                    if session.shutdown {
                        return;
                    }
                    session.watched_files()
                };
                let mut changed = false;
                let mut now = BTreeMap::new();
                for file in files {
                    let current = stamp(&file);
                    if let Some(previous) = seen.get(&file) {
                        changed |= *previous != current;
                    }
                    now.insert(file, current);
                }
                seen = now;
                if changed && !first {
                    inner.reload_configuration().await;
                }
                first = false;
            }
        });
    }

    /// Asks the client to watch the configuration files for us.
    pub async fn register_watchers(self: &Arc<Self>) -> bool {
        // Glossary files may have any name (`[glossary] files`): every TOML file is watched.
        let watchers = ["**/kanwu.toml", "**/.kanwu/ignored.toml", "**/*.toml"]
            .into_iter()
            .chain(crate::index_state::PAGE_WATCH_PATTERNS)
            .map(|pattern| lsp::FileSystemWatcher { glob_pattern: lsp::GlobPattern::String(pattern.to_string()), kind: None })
            .collect();
        let options = lsp::DidChangeWatchedFilesRegistrationOptions { watchers };
        let registration = lsp::Registration {
            id: "kanwu-config-watcher".to_string(),
            method: "workspace/didChangeWatchedFiles".to_string(),
            register_options: serde_json::to_value(options).ok(),
        };
        match self.client.register_capability(vec![registration]).await {
            Ok(()) => true,
            Err(error) => {
                eprintln!("kanwu: the client refused to watch files ({error:?}); polling instead");
                false
            }
        }
    }
}
