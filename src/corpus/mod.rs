//! The corpus: documents, themes (and, later, personas) read from a folder of
//! Markdown and TOML files, validated with diagnostics a teacher can act on.
//!
//! This module knows nothing about the index or the web: it turns files into
//! plain structs and reports what is wrong with them. The same loader serves
//! `bubbla check` and the server, so a file `check` accepts is a file the
//! server loads, and a broken file is skipped (and logged) while the rest loads.

mod diagnostic;
mod document;
pub mod id;
pub mod personas;
pub mod stats;
mod themes;
mod toml_util;

pub use diagnostic::{Diagnostic, Diagnostics, Severity};
pub use document::{
    Document, MAX_TITLE_CHARS, ParseContext, format_date, markdown_to_text, parse_date,
    parse_document, render_markdown,
};
pub use personas::Persona;
pub use themes::{Labels, Perspective, Queries, Theme};

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Default limit for a document's body.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// File names in the corpus folder that are not documents.
pub const THEMES_FILE: &str = "themes.toml";
pub const PERSONAS_FILE: &str = "personas.toml";
/// The ranking algorithms (read by `rank::algorithm`).
pub const ALGORITHMS_FILE: &str = "algorithms.toml";

/// How to load a corpus.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub max_body_bytes: usize,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

/// The valid part of a corpus.
#[derive(Debug, Default)]
pub struct Corpus {
    pub root: PathBuf,
    pub docs: Vec<Document>,
    pub themes: Vec<Theme>,
    /// From `personas.toml`; empty when there is none.
    pub personas: Vec<Persona>,
    /// Looked up for every document of every recorded event a profile or
    /// meter reads, so with a fast hash (the ids are the corpus's own, not
    /// chosen by a visitor).
    by_id: HashMap<String, usize, foldhash::fast::RandomState>,
}

impl Corpus {
    /// Builds a corpus from already valid parts (used by tests and importers).
    pub fn from_parts(root: PathBuf, docs: Vec<Document>, themes: Vec<Theme>) -> Corpus {
        let by_id = docs
            .iter()
            .enumerate()
            .map(|(i, d)| (d.id.clone(), i))
            .collect();
        Corpus {
            root,
            docs,
            themes,
            personas: Vec::new(),
            by_id,
        }
    }

    pub fn get(&self, id: &str) -> Option<&Document> {
        self.by_id.get(id).map(|&i| &self.docs[i])
    }

    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    pub fn theme(&self, id: &str) -> Option<&Theme> {
        self.themes.iter().find(|t| t.id == id)
    }

    /// A perspective's label in `lang` and its colour, as pages show it;
    /// its id and grey when the theme does not declare it.
    pub fn perspective_look(
        &self,
        lang: crate::lang::Lang,
        theme: &str,
        perspective: &str,
    ) -> (String, String) {
        match self.theme(theme).and_then(|t| t.perspective(perspective)) {
            Some(p) => (p.label.get(lang).to_string(), p.colour.clone()),
            None => (perspective.to_string(), "#777777".to_string()),
        }
    }
}

/// A loaded corpus and everything found wrong on the way.
#[derive(Debug)]
pub struct Loaded {
    pub corpus: Corpus,
    pub diagnostics: Diagnostics,
}

/// A file of the corpus folder, as the index fingerprint sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStamp {
    pub rel_path: String,
    pub size: u64,
    pub mtime_ns: u128,
}

/// The files that make up a corpus (documents and TOML files), sorted by
/// path. README files document a folder and are not documents.
pub fn corpus_files(root: &Path) -> std::io::Result<Vec<(PathBuf, String)>> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = entry.map_err(std::io::Error::other)?;
        let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
        let hidden = rel
            .components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
        if hidden || !entry.file_type().is_file() {
            continue;
        }
        let rel_str = rel.to_string_lossy().replace('\\', "/");
        files.push((entry.path().to_path_buf(), rel_str));
    }
    Ok(files)
}

fn is_readme(rel: &str) -> bool {
    rel.rsplit('/')
        .next()
        .is_some_and(|n| n.eq_ignore_ascii_case("readme.md"))
}

/// Stamps (path, size, mtime) of every corpus file, for change detection.
pub fn stamps(root: &Path) -> std::io::Result<Vec<FileStamp>> {
    corpus_files(root)?
        .into_iter()
        .map(|(path, rel_path)| {
            let meta = std::fs::metadata(&path)?;
            let mtime_ns = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            Ok(FileStamp {
                rel_path,
                size: meta.len(),
                mtime_ns,
            })
        })
        .collect()
}

