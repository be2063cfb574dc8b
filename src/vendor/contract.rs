//! The contract between roster's core and a vendor: the traits a vendor implements and the
//! small types they exchange. The guide to adding a vendor is in [`crate::vendor`].
//!
//! Only the contract; no vendor's knowledge, no I/O.

use std::any::Any;
use std::collections::BTreeMap;
use std::fmt::Debug;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;

use secrecy::SecretString;

use crate::apply::Stop;
use crate::config::Limits;
use crate::diag::Problem;
use crate::model::{ActualUser, DesiredUser, Fields, Schema};
use crate::plan::{Create, Membership, Update, UserRef};
use crate::yaml::{Keys, Located};

use super::{Applied, ProviderError, doctor, http};

/// A vendor, as the registry lists it.
pub trait Vendor: Sync + Debug {
    /// The `provider:` value that selects it.
    fn name(&self) -> &'static str;

    /// The keys it takes on a target besides the common ones.
    fn target_keys(&self) -> &'static [KeyDoc];

    /// The keys it takes on a manifest user besides the common ones (`id`, `password`, `ignore`).
    fn user_keys(&self) -> &'static [KeyDoc];

    /// Reads its keys of one target into validated settings. Every problem goes into `keys`
    /// (located); `None` when the settings cannot be used. Secrets are checked for presence
    /// only (see [`crate::secret::read_ref`]), never read here.
    fn target(&self, keys: &mut Keys<'_>, cx: &TargetCx<'_>) -> Option<Arc<dyn VendorTarget>>;
}

/// What a vendor may need to know while reading a target's keys.
#[derive(Clone, Copy, Debug)]
pub struct TargetCx<'a> {
    /// The target's name, for messages (`target acme: missing group_id`).
    pub name: &'a str,
    /// The target's `url`, when it is valid.
    pub url: Option<&'a reqwest::Url>,
    /// Where missing keys are reported: the target's `provider:` value.
    pub anchor: &'a crate::model::Origin,
    /// The config's folder: relative secret files start here.
    pub base_dir: &'a Path,
}

/// How `protect:` entries (and matching keys) name a vendor's users.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Identity {
    Email,
    Username,
}

/// A target's validated vendor settings: everything the core asks of the vendor.
pub trait VendorTarget: Send + Sync + Debug + Any {
    /// The fields and how each can change.
    fn schema(&self) -> &Schema;

    /// How users are named in `protect:`.
    fn identity(&self) -> Identity {
        Identity::Email
    }

    /// Reads a manifest user's vendor keys (the common keys are read already; `id` is given
    /// as written, for the vendor to check its form). Every problem goes into `keys`.
    fn user(&self, keys: &mut Keys<'_>, id: Option<Located<String>>) -> Option<UserFields>;

    /// The manifest keys and YAML values `import` writes for one live user, in reading order,
    /// without `id` (the core writes it first) and with defaults left out. Values are YAML
    /// flow scalars or collections; text must be quoted with [`crate::import::quoted`].
    fn import(&self, user: &ActualUser) -> Vec<(String, String)>;

    /// How `import` writes a user's id (a number or quoted text).
    fn import_id(&self, id: &str) -> String {
        crate::import::quoted(id)
    }

    /// Reads the credentials and builds the client.
    fn connect(&self, cx: Connect<'_>) -> anyhow::Result<Box<dyn Client>>;

    /// `roster doctor`'s checks that only the vendor knows (authentication and scopes, how
    /// paging behaves, the collections manifests name, and with `probe.write` a canary user
    /// created, changed and always removed), and what they found (see [`doctor`]). Builds its
    /// own client from `cx`. The default knows none: doctor's vendor-neutral checks still run.
    fn doctor<'a>(
        &'a self,
        _cx: Connect<'a>,
        _probe: doctor::Probe<'a>,
    ) -> BoxFuture<'a, doctor::Diagnosis> {
        Box::pin(std::future::ready(doctor::Diagnosis::default()))
    }

    /// For tests and vendor-specific code paths: the concrete settings.
    fn as_any(&self) -> &dyn Any;
}

/// A manifest user's identity and fields, as its vendor reads them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UserFields {
    /// The normalised identity (e.g. the lower-cased e-mail).
    pub key: String,
    /// The vendor id the user is bound to, normalised.
    pub id: Option<String>,
    /// The managed fields: only those the manifest sets, plus vendor defaults.
    pub fields: Fields,
    /// Members of set fields whose access ends, by field (see [`super::read::members`]); the
    /// core places their dates in the config's time zone.
    pub expiring: BTreeMap<String, BTreeMap<String, crate::model::expiry::Deadline>>,
}

/// What building a client needs.
pub struct Connect<'a> {
    pub target: &'a str,
    pub url: &'a reqwest::Url,
    pub limits: &'a Limits,
    /// The config's folder, for relative secret files.
    pub base_dir: &'a Path,
    /// Where locks live, and doctor's findings (see [`doctor::Findings`]).
    pub state_dir: &'a Path,
    pub stats: Arc<http::Stats>,
    pub stop: Stop,
}

/// One key a vendor takes, for `roster schema`, unknown-key errors and README.
#[derive(Clone, Copy, Debug)]
pub struct KeyDoc {
    pub name: &'static str,
    pub doc: &'static str,
    pub ty: KeyType,
}

