//! One running simulator's world behind a lock, and where it is saved. Every change is made
//! to a copy and saved before it becomes the world, so an answered write is on disk and a
//! refused or unsaved change leaves no trace.
//!
//! It knows nothing of HTTP or wire shapes: a vendor says how an unsaved change is answered
//! through `From<Unsaved>` on its refusal type `R`.

use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use super::store::{self, Sources, Store, World};

/// The state file could not be written, so the change was not made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unsaved;

/// The world of one running simulator, refusing changes with `R`.
#[derive(Debug)]
pub(crate) struct Kept<W, R> {
    world: tokio::sync::Mutex<W>,
    store: Option<Store<W>>,
    refusal: PhantomData<fn() -> R>,
}

impl<W: World + Clone, R: From<Unsaved>> Kept<W, R> {
    /// The world at start-up (see [`store::initial_world`]), saved at once when it is kept in
    /// `state`, so that a bad state path fails the start rather than the first write.
    pub(crate) async fn open(
        state: Option<PathBuf>,
        seed_file: Option<&Path>,
        seed_text: Option<&str>,
    ) -> anyhow::Result<Self> {
        let store = state.map(Store::new);
        let sources = Sources {
            state: store.as_ref(),
            seed_file,
            seed_text,
        };
        let world = store::initial_world(sources).await?;
        if let Some(store) = &store {
            store.save(&world).await?;
        }
        Ok(Self {
            world: tokio::sync::Mutex::new(world),
            store,
            refusal: PhantomData,
        })
    }

    pub(crate) async fn read<T>(&self, look: impl FnOnce(&W) -> T) -> T {
        look(&*self.world.lock().await)
    }

    pub(crate) async fn snapshot(&self) -> W {
        self.world.lock().await.clone()
    }

    /// Applies `change` to a copy, saves the copy, then makes it the world: a refused or
    /// unsaved change leaves no trace. A world whose changes check before they change
    /// ([`World::CHECKS_BEFORE_CHANGING`]) and that has no state file is changed in place:
    /// copying a world of 100,000 users per write made the simulator, not the client, the
    /// bottleneck of the benchmark.
    pub(crate) async fn write<T, E>(
        &self,
        change: impl FnOnce(&mut W) -> Result<T, E>,
    ) -> Result<T, R>
    where
        R: From<E>,
    {
        let mut world = self.world.lock().await;
        if W::CHECKS_BEFORE_CHANGING && self.store.is_none() {
            return Ok(change(&mut world)?);
        }
        let mut next = world.clone();
        let out = change(&mut next)?;
        self.save(&next).await?;
        *world = next;
        Ok(out)
    }

    /// Makes `next` the world once it is saved.
    pub(crate) async fn replace(&self, next: W) -> Result<(), Unsaved> {
        let mut world = self.world.lock().await;
        self.save(&next).await?;
        *world = next;
        Ok(())
    }

    async fn save(&self, world: &W) -> Result<(), Unsaved> {
        let Some(store) = &self.store else {
            return Ok(());
        };
        store.save(world).await.map_err(|err| {
            tracing::error!(error = format!("{err:#}"), "could not save simulator state");
            Unsaved
        })
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    use super::*;
    use crate::sim::problem::Problems;
    use crate::sim::seed::{SeedError, Seeded};

    /// The smallest world the store accepts: a list of numbers.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    struct Numbers(Vec<u64>);

    impl World for Numbers {
        type Subject = usize;

        fn path(i: usize) -> String {
            format!("[{i}]")
        }

        fn check(&self, _: &mut Problems<usize>) {}

        fn normalise(&mut self) {}
    }

    impl Seeded for Numbers {
        fn from_seed(text: &str) -> Result<Self, SeedError> {
            crate::sim::seed::read(text).map(Numbers)
        }
    }

    #[derive(Debug, PartialEq, Eq)]
    enum Refused {
        Odd,
        Unsaved,
    }

    impl From<Unsaved> for Refused {
        fn from(Unsaved: Unsaved) -> Self {
            Self::Unsaved
        }
    }

    fn push_even(n: u64) -> impl FnOnce(&mut Numbers) -> Result<usize, Refused> {
        move |w| {
            if n % 2 == 1 {
                return Err(Refused::Odd);
            }
            w.0.push(n);
            Ok(w.0.len())
        }
    }

    #[tokio::test]
    async fn a_refused_change_leaves_no_trace() {
        let kept = Kept::<Numbers, Refused>::open(None, None, Some("[2]"))
            .await
            .unwrap();
        assert_eq!(kept.write(push_even(4)).await, Ok(2));
        assert_eq!(kept.write(push_even(5)).await, Err(Refused::Odd));
        assert_eq!(kept.snapshot().await, Numbers(vec![2, 4]));
    }

    #[tokio::test]
    async fn a_change_is_saved_before_it_is_made() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state.json");
        let kept = Kept::<Numbers, Refused>::open(Some(state.clone()), None, Some("[2]"))
            .await
            .unwrap();
        assert_eq!(std::fs::read_to_string(&state).unwrap(), "[\n  2\n]\n");
        assert_eq!(kept.write(push_even(4)).await, Ok(2));
        assert!(std::fs::read_to_string(&state).unwrap().contains('4'));

        dir.close().unwrap();
        assert_eq!(kept.write(push_even(6)).await, Err(Refused::Unsaved));
        assert_eq!(kept.replace(Numbers(vec![8])).await, Err(Unsaved));
        assert_eq!(kept.read(|w| w.0.clone()).await, [2, 4]);
    }
}
