//! Turns a form body into typed requests for each endpoint, refusing missing, repeated or
//! malformed parameters. Unknown parameters are ignored, as a form API does.
//!
//! Only reads parameters: it neither checks the API key nor looks at the world.

use std::collections::BTreeMap;

use super::ops::{NewUser, Scope, UserPatch};
pub(crate) use crate::sim::refusal::Refusal;

impl From<super::ops::WorldError> for Refusal {
    fn from(err: super::ops::WorldError) -> Self {
        Self::new(err.status(), err.to_string())
    }
}

/// The form fields of one request, each name at most once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Params {
    fields: BTreeMap<String, String>,
}

impl Params {
    pub(crate) fn from_pairs(pairs: Vec<(String, String)>) -> Result<Self, Refusal> {
        let mut fields = BTreeMap::new();
        for (name, value) in pairs {
            if fields.contains_key(&name) {
                return Err(Refusal::bad_request(format!(
                    "parameter given more than once: {name}"
                )));
            }
            fields.insert(name, value);
        }
        Ok(Self { fields })
    }

    pub(crate) fn api_key(&self) -> Option<&str> {
        self.optional("api_key")
    }

    fn optional(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }

    fn required(&self, name: &str) -> Result<&str, Refusal> {
        match self.optional(name) {
            Some(value) if !value.trim().is_empty() => Ok(value),
            _ => Err(Refusal::bad_request(format!(
                "missing required parameter: {name}"
            ))),
        }
    }

    /// An empty numeric parameter counts as absent.
    fn optional_id(&self, name: &str) -> Result<Option<u64>, Refusal> {
        match self.optional(name).map(str::trim) {
            None | Some("") => Ok(None),
            Some(text) => number(name, text).map(Some),
        }
    }

    fn required_id(&self, name: &str) -> Result<u64, Refusal> {
        self.optional_id(name)?
            .ok_or_else(|| Refusal::bad_request(format!("missing required parameter: {name}")))
    }

    /// A comma-separated id list; empty items are skipped, so `""` is the empty list.
    fn id_list(&self, name: &str) -> Result<Option<Vec<u64>>, Refusal> {
        let Some(text) = self.optional(name) else {
            return Ok(None);
        };
        text.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| number(name, item))
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }
}

fn number(name: &str, text: &str) -> Result<u64, Refusal> {
    text.parse()
        .map_err(|_| Refusal::bad_request(format!("{name} must be a non-negative integer: {text}")))
}

/// Get User's scope: `group_id` or `workflow_id`, not both; neither is the API key's group,
/// `key_group` when the simulator knows it.
pub(crate) fn list_scope(params: &Params, key_group: Option<u64>) -> Result<Scope, Refusal> {
    match (
        params.optional_id("group_id")?,
        params.optional_id("workflow_id")?,
    ) {
        (Some(_), Some(_)) => Err(Refusal::bad_request(
            "give group_id or workflow_id, not both",
        )),
        (Some(group), None) => Ok(Scope::Group(group)),
        (None, Some(workflow)) => Ok(Scope::Workflow(workflow)),
        (None, None) => Ok(key_group.map_or(Scope::KeyGroup, Scope::Group)),
    }
}

/// Bounds on `token_expire`, in seconds.
pub(crate) const TOKEN_EXPIRE: std::ops::RangeInclusive<u64> = 60..=86_400;

/// Add User: the new user, and the login-token lifetime when one was asked for. A user is
/// added "for either a group or specific workflows": with workflows but no `group_id`, it
/// joins `key_group`, the API key's own group, when the simulator knows it.
pub(crate) fn new_user(
    params: &Params,
    key_group: Option<u64>,
) -> Result<(NewUser, Option<u64>), Refusal> {
    let name = params.required("name")?.to_owned();
    let email_address = params.required("email_address")?.to_owned();
    let workflow_ids = params.id_list("workflow_ids")?.unwrap_or_default();
    let group_id = match (params.optional_id("group_id")?, key_group) {
        (Some(group), _) => group,
        (None, Some(group)) if !workflow_ids.is_empty() => group,
        (None, Some(_)) => {
            let message = "missing required parameter: group_id or workflow_ids";
            return Err(Refusal::bad_request(message));
        }
        (None, None) => params.required_id("group_id")?,
    };
    let token_expire = params.optional_id("token_expire")?;
    if let Some(seconds) = token_expire.filter(|s| !TOKEN_EXPIRE.contains(s)) {
        return Err(Refusal::bad_request(format!(
            "token_expire must be between {} and {} seconds: {seconds}",
            TOKEN_EXPIRE.start(),
            TOKEN_EXPIRE.end()
        )));
    }
    let new = NewUser {
        name,
        email_address,
        password: params.optional("password").map(str::to_owned),
        group_id,
        workflow_ids,
    };
    Ok((new, token_expire))
}

/// Update User: which user, and what to change. Group and workflow parameters are ignored.
pub(crate) fn user_patch(params: &Params) -> Result<(u64, UserPatch), Refusal> {
    let user_id = params.required_id("user_id")?;
    let owned = |name| params.optional(name).map(str::to_owned);
    let patch = UserPatch {
        name: owned("name"),
        email_address: owned("email_address"),
        password: owned("password"),
    };
    Ok((user_id, patch))
}