/// The JSON Schema type of a key.
#[derive(Clone, Copy, Debug)]
pub enum KeyType {
    Text,
    Bool,
    UInt,
    Number,
    /// `{ env: NAME }` or `{ file: PATH }`.
    Secret,
    /// One of these words.
    OneOf(&'static [&'static str]),
    /// A vendor id: a number or text.
    Id,
    TextList,
    UIntList,
    /// A mapping of text to text.
    TextMap,
    /// A mapping of text to lists of text (e.g. role sections).
    TextListMap,
    /// A list of members, each bare or with an end (see [`super::read::members`]).
    Members(super::read::Member),
}

impl KeyDoc {
    pub const fn new(name: &'static str, ty: KeyType, doc: &'static str) -> Self {
        KeyDoc { name, doc, ty }
    }
}

/// A boxed future, for the object-safe [`Client`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A vendor's user API.
///
/// Every method makes its own bounded retries for errors that retrying can fix; what it
/// returns is final for this attempt.
pub trait Provider: Send + Sync {
    /// Every user in scope for these desired users. Never an empty list in place of an error.
    fn fetch(
        &self,
        desired: &[DesiredUser],
    ) -> impl Future<Output = Result<Vec<ActualUser>, ProviderError>> + Send;

    /// Checks the desired users against what `fetch` learned (e.g. that named groups exist).
    /// Each problem names the manifest place.
    fn check(&self, _desired: &[DesiredUser]) -> Vec<Problem> {
        Vec::new()
    }

    /// What [`fetch`](Self::fetch) for these desired users would list, as a value to compare:
    /// two sets of desired users with equal scopes fetch the same users, so that a list
    /// fetched for one may serve the other (the daemon's fetch during the debounce). `None`,
    /// the default, means a list is never reused.
    fn fetch_scope(&self, _desired: &[DesiredUser]) -> Option<String> {
        None
    }

    /// Looks a would-be-created user up again, after a create whose answer never came.
    fn find(
        &self,
        create: &Create,
    ) -> impl Future<Output = Result<Option<ActualUser>, ProviderError>> + Send;

    /// Creates a user. Not safe to repeat: an ambiguous error must be checked with [`find`](Self::find).
    fn create(
        &self,
        create: &Create,
        password: Option<SecretString>,
    ) -> impl Future<Output = Result<Applied, ProviderError>> + Send;

    /// Changes fields of an existing user. Safe to repeat.
    fn update(
        &self,
        update: &Update,
    ) -> impl Future<Output = Result<Applied, ProviderError>> + Send;

    /// Applies joins and leaves to one collection. Safe to repeat.
    fn membership(
        &self,
        change: &Membership,
    ) -> impl Future<Output = Result<Applied, ProviderError>> + Send;

    /// Deletes a user.
    fn delete(&self, user: &UserRef)
    -> impl Future<Output = Result<Applied, ProviderError>> + Send;
}

/// [`Provider`] as the core holds it: object-safe, one boxed future per call.
pub trait Client: Send + Sync {
    fn fetch<'a>(
        &'a self,
        desired: &'a [DesiredUser],
    ) -> BoxFuture<'a, Result<Vec<ActualUser>, ProviderError>>;
    fn check(&self, desired: &[DesiredUser]) -> Vec<Problem>;
    fn fetch_scope(&self, desired: &[DesiredUser]) -> Option<String>;
    fn find<'a>(
        &'a self,
        create: &'a Create,
    ) -> BoxFuture<'a, Result<Option<ActualUser>, ProviderError>>;
    fn create<'a>(
        &'a self,
        create: &'a Create,
        password: Option<SecretString>,
    ) -> BoxFuture<'a, Result<Applied, ProviderError>>;
    fn update<'a>(&'a self, update: &'a Update) -> BoxFuture<'a, Result<Applied, ProviderError>>;
    fn membership<'a>(
        &'a self,
        change: &'a Membership,
    ) -> BoxFuture<'a, Result<Applied, ProviderError>>;
    fn delete<'a>(&'a self, user: &'a UserRef) -> BoxFuture<'a, Result<Applied, ProviderError>>;
}

impl<P: Provider> Client for P {
    fn fetch<'a>(
        &'a self,
        desired: &'a [DesiredUser],
    ) -> BoxFuture<'a, Result<Vec<ActualUser>, ProviderError>> {
        Box::pin(Provider::fetch(self, desired))
    }
    fn check(&self, desired: &[DesiredUser]) -> Vec<Problem> {
        Provider::check(self, desired)
    }
    fn fetch_scope(&self, desired: &[DesiredUser]) -> Option<String> {
        Provider::fetch_scope(self, desired)
    }
    fn find<'a>(
        &'a self,
        create: &'a Create,
    ) -> BoxFuture<'a, Result<Option<ActualUser>, ProviderError>> {
        Box::pin(Provider::find(self, create))
    }
    fn create<'a>(
        &'a self,
        create: &'a Create,
        password: Option<SecretString>,
    ) -> BoxFuture<'a, Result<Applied, ProviderError>> {
        Box::pin(Provider::create(self, create, password))
    }
    fn update<'a>(&'a self, update: &'a Update) -> BoxFuture<'a, Result<Applied, ProviderError>> {
        Box::pin(Provider::update(self, update))
    }
    fn membership<'a>(
        &'a self,
        change: &'a Membership,
    ) -> BoxFuture<'a, Result<Applied, ProviderError>> {
        Box::pin(Provider::membership(self, change))
    }
    fn delete<'a>(&'a self, user: &'a UserRef) -> BoxFuture<'a, Result<Applied, ProviderError>> {
        Box::pin(Provider::delete(self, user))
    }
}
