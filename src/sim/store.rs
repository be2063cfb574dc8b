//! The simulators' only contact with the file system: reads the seed and the state file, and
//! rewrites the state file atomically (temporary file in the same directory, then rename).
//!
//! Generic over a vendor's world through [`World`]; it neither decides what a world looks
//! like nor validates requests.

use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::io::AsyncWriteExt as _;

use super::problem::{Problem, Problems};
use super::seed::Seeded;

/// What the store needs of a vendor's world: its state-file shape (serde), its seed, and its
/// consistency checks.
pub(crate) trait World: Seeded + Serialize + DeserializeOwned + Default {
    /// What a consistency problem is about.
    type Subject: Copy;

    /// Where a subject is in the state-file shape, e.g. `users[3]`.
    fn path(subject: Self::Subject) -> String;

    /// Finds every consistency problem, in the order the world lists things.
    fn check(&self, problems: &mut Problems<Self::Subject>);

    /// Every consistency problem, in the order the world lists things.
    fn problems(&self) -> Vec<Problem<Self::Subject>> {
        let mut problems = Problems::default();
        self.check(&mut problems);
        problems.into_vec()
    }

    /// Adds what a stored world may leave out; by default nothing.
    fn complete(&mut self) {}

    /// Brings a consistent world into its one normal form.
    fn normalise(&mut self);

    /// Whether every change to this world checks everything before it changes anything, so
    /// that a refused change leaves the world as it was. Then, without a state file (where
    /// nothing can fail to save), `Kept::write` changes the world in place instead of a copy.
    const CHECKS_BEFORE_CHANGING: bool = false;
}

/// Where a world is kept between runs.
#[derive(Debug)]
pub(crate) struct Store<W> {
    path: PathBuf,
    world: PhantomData<fn() -> W>,
}

impl<W: World> Store<W> {
    pub(crate) fn new(path: PathBuf) -> Self {
        Self {
            path,
            world: PhantomData,
        }
    }

    /// The stored world, or `None` when the file does not exist yet.
    pub(crate) async fn load(&self) -> anyhow::Result<Option<W>> {
        let bytes = match tokio::fs::read(&self.path).await {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => {
                return Err(err).with_context(|| format!("read {}", self.path.display()));
            }
        };
        let world = from_json(&bytes).with_context(|| format!("read {}", self.path.display()))?;
        Ok(Some(world))
    }

    /// Replaces the file with `world`; readers see the old or the new file, never a mix.
    pub(crate) async fn save(&self, world: &W) -> anyhow::Result<()> {
        let mut json = serde_json::to_vec_pretty(world).context("serialise world")?;
        json.push(b'\n');
        let file_name = self.path.file_name().unwrap_or_default().to_string_lossy();
        let temp = self
            .path
            .with_file_name(format!(".{file_name}.tmp-{}", std::process::id()));
        let written = async {
            let mut file = tokio::fs::File::create(&temp).await?;
            file.write_all(&json).await?;
            file.sync_all().await?;
            tokio::fs::rename(&temp, &self.path).await
        }
        .await;
        if written.is_err() {
            // Best effort: the temporary file is useless once the write failed.
            let _ = tokio::fs::remove_file(&temp).await;
        }
        written.with_context(|| format!("write {}", self.path.display()))
    }
}

/// Parses and checks a world in the state-file shape (also the body of `PUT /_sim/state`).
pub(crate) fn from_json<W: World>(bytes: &[u8]) -> anyhow::Result<W> {
    let mut world: W = serde_json::from_slice(bytes).context("parse world json")?;
    world.complete();
    let problems = world.problems();
    if !problems.is_empty() {
        let lines: Vec<String> = problems.iter().map(|p| p.describe(W::path)).collect();
        anyhow::bail!("inconsistent world: {}", lines.join("; "));
    }
    world.normalise();
    Ok(world)
}

/// Where the world at start-up comes from, in order of preference.
pub(crate) struct Sources<'a, W> {
    pub(crate) state: Option<&'a Store<W>>,
    pub(crate) seed_file: Option<&'a Path>,
    pub(crate) seed_text: Option<&'a str>,
}

/// The state file if it exists, else the seed file, else the inline seed, else the default.
pub(crate) async fn initial_world<W: World>(sources: Sources<'_, W>) -> anyhow::Result<W> {
    if let Some(store) = sources.state
        && let Some(world) = store.load().await?
    {
        return Ok(world);
    }
    if let Some(path) = sources.seed_file {
        let text = tokio::fs::read_to_string(path)
            .await
            .with_context(|| format!("read seed {}", path.display()))?;
        return W::from_seed(&text).with_context(|| format!("read seed {}", path.display()));
    }
    if let Some(text) = sources.seed_text {
        return W::from_seed(text).context("read inline seed");
    }
    Ok(W::default())
}

/// What every vendor's world must do with the shared store, for each vendor's tests.
#[cfg(test)]
pub(crate) mod checks {
    use std::fmt::Debug;

    use super::{Sources, Store, World, from_json, initial_world};

    /// Saving `world` twice and loading it gives it back, and leaves no temporary file.
    pub(crate) async fn round_trips<W: World + PartialEq + Debug>(world: W) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::<W>::new(dir.path().join("state.json"));
        assert_eq!(store.load().await.unwrap(), None);
        store.save(&world).await.unwrap();
        store.save(&world).await.unwrap();
        assert_eq!(store.load().await.unwrap(), Some(world));
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["state.json"]);
    }

    /// Saves `saved`, then answers the world a start with the seed `seed` begins with.
    pub(crate) async fn state_file_wins<W: World>(saved: &W, seed: &str) -> W {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::<W>::new(dir.path().join("state.json"));
        store.save(saved).await.unwrap();
        let sources = Sources {
            state: Some(&store),
            seed_file: None,
            seed_text: Some(seed),
        };
        initial_world(sources).await.unwrap()
    }

    /// Why `json` is refused as a world.
    pub(crate) fn refused<W: World + Debug>(json: &[u8]) -> String {
        from_json::<W>(json).unwrap_err().to_string()
    }
}
