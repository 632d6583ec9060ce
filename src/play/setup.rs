//! The page's choices, read by `stepwise train`'s own parser, so the page accepts what the
//! command line accepts, refuses it with the same words, and shows the command that trains the
//! same run in a terminal. And the only files the page may train on: the ones the user named.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use anyhow::{bail, Result};
use clap::Parser;

use crate::config::{command_line, TrainConfig};
use crate::data::builtin::Builtin;
use crate::data::Shipped;

/// The largest CSV the page may upload.
pub const MOST_UPLOAD_BYTES: usize = 16 << 20;
/// Uploads kept at once; an older one is forgotten (and its copy deleted).
const MOST_UPLOADS: usize = 16;

#[derive(Parser, Debug)]
#[command(
    name = "stepwise train",
    no_binary_name = true,
    disable_help_flag = true
)]
struct PageArgs {
    #[command(flatten)]
    config: TrainConfig,
}

/// A run the page asked for.
#[derive(Debug)]
pub struct Setup {
    /// With `dataset` where the data really is.
    pub config: TrainConfig,
    /// `stepwise train …` as the page asked it, with the data as the user named it.
    pub command: String,
    /// The data's short name, for the folder "save" writes: `artifacts/play-<name>`.
    pub name: String,
    /// The data as the user named it (an upload's file name, not where the server keeps it).
    pub dataset: String,
}

/// The files the page can train on: the one `stepwise play --dataset FILE` named, and the
/// CSVs uploaded in the page (kept in a folder of the server's own).
pub struct Files {
    named: Option<PathBuf>,
    folder: PathBuf,
    uploads: Mutex<Vec<(String, PathBuf)>>,
    count: AtomicU64,
}

impl Files {
    pub fn new(named: Option<PathBuf>) -> Result<Files> {
        // A folder per server: two in one process (the tests) must not remove each other's.
        static SERVERS: AtomicU64 = AtomicU64::new(0);
        let server = SERVERS.fetch_add(1, Ordering::Relaxed);
        let name = format!("stepwise-play-{}-{server}", std::process::id());
        let folder = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&folder)?;
        Ok(Files {
            named,
            folder,
            uploads: Mutex::new(Vec::new()),
            count: AtomicU64::new(0),
        })
    }

    /// The name the page shows for the file `--dataset` named.
    pub fn named(&self) -> Option<String> {
        self.named.as_deref().map(display_name)
    }

    /// Keeps an uploaded CSV under `name` (its file name, as the page gave it).
    pub fn upload(&self, name: &str, bytes: &[u8]) -> Result<String> {
        let name = display_name(Path::new(name));
        if !name.to_ascii_lowercase().ends_with(".csv") {
            bail!("'{name}' is not a .csv file: the page reads CSV files with a header row");
        }
        let mut uploads = self.uploads.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(same) = uploads.iter().position(|(kept, _)| *kept == name) {
            let (_, older) = uploads.remove(same);
            std::fs::remove_file(older).ok();
        }
        let number = self.count.fetch_add(1, Ordering::Relaxed);
        let path = self.folder.join(format!("{number}-{name}"));
        std::fs::write(&path, bytes)?;
        uploads.push((name.clone(), path));
        if uploads.len() > MOST_UPLOADS {
            let (_, oldest) = uploads.remove(0);
            std::fs::remove_file(oldest).ok();
        }
        Ok(name)
    }

    /// Where the data the page calls `name` is: a built-in or shipped set by its name, else a
    /// file the user named. Nothing else is read.
    fn resolve(&self, name: &str) -> Result<String> {
        if Builtin::from_name(name).is_some() || Shipped::named(name).is_some() {
            return Ok(name.to_string());
        }
        if let Some(named) = self
            .named
            .as_ref()
            .filter(|path| display_name(path) == name)
        {
            return Ok(named.display().to_string());
        }
        let uploads = self.uploads.lock().unwrap_or_else(|e| e.into_inner());
        match uploads.iter().find(|(kept, _)| kept == name) {
            Some((_, path)) => Ok(path.display().to_string()),
            None => bail!(
                "the page trains on the built-in sets, iris, digits, a CSV uploaded in the page, \
                 or the file `stepwise play --dataset FILE` names; '{name}' is none of them"
            ),
        }
    }

    /// The page's arguments as a run: parsed as `stepwise train` parses them.
    pub fn setup(&self, arguments: &[String]) -> Result<Setup> {
        let parsed = PageArgs::try_parse_from(arguments).map_err(|err| {
            let text = err.render().to_string();
            anyhow::anyhow!("{}", text.trim().trim_start_matches("error: "))
        })?;
        let mut config = parsed.config;
        // The page reads no file but the data: weights from a file are for `stepwise train`.
        if config.init_from.is_some() {
            bail!("the page starts from random weights; --init-from FILE is for stepwise train");
        }
        let shown = config.dataset.clone();
        config.dataset = self.resolve(&shown)?;
        let name = Path::new(&shown)
            .file_stem()
            .map_or_else(|| "data".into(), |stem| stem.to_string_lossy().into_owned());
        Ok(Setup {
            config,
            command: command_line("train", arguments),
            name,
            dataset: shown,
        })
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.folder).ok();
    }
}

/// A file's name without its folders: what the page shows and the user recognises.
fn display_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || "data.csv".into(),
        |name| name.to_string_lossy().into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        line.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn the_page_is_read_as_the_command_line_and_shows_it() {
        let files = Files::new(None).unwrap();
        let setup = files
            .setup(&words("--dataset moons --hidden 8,8 --lr 0.1 --seed 3"))
            .unwrap();
        assert_eq!(setup.config.hidden, [8, 8]);
        assert_eq!(setup.config.seed, 3);
        assert_eq!(
            setup.command,
            "stepwise train --dataset moons --hidden 8,8 --lr 0.1 --seed 3"
        );
        let err = files
            .setup(&words("--dataset moons --lr fast"))
            .unwrap_err();
        assert!(err.to_string().contains("--lr"), "{err}");
    }

    #[test]
    fn a_server_that_ends_leaves_the_uploads_of_another_in_the_same_process() {
        let first = Files::new(None).unwrap();
        drop(Files::new(None).unwrap());
        assert!(first.upload("mine.csv", b"x,y\n1,2\n").is_ok());
    }

    #[test]
    fn the_page_cannot_read_a_file_no_one_named() {
        let files = Files::new(None).unwrap();
        let err = files.setup(&words("--dataset /etc/passwd")).unwrap_err();
        assert!(err.to_string().contains("none of them"), "{err}");
        let err = files.setup(&words("--init-from /etc/passwd")).unwrap_err();
        assert!(
            err.to_string().contains("starts from random weights"),
            "{err}"
        );
        let name = files.upload("mine.csv", b"x,y\n1,2\n").unwrap();
        let setup = files.setup(&words("--dataset mine.csv")).unwrap();
        assert_eq!(name, "mine.csv");
        assert!(setup.config.dataset.ends_with("mine.csv"));
        assert_eq!(setup.command, "stepwise train --dataset mine.csv");
        assert!(files.upload("notes.txt", b"").is_err());
    }
}