/// Loads every document of `root`, validating each, and reports all problems.
/// Never fails as a whole except when `root` cannot be read at all.
pub fn load(root: &Path, opts: &LoadOptions) -> std::io::Result<Loaded> {
    if !root.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!(
                "corpus folder `{}` not found (set it with --corpus or BUBBLA_CORPUS)",
                root.display()
            ),
        ));
    }
    let display = |rel: &str| root.join(rel).to_string_lossy().into_owned();
    let mut diags = Diagnostics::default();

    let themes = read_themes(root, &mut diags);
    let ctx = document::ParseContext {
        themes: themes.as_deref(),
        max_body_bytes: opts.max_body_bytes,
    };

    let mut docs: Vec<Document> = Vec::new();
    let mut first_path_of: HashMap<String, String> = HashMap::new();
    for (path, rel) in corpus_files(root)? {
        let is_md = rel.to_ascii_lowercase().ends_with(".md");
        if !is_md {
            if ![THEMES_FILE, PERSONAS_FILE, ALGORITHMS_FILE].contains(&rel.as_str()) {
                diags.push(
                    Diagnostic::warning(
                        display(&rel),
                        None,
                        "ignored: not a Markdown (.md) document",
                    )
                    .hint("documents are .md files; move other files out of the corpus folder"),
                );
            }
            continue;
        }
        if is_readme(&rel) {
            continue;
        }
        let stem = rel.rsplit('/').next().unwrap_or(&rel);
        let stem = &stem[..stem.len() - 3];
        let doc_id = id::normalize_id(stem);
        if let Some(c) = id::invalid_id_char(&doc_id) {
            diags.push(
                Diagnostic::error(display(&rel), None, format!("the file name gives the id `{doc_id}`, which contains `{c}`"))
                    .hint("rename the file using letters, digits and `-` only (the id is the file name without .md)"),
            );
            continue;
        }
        if doc_id.is_empty() {
            diags.push(
                Diagnostic::error(display(&rel), None, "the file name gives an empty id")
                    .hint("give the file a name"),
            );
            continue;
        }
        if let Some(first) = first_path_of.get(&doc_id) {
            diags.push(
                Diagnostic::error(display(&rel), Some(1), format!("duplicate id `{doc_id}`: also used by {}", display(first)))
                    .hint("ids come from file names (lower-cased, spaces as `-`); rename one of the two files"),
            );
            continue;
        }
        first_path_of.insert(doc_id.clone(), rel.clone());
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                diags.push(Diagnostic::error(
                    display(&rel),
                    None,
                    format!("cannot read: {e}"),
                ));
                continue;
            }
        };
        if let Some(doc) =
            document::parse_document(&display(&rel), &rel, &doc_id, &bytes, &ctx, &mut diags)
        {
            docs.push(doc);
        }
    }

    check_links(&docs, &display, &mut diags);
    let themes = themes.unwrap_or_default();
    let personas = match std::fs::read_to_string(root.join(PERSONAS_FILE)) {
        Ok(text) => {
            let ids: HashSet<&str> = docs.iter().map(|d| d.id.as_str()).collect();
            personas::parse_personas(
                &display(PERSONAS_FILE),
                text.strip_prefix('\u{feff}').unwrap_or(&text),
                &themes,
                &ids,
                &mut diags,
            )
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => {
            diags.push(
                Diagnostic::error(display(PERSONAS_FILE), None, format!("cannot read: {e}"))
                    .hint("save it as UTF-8 text"),
            );
            Vec::new()
        }
    };
    let mut corpus = Corpus::from_parts(root.to_path_buf(), docs, themes);
    corpus.personas = personas;
    Ok(Loaded {
        corpus,
        diagnostics: diags,
    })
}

/// Reads `themes.toml` of a corpus folder. `None` when it is missing or
/// unreadable (reported in `diags`).
pub fn read_themes(root: &Path, diags: &mut Diagnostics) -> Option<Vec<Theme>> {
    let display = root.join(THEMES_FILE).to_string_lossy().into_owned();
    match std::fs::read(root.join(THEMES_FILE)) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some(themes::parse_themes(
                &display,
                text.strip_prefix('\u{feff}').unwrap_or(&text),
                diags,
            )),
            Err(_) => {
                diags.push(
                    Diagnostic::error(display, None, "not valid UTF-8")
                        .hint("save the file with UTF-8 encoding"),
                );
                None
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            diags.push(
                Diagnostic::error(display, None, "themes file not found")
                    .hint("create themes.toml with at least one [[theme]] and its perspectives; documents are loaded without theme checks until then"),
            );
            None
        }
        Err(e) => {
            diags.push(Diagnostic::error(
                display,
                None,
                format!("cannot read: {e}"),
            ));
            None
        }
    }
}

/// Warnings about the link graph: links to documents that do not exist, and
/// documents that no other document links to.
fn check_links(docs: &[Document], display: &dyn Fn(&str) -> String, diags: &mut Diagnostics) {
    let ids: HashSet<&str> = docs.iter().map(|d| d.id.as_str()).collect();
    let mut linked: HashSet<&str> = HashSet::new();
    for d in docs {
        for target in &d.links {
            if target == &d.id {
                continue;
            }
            if ids.contains(target.as_str()) {
                linked.insert(target);
            } else {
                diags.push(
                    Diagnostic::warning(display(&d.path), d.links_line, format!("link to `{target}`, which is not a document of the corpus"))
                        .hint("check the spelling: a link is the target's file name without .md, lower-cased"),
                );
            }
        }
    }
    if docs.len() < 2 {
        return;
    }
    for d in docs {
        if !linked.contains(d.id.as_str()) {
            diags.push(
                Diagnostic::warning(display(&d.path), None, format!("no other document links to `{}`", d.id))
                    .hint("it cannot gain link authority; add its id to another document's `links` unless it is meant to stand alone"),
            );
        }
    }
}
