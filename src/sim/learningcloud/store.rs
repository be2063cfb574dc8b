//! The simulator's only contact with the file system: reads the seed and the state file, and
//! rewrites the state file atomically (temporary file in the same directory, then rename).
//!
//! It neither decides what the world looks like nor validates requests.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use tokio::io::AsyncWriteExt as _;

use super::seed;
use super::world::{Subject, World};

/// Where the world is kept between runs.
#[derive(Debug, Clone)]
pub(crate) struct Store {
    path: PathBuf,
}

impl Store {
    pub(crate) fn new(path: PathBuf) -> Self {
        Self { path }
    }

    /// The stored world, or `None` when the file does not exist yet.
    pub(crate) async fn load(&self) -> anyhow::Result<Option<World>> {
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
    pub(crate) async fn save(&self, world: &World) -> anyhow::Result<()> {
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
pub(crate) fn from_json(bytes: &[u8]) -> anyhow::Result<World> {
    let mut world: World = serde_json::from_slice(bytes).context("parse world json")?;
    let problems = world.problems();
    if !problems.is_empty() {
        let lines: Vec<String> = problems
            .iter()
            .map(|p| match p.first {
                Some(first) => format!(
                    "{}: {} (first at {})",
                    path(p.subject),
                    p.message,
                    path(first)
                ),
                None => format!("{}: {}", path(p.subject), p.message),
            })
            .collect();
        anyhow::bail!("inconsistent world: {}", lines.join("; "));
    }
    world.normalise();
    Ok(world)
}

fn path(subject: Subject) -> String {
    match subject {
        Subject::ExtendedField(i) => format!("extended_fields[{i}]"),
        Subject::User(i) => format!("users[{i}]"),
    }
}

/// Where the world at start-up comes from, in order of preference.
pub(crate) struct Sources<'a> {
    pub(crate) state: Option<&'a Store>,
    pub(crate) seed_file: Option<&'a Path>,
    pub(crate) seed_text: Option<&'a str>,
}

/// The state file if it exists, else the seed file, else the inline seed, else the default.
pub(crate) async fn initial_world(sources: Sources<'_>) -> anyhow::Result<World> {
    if let Some(store) = sources.state
        && let Some(world) = store.load().await?
    {
        return Ok(world);
    }
    if let Some(path) = sources.seed_file {
        let text = tokio::fs::read_to_string(path)
            .await
            .with_context(|| format!("read seed {}", path.display()))?;
        return seed::parse(&text).with_context(|| format!("read seed {}", path.display()));
    }
    if let Some(text) = sources.seed_text {
        return seed::parse(text).context("read inline seed");
    }
    Ok(World::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn save_then_load_round_trips_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().join("state.json"));
        assert_eq!(store.load().await.unwrap(), None);
        let world = seed::parse("users:\n  - { username: ana, password: pw }\n").unwrap();
        store.save(&world).await.unwrap();
        store.save(&world).await.unwrap();
        assert_eq!(store.load().await.unwrap(), Some(world));
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["state.json"]);
    }

    #[tokio::test]
    async fn state_file_wins_over_seed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().join("state.json"));
        let saved = World {
            extended_fields: vec!["grade".to_owned()],
            ..World::default()
        };
        store.save(&saved).await.unwrap();
        let sources = Sources {
            state: Some(&store),
            seed_file: None,
            seed_text: Some("extended_fields: [other]\n"),
        };
        assert_eq!(
            initial_world(sources).await.unwrap().extended_fields,
            ["grade"]
        );
    }

    #[test]
    fn inconsistent_json_names_the_entry() {
        let json = br#"{"users":[{"id":"x","common_id":"ff8081818d2e4a010000000000000001",
            "username":"a","enabled":true,"roles":{"management":["user"]}}]}"#;
        let err = from_json(json).unwrap_err().to_string();
        assert_eq!(
            err,
            "inconsistent world: users[0]: id must be 32 lowercase hex digits: x"
        );
    }
}
