//! An in-memory vendor for unit tests of `apply`, `reconcile` and the daemon loop: a world of
//! users that the [`Provider`] calls read and change, for any [`Schema`], with switches for the
//! failures the executor must survive (a write that fails, a create whose answer is lost, a
//! call that waits), and a log of every call.
//!
//! Test-only. It models a vendor that does exactly what the plan asks; no wire format.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use secrecy::SecretString;

use crate::model::{ActualUser, DesiredUser, Schema, Set, Value, normalise_key};
use crate::plan::{Create, Membership, Update, UserRef};

use super::{Applied, Provider, ProviderError};

/// What the fake does wrong, by user key.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    /// Writes to these users fail with a definite vendor error.
    pub fail: BTreeSet<String>,
    /// Creates of these users happen, but the answer is lost (once each).
    pub lose_create: BTreeSet<String>,
    /// Fetches fail while this is set.
    pub fetch_error: Option<ProviderError>,
}

#[derive(Debug)]
pub(crate) struct Fake {
    schema: Schema,
    world: Mutex<BTreeMap<String, ActualUser>>,
    pub faults: Mutex<Faults>,
    /// Every call, e.g. `create ana@x.io`, in the order they happened.
    pub calls: Mutex<Vec<String>>,
    next_id: AtomicU64,
}

impl Fake {
    pub(crate) fn new(schema: Schema, users: Vec<ActualUser>) -> Self {
        Fake {
            schema,
            world: Mutex::new(users.into_iter().map(|u| (u.id.clone(), u)).collect()),
            faults: Mutex::default(),
            calls: Mutex::default(),
            next_id: AtomicU64::new(10_000),
        }
    }

    /// The world now, sorted by key.
    pub(crate) fn users(&self) -> Vec<ActualUser> {
        let mut users: Vec<ActualUser> = self.world.lock().unwrap().values().cloned().collect();
        users.sort_by(|a, b| a.key.cmp(&b.key));
        users
    }

    pub(crate) fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }

    fn log(&self, call: String) {
        self.calls.lock().unwrap().push(call);
    }

    fn check(&self, key: &str) -> Result<(), ProviderError> {
        if self.faults.lock().unwrap().fail.contains(key) {
            return Err(ProviderError::Vendor {
                endpoint: "fake".into(),
                status: 400,
                message: format!("refused {key}"),
            });
        }
        Ok(())
    }

    fn identity(&self) -> Option<&'static str> {
        self.schema
            .fields
            .iter()
            .find(|f| f.identity)
            .map(|f| f.name)
    }

    fn change(&self, user: &mut ActualUser, field: &str, to: &Value) {
        match (user.fields.get_mut(field), to) {
            // Vendors change only the map keys they are given.
            (Some(Value::Map(have)), Value::Map(want)) => {
                have.extend(want.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            _ => {
                user.fields.insert(field, to.clone());
            }
        }
        if Some(field) == self.identity()
            && let Some(t) = to.as_text()
        {
            user.key = normalise_key(t);
        }
    }
}

impl Provider for Fake {
    async fn fetch(&self, _desired: &[DesiredUser]) -> Result<Vec<ActualUser>, ProviderError> {
        self.log("fetch".into());
        if let Some(e) = &self.faults.lock().unwrap().fetch_error {
            return Err(e.clone());
        }
        Ok(self.users())
    }

    async fn find(&self, create: &Create) -> Result<Option<ActualUser>, ProviderError> {
        self.log(format!("find {}", create.user.key));
        Ok(self.users().into_iter().find(|u| u.key == create.user.key))
    }

    async fn create(
        &self,
        create: &Create,
        _password: Option<SecretString>,
    ) -> Result<Applied, ProviderError> {
        let key = &create.user.key;
        self.log(format!("create {key}"));
        self.check(key)?;
        let mut world = self.world.lock().unwrap();
        if world.values().any(|u| &u.key == key) {
            return Err(ProviderError::Vendor {
                endpoint: "fake".into(),
                status: 409,
                message: format!("{key} exists"),
            });
        }
        let id = self.next_id.fetch_add(1, Ordering::SeqCst).to_string();
        world.insert(
            id.clone(),
            ActualUser {
                id,
                key: key.clone(),
                fields: create.fields.clone(),
            },
        );
        drop(world);
        if self.faults.lock().unwrap().lose_create.remove(key) {
            return Err(ProviderError::Transport {
                endpoint: "fake".into(),
                detail: "answer lost".into(),
                maybe_sent: true,
            });
        }
        Ok(Applied::Confirmed)
    }

    async fn update(&self, update: &Update) -> Result<Applied, ProviderError> {
        self.log(format!("update {}", update.user.key));
        self.check(&update.user.key)?;
        let mut world = self.world.lock().unwrap();
        let Some(user) = world.get_mut(update.user.vendor_id()) else {
            return Err(ProviderError::Vendor {
                endpoint: "fake".into(),
                status: 404,
                message: "no such user".into(),
            });
        };
        for c in &update.changes {
            self.change(user, &c.field, &c.to);
        }
        Ok(Applied::Confirmed)
    }

    async fn membership(&self, change: &Membership) -> Result<Applied, ProviderError> {
        self.log(format!("{} {}", change.field, change.collection));
        let mut world = self.world.lock().unwrap();
        for (users, join) in [(&change.join, true), (&change.leave, false)] {
            for u in users {
                let Some(user) = world.get_mut(u.vendor_id()) else {
                    continue;
                };
                let set = user
                    .fields
                    .get_or_insert_with(change.field.clone(), || Value::Set(Set::new()));
                if let Value::Set(s) = set {
                    if join {
                        s.insert(change.collection.clone());
                    } else {
                        s.remove(&change.collection);
                    }
                }
            }
        }
        Ok(Applied::Confirmed)
    }

    async fn delete(&self, user: &UserRef) -> Result<Applied, ProviderError> {
        self.log(format!("delete {}", user.key));
        self.check(&user.key)?;
        self.world.lock().unwrap().remove(user.vendor_id());
        Ok(Applied::Confirmed)
    }
}
