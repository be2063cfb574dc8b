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
/// Missing built-in groups and `Everyone` memberships are added, not refused.
pub(crate) fn from_json(bytes: &[u8]) -> anyhow::Result<World> {
    let mut world: World = serde_json::from_slice(bytes).context("parse world json")?;
    world.complete();
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
        Subject::World => "world".to_owned(),
        Subject::Group(i) => format!("groups[{i}]"),
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
        let world = seed::parse("users:\n  - { email: a@x.com, password: long enough }\n").unwrap();
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
            org: "saved".to_owned(),
            ..World::default()
        };
        store.save(&saved).await.unwrap();
        let sources = Sources {
            state: Some(&store),
            seed_file: None,
            seed_text: Some("org: seeded\n"),
        };
        assert_eq!(initial_world(sources).await.unwrap().org, "saved");
    }

    #[test]
    fn minimal_json_gets_built_in_groups_and_inconsistencies_name_the_entry() {
        let json = br#"{"org":"acme","partition_global_id":"6b3a7e1c-0d3f-4c55-9a5e-3d0f1b2c4a11",
            "groups":[],"users":[]}"#;
        assert_eq!(from_json(json).unwrap(), World::default());
        let json = br#"{"org":"acme","partition_global_id":"6b3a7e1c-0d3f-4c55-9a5e-3d0f1b2c4a11",
            "groups":[],"users":[{"id":"6b3a7e1c-0d3f-4c55-9a5e-3d0f1b2c4a12","user_name":"a",
            "creation_time":"2024-01-01T00:00:00Z","legacy_id":1,"is_active":true,
            "group_ids":["6b3a7e1c-0d3f-4c55-9a5e-3d0f1b2c4a13"]}]}"#;
        let err = from_json(json).unwrap_err().to_string();
        assert_eq!(
            err,
            "inconsistent world: users[0]: unknown group 6b3a7e1c-0d3f-4c55-9a5e-3d0f1b2c4a13"
        );
    }
}
