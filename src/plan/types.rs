//! The plan as a value: what will change, per target, and nothing about how.
//!
//! Serialisable so that a plan can be saved, shown as JSON and applied later.

use serde::{Deserialize, Serialize};

use crate::model::{ActualUser, DesiredUser, Fields, Origin, Value};
use crate::secret::SecretRef;

/// A user as a plan names it.
#[derive(
    Clone,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
pub struct UserRef {
    /// The normalised identity (e.g. e-mail).
    pub key: String,
    /// The vendor's id, when the user exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// A display name, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where the manifest declares the user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

fn name_of(fields: &Fields) -> Option<String> {
    fields
        .get("name")
        .and_then(Value::as_text)
        .map(str::to_string)
}

impl UserRef {
    pub fn desired(d: &DesiredUser) -> Self {
        UserRef {
            key: d.key.clone(),
            id: d.id.clone(),
            name: name_of(&d.fields),
            origin: Some(d.origin.clone()),
        }
    }

    pub fn actual(a: &ActualUser) -> Self {
        UserRef {
            key: a.key.clone(),
            id: Some(a.id.clone()),
            name: name_of(&a.fields),
            origin: None,
        }
    }

    pub fn matched(d: &DesiredUser, a: &ActualUser) -> Self {
        UserRef {
            key: a.key.clone(),
            id: Some(a.id.clone()),
            name: name_of(&a.fields),
            origin: Some(d.origin.clone()),
        }
    }

    /// The vendor id; only users that exist have one.
    pub fn vendor_id(&self) -> &str {
        self.id.as_deref().unwrap_or_default()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Create {
    pub user: UserRef,
    pub fields: Fields,
    /// A reference, never the value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<SecretRef>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FieldChange {
    pub user: UserRef,
    pub field: String,
    pub from: Option<Value>,
    pub to: Value,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Update {
    pub user: UserRef,
    pub changes: Vec<FieldChange>,
    /// Every field the vendor reported at plan time: vendors whose update replaces a whole
    /// record resend the unchanged ones from here.
    pub actual: Fields,
}

/// Users joining and leaving one collection (e.g. a workflow or a group).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Membership {
    pub field: String,
    pub collection: String,
    pub join: Vec<UserRef>,
    pub leave: Vec<UserRef>,
}

/// A difference roster cannot fix: a person must act.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Drift {
    pub user: UserRef,
    pub field: String,
    pub actual: Option<Value>,
    pub desired: Option<Value>,
    pub reason: String,
}

/// What a plan does about an end of access.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EndAction {
    Deactivate,
    Delete,
    /// The membership is taken away (a leave, or a set field's update that drops it).
    Leave,
    /// Nothing is changed: drift that needs a person (the vendor cannot deactivate, the user is
    /// protected, or `on_expiry: report`).
    Report,
}

/// An end of access a manifest declares (`expires`): a user's, or one membership's.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct AccessEnd {
    pub user: UserRef,
    /// For a membership: the field (`workflows`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For a membership: the member (`498082`, `Auditors`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    /// As the manifest writes it: `2027-03-31`, or an RFC 3339 instant.
    pub expires: String,
    /// The instant access ends, RFC 3339 in UTC.
    pub at: String,
    /// What this plan does (`expired`), or what a plan will do once it has passed (`expiring`).
    pub action: EndAction,
}

/// Everything that would change on one target.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TargetPlan {
    pub target: String,
    pub provider: String,
    /// What one membership is called on this target ("workflow"), when it has memberships.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub membership_noun: Option<String>,
    /// The vendor's host (and port, when the target's URL names one): informational.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Users the vendor reported in scope.
    pub in_scope: usize,
    /// Users the manifests declare for this target.
    pub desired_count: usize,
    pub creates: Vec<Create>,
    pub updates: Vec<Update>,
    pub memberships: Vec<Membership>,
    pub deletes: Vec<UserRef>,
    pub deactivations: Vec<Update>,
    pub needs_person: Vec<Drift>,
    pub unmanaged: Vec<UserRef>,
    /// Protected users whose manifest differs from the vendor; left alone.
    pub protected: Vec<UserRef>,
    /// Differences in ignored fields; shown only on request.
    pub ignored: Vec<FieldChange>,
    /// Users whose removal of access a mass-change guard held back (daemon).
    pub held: Vec<UserRef>,
    /// The mass-change guard this plan trips, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guard: Option<super::GuardTrip>,
    /// Ends of access that have passed, each with what this plan does about it; the changes
    /// themselves are in the lists above (deactivations, deletes, memberships, updates).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expired: Vec<AccessEnd>,
    /// Ends of access within the target's `expiry_warning`: notices, not changes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expiring: Vec<AccessEnd>,
}

impl TargetPlan {
    /// Whether applying this plan would send any write.
    pub fn has_changes(&self) -> bool {
        !(self.creates.is_empty()
            && self.updates.is_empty()
            && self.memberships.is_empty()
            && self.deletes.is_empty()
            && self.deactivations.is_empty())
    }

    /// Individual joins and leaves across all collections.
    pub fn membership_changes(&self) -> usize {
        self.memberships
            .iter()
            .map(|m| m.join.len() + m.leave.len())
            .sum()
    }

    pub(crate) fn sort(&mut self) {
        self.creates.sort_by(|a, b| a.user.cmp(&b.user));
        self.updates.sort_by(|a, b| a.user.cmp(&b.user));
        self.deactivations.sort_by(|a, b| a.user.cmp(&b.user));
        for m in &mut self.memberships {
            m.join.sort();
            m.leave.sort();
        }
        self.memberships.sort_by(|a, b| {
            (
                a.field.as_str(),
                a.collection.parse::<u64>().ok(),
                a.collection.as_str(),
            )
                .cmp(&(
                    b.field.as_str(),
                    b.collection.parse::<u64>().ok(),
                    b.collection.as_str(),
                ))
        });
        self.deletes.sort();
        self.needs_person
            .sort_by(|a, b| (&a.user, &a.field).cmp(&(&b.user, &b.field)));
        self.unmanaged.sort();
        self.protected.sort();
        self.ignored
            .sort_by(|a, b| (&a.user, &a.field).cmp(&(&b.user, &b.field)));
        self.held.sort();
        self.expired.sort();
        self.expiring.sort_by(|a, b| {
            (&a.at, &a.user, &a.field, &a.member).cmp(&(&b.at, &b.user, &b.field, &b.member))
        });
    }
}

/// The plan for every target of one run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Plan {
    pub targets: Vec<TargetPlan>,
}

impl Plan {
    pub fn has_changes(&self) -> bool {
        self.targets.iter().any(TargetPlan::has_changes)
    }
}
