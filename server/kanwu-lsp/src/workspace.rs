//! Workspace configuration: reading each root's `kanwu.toml` (from the editor's buffer when it is
//! open, else from disk), its sidecar of ignored occurrences and its glossary files
//! (`glossary_state.rs`); noticing when they change, through
//! the client's file watching or, where the client cannot watch, by polling modification times.

use crate::server::Inner;
use crate::session::{stamp, Project, Session, Stamp};
use kanwu_core::config::CONFIG_FILE_NAME;
use kanwu_core::suppress::Suppressions;
use kanwu_core::Config;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tower_lsp_server::ls_types as lsp;

/// How often the server's own watcher looks at the configuration files.
pub const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// Reads a file as text, decoding GB18030 or UTF-16 as the CLI does.
pub fn read_text(path: &Path) -> std::io::Result<String> {
    let bytes = std::fs::read(path)?;
    kanwu_core::decode::decode(&bytes)
        .map(|decoded| decoded.text)
        .map_err(|error| std::io::Error::new(std::io::ErrorKind::InvalidData, error.to_string()))
}

/// Loads a project's configuration and sidecar; returns whether what is in force changed.
pub fn load_project(project: &mut Project, open_text: Option<String>) -> bool {
    let before = (project.config.clone(), project.error.clone(), project.suppressions.clone(), project.pending_ignores.clone());
    let text = match open_text {
        Some(text) => Some(text),
        None => match read_text(&project.toml) {
            Ok(text) => Some(text),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
            Err(error) => {
                eprintln!("kanwu: cannot read {}: {error}", project.toml.display());
                None
            }
        },
    };
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
    match Suppressions::load(&project.root) {
        Ok(suppressions) => {
            if *project.suppressions != suppressions {
                project.suppressions = Arc::new(suppressions);
            }
        }
        Err(error) => eprintln!("kanwu: {error} (the ignored occurrences read before stay in force)"),
    }
    let after = (project.config.clone(), project.error.clone(), project.suppressions.clone(), project.pending_ignores.clone());
    before.0 != after.0 || before.1 != after.1 || before.2 != after.2 || before.3 != after.3
}

impl Session {
    /// Resolves each open page's project again and reloads every project; returns whether the
    /// configuration in force changed (the generation is then bumped).
    pub fn reload_all(&mut self) -> bool {
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
        let roots: Vec<PathBuf> = self.projects.keys().cloned().collect();
        for root in roots {
            let open_text = self.open_config_text(&root.join(CONFIG_FILE_NAME));
            if let Some(project) = self.projects.get_mut(&root) {
                changed |= load_project(project, open_text);
            }
            // The glossary files follow the configuration just read; their changes do not touch
            // diagnostics, so they do not count as a configuration change.
            self.reload_glossary(&root);
        }
        if changed {
            self.generation += 1;
        }
        changed
    }

    /// Makes sure the project of `root` is known and loaded; returns whether it was new.
    pub fn ensure_project(&mut self, root: &Path) -> bool {
        if self.projects.contains_key(root) {
            return false;
        }
        let mut project = Project::new(root.to_path_buf());
        let open_text = self.open_config_text(&project.toml);
        load_project(&mut project, open_text);
        self.projects.insert(root.to_path_buf(), project);
        self.reload_glossary(root);
        true
    }

    /// The files whose changes matter: each project's `kanwu.toml` and sidecar, and a
    /// `kanwu.toml` that could appear between an open page and its project root.
    pub fn watched_files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = Vec::new();
        for project in self.projects.values() {
            files.push(project.toml.clone());
            files.push(Suppressions::path_for(&project.root));
            files.extend(crate::glossary_state::glossary_paths(project));
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
        let changed = self.lock().reload_all();
        self.settle(changed).await;
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
