//! One value that can hold any vendor's client, so that a run keeps each target's provider
//! between planning and applying. Only delegation here.

use secrecy::SecretString;

use super::learningcloud::LearningCloud;
use super::uipath::Uipath;
use super::xtracta::Xtracta;
use super::{Applied, Provider, ProviderError};
use crate::model::{ActualUser, DesiredUser};
use crate::plan::{Create, Membership, Schema, Update, UserRef};

pub enum AnyProvider {
    Xtracta(Xtracta),
    Uipath(Box<Uipath>),
    LearningCloud(LearningCloud),
}

macro_rules! each {
    ($self:ident, $p:ident => $e:expr) => {
        match $self {
            AnyProvider::Xtracta($p) => $e,
            AnyProvider::Uipath($p) => $e,
            AnyProvider::LearningCloud($p) => $e,
        }
    };
}

impl Provider for AnyProvider {
    fn schema(&self) -> Schema {
        each!(self, p => p.schema())
    }
    async fn fetch(&self, desired: &[DesiredUser]) -> Result<Vec<ActualUser>, ProviderError> {
        each!(self, p => p.fetch(desired).await)
    }
    fn check(&self, desired: &[DesiredUser]) -> Vec<crate::diag::Problem> {
        each!(self, p => p.check(desired))
    }
    async fn find(&self, create: &Create) -> Result<Option<ActualUser>, ProviderError> {
        each!(self, p => p.find(create).await)
    }
    async fn create(
        &self,
        create: &Create,
        password: Option<SecretString>,
    ) -> Result<Applied, ProviderError> {
        each!(self, p => p.create(create, password).await)
    }
    async fn update(&self, update: &Update) -> Result<Applied, ProviderError> {
        each!(self, p => p.update(update).await)
    }
    async fn membership(&self, change: &Membership) -> Result<Applied, ProviderError> {
        each!(self, p => p.membership(change).await)
    }
    async fn delete(&self, user: &UserRef) -> Result<Applied, ProviderError> {
        each!(self, p => p.delete(user).await)
    }
}