pub(crate) fn user_id(params: &Params) -> Result<u64, Refusal> {
    params.required_id("user_id")
}

/// Update Workflow: which workflow, and its complete new member list.
pub(crate) fn workflow_members(params: &Params) -> Result<(u64, Vec<u64>), Refusal> {
    let workflow_id = params.required_id("workflow_id")?;
    let members = params
        .id_list("user_ids")?
        .ok_or_else(|| Refusal::bad_request("missing required parameter: user_ids"))?;
    Ok((workflow_id, members))
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;

    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        let pairs = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Params::from_pairs(pairs).unwrap()
    }

    #[test]
    fn repeated_parameters_are_refused() {
        let pairs = vec![
            ("a".to_owned(), "1".to_owned()),
            ("a".to_owned(), "2".to_owned()),
        ];
        let err = Params::from_pairs(pairs).unwrap_err();
        assert_eq!(err.message, "parameter given more than once: a");
    }

    fn list_scope_of(params: &Params) -> Result<Scope, Refusal> {
        list_scope(params, None)
    }

    #[test]
    fn scope_takes_one_of_group_and_workflow() {
        assert_eq!(list_scope_of(&params(&[])), Ok(Scope::KeyGroup));
        assert_eq!(
            list_scope_of(&params(&[("group_id", "")])),
            Ok(Scope::KeyGroup)
        );
        assert_eq!(
            list_scope_of(&params(&[("group_id", "7")])),
            Ok(Scope::Group(7))
        );
        assert_eq!(
            list_scope_of(&params(&[("workflow_id", "8")])),
            Ok(Scope::Workflow(8))
        );
        let both = list_scope_of(&params(&[("group_id", "7"), ("workflow_id", "8")]));
        assert_eq!(both.unwrap_err().status, StatusCode::BAD_REQUEST);
        let err = list_scope_of(&params(&[("group_id", "x")])).unwrap_err();
        assert_eq!(err.message, "group_id must be a non-negative integer: x");
    }

    #[test]
    fn add_needs_name_email_and_group() {
        let err = new_user(&params(&[("email_address", "a@x.com")]), None).unwrap_err();
        assert_eq!(err.message, "missing required parameter: name");
        let err = new_user(
            &params(&[("name", "A"), ("email_address", "a@x.com")]),
            None,
        )
        .unwrap_err();
        assert_eq!(err.message, "missing required parameter: group_id");
    }

    #[test]
    fn with_a_key_group_an_add_for_workflows_needs_no_group() {
        let base = [("name", "A"), ("email_address", "a@x.com")];
        let mut for_workflows = base.to_vec();
        for_workflows.push(("workflow_ids", "3"));
        let (new, _) = new_user(&params(&for_workflows), Some(777)).unwrap();
        assert_eq!((new.group_id, new.workflow_ids), (777, vec![3]));
        for_workflows.push(("group_id", "12345"));
        let (new, _) = new_user(&params(&for_workflows), Some(777)).unwrap();
        assert_eq!(new.group_id, 12345, "a group given wins");
        let err = new_user(&params(&base), Some(777)).unwrap_err();
        assert_eq!(
            err.message,
            "missing required parameter: group_id or workflow_ids"
        );
        let err = new_user(&params(&for_workflows[..3]), None).unwrap_err();
        assert_eq!(err.message, "missing required parameter: group_id");
        assert_eq!(list_scope(&params(&[]), Some(777)), Ok(Scope::Group(777)));
    }

    #[test]
    fn add_reads_lists_and_token_bounds() {
        let base = [
            ("name", "A"),
            ("email_address", "a@x.com"),
            ("group_id", "1"),
        ];
        let mut with = base.to_vec();
        with.extend([("workflow_ids", "3, 2,"), ("token_expire", "60")]);
        let (new, token) = new_user(&params(&with), None).unwrap();
        assert_eq!(new.workflow_ids, [3, 2]);
        assert_eq!(new.password, None);
        assert_eq!(token, Some(60));
        let mut short = base.to_vec();
        short.push(("token_expire", "59"));
        let err = new_user(&params(&short), None).unwrap_err();
        assert_eq!(
            err.message,
            "token_expire must be between 60 and 86400 seconds: 59"
        );
    }

    #[test]
    fn workflow_update_needs_user_ids_but_accepts_empty() {
        let err = workflow_members(&params(&[("workflow_id", "1")])).unwrap_err();
        assert_eq!(err.message, "missing required parameter: user_ids");
        let (wf, members) =
            workflow_members(&params(&[("workflow_id", "1"), ("user_ids", "")])).unwrap();
        assert_eq!((wf, members), (1, vec![]));
    }

    #[test]
    fn update_ignores_group_and_workflow_parameters() {
        let (id, patch) = user_patch(&params(&[
            ("user_id", "5"),
            ("group_id", "9"),
            ("name", "N"),
        ]))
        .unwrap();
        assert_eq!(id, 5);
        assert_eq!(patch.name.as_deref(), Some("N"));
        assert_eq!(patch.email_address, None);
    }
}
