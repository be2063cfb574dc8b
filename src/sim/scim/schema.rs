//! The attributes the simulator serves (a subset of RFC 7643: the User core schema, the
//! enterprise extension and the Group schema), as one table that every other part reads:
//! canonical spellings of names given in any case, types and mutability for requests,
//! `returned` for answers, and `/Schemas`, `/ResourceTypes` and `/ServiceProviderConfig`.
//!
//! Data and lookups only; no world, no HTTP.

use serde_json::{Value as Json, json};

pub(crate) const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub(crate) const GROUP_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub(crate) const ENTERPRISE_URN: &str =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    String,
    Boolean,
    Complex,
    Reference,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mutability {
    ReadOnly,
    ReadWrite,
    Immutable,
    WriteOnly,
}

#[derive(Debug)]
pub(crate) struct Attr {
    pub(crate) name: &'static str,
    pub(crate) ty: Ty,
    pub(crate) multi: bool,
    pub(crate) required: bool,
    pub(crate) case_exact: bool,
    pub(crate) mutability: Mutability,
    /// Answers leave it out (`returned: never`), as for a password.
    pub(crate) never_returned: bool,
    pub(crate) sub: &'static [Attr],
    pub(crate) reference_types: &'static [&'static str],
}

const fn attr(name: &'static str, ty: Ty) -> Attr {
    Attr {
        name,
        ty,
        multi: false,
        required: false,
        case_exact: false,
        mutability: Mutability::ReadWrite,
        never_returned: false,
        sub: &[],
        reference_types: &[],
    }
}

const fn text(name: &'static str) -> Attr {
    attr(name, Ty::String)
}

const fn complex(name: &'static str, multi: bool, sub: &'static [Attr]) -> Attr {
    Attr {
        multi,
        sub,
        ..attr(name, Ty::Complex)
    }
}

const fn reference(name: &'static str, types: &'static [&'static str]) -> Attr {
    Attr {
        reference_types: types,
        ..attr(name, Ty::Reference)
    }
}

const fn read_only(a: Attr) -> Attr {
    Attr {
        mutability: Mutability::ReadOnly,
        ..a
    }
}

const fn immutable(a: Attr) -> Attr {
    Attr {
        mutability: Mutability::Immutable,
        ..a
    }
}

const fn required(a: Attr) -> Attr {
    Attr {
        required: true,
        ..a
    }
}

const NAME: &[Attr] = &[text("formatted"), text("familyName"), text("givenName")];
const MULTI: &[Attr] = &[
    text("value"),
    text("display"),
    text("type"),
    attr("primary", Ty::Boolean),
];
const USER_GROUPS: &[Attr] = &[
    read_only(text("value")),
    read_only(reference("$ref", &["User", "Group"])),
    read_only(text("display")),
    read_only(text("type")),
];

pub(crate) const USER: &[Attr] = &[
    required(text("userName")),
    complex("name", false, NAME),
    text("displayName"),
    text("nickName"),
    text("title"),
    attr("active", Ty::Boolean),
    Attr {
        mutability: Mutability::WriteOnly,
        never_returned: true,
        case_exact: true,
        ..text("password")
    },
    complex("emails", true, MULTI),
    complex("phoneNumbers", true, MULTI),
    read_only(complex("groups", true, USER_GROUPS)),
];

const MANAGER: &[Attr] = &[
    text("value"),
    reference("$ref", &["User"]),
    read_only(text("displayName")),
];

pub(crate) const ENTERPRISE: &[Attr] = &[
    text("employeeNumber"),
    text("costCenter"),
    text("organization"),
    text("division"),
    text("department"),
    complex("manager", false, MANAGER),
];

const MEMBERS: &[Attr] = &[
    immutable(text("value")),
    immutable(reference("$ref", &["User", "Group"])),
    immutable(text("type")),
    read_only(text("display")),
];

pub(crate) const GROUP: &[Attr] = &[
    required(text("displayName")),
    complex("members", true, MEMBERS),
];

/// `externalId`, which every resource has (RFC 7643 §3.1), outside any schema.
pub(crate) const EXTERNAL_ID: Attr = Attr {
    case_exact: true,
    ..text("externalId")
};

/// The attribute of `attrs` named `name` in any case.
pub(crate) fn find<'a>(attrs: &'a [Attr], name: &str) -> Option<&'a Attr> {
    attrs.iter().find(|a| a.name.eq_ignore_ascii_case(name))
}

fn mutability(m: Mutability) -> &'static str {
    match m {
        Mutability::ReadOnly => "readOnly",
        Mutability::ReadWrite => "readWrite",
        Mutability::Immutable => "immutable",
        Mutability::WriteOnly => "writeOnly",
    }
}

fn describe(a: &Attr) -> Json {
    let ty = match a.ty {
        Ty::String => "string",
        Ty::Boolean => "boolean",
        Ty::Complex => "complex",
        Ty::Reference => "reference",
    };
    let mut d = json!({
        "name": a.name,
        "type": ty,
        "multiValued": a.multi,
        "description": a.name,
        "required": a.required,
        "caseExact": a.case_exact,
        "mutability": mutability(a.mutability),
        "returned": if a.never_returned { "never" } else { "default" },
        "uniqueness": if a.name == "userName" { "server" } else { "none" },
    });
    if !a.sub.is_empty() {
        d["subAttributes"] = a.sub.iter().map(describe).collect();
    }
    if a.ty == Ty::Reference {
        d["referenceTypes"] = json!(a.reference_types);
    }
    d
}

fn schema(id: &str, name: &str, attrs: &[Attr], base: &str) -> Json {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": id,
        "name": name,
        "description": name,
        "attributes": attrs.iter().map(describe).collect::<Vec<_>>(),
        "meta": { "resourceType": "Schema", "location": format!("{base}/Schemas/{id}") },
    })
}

/// Every schema served, for `/Schemas`.
pub(crate) fn schemas(base: &str) -> Vec<Json> {
    vec![
        schema(USER_URN, "User", USER, base),
        schema(ENTERPRISE_URN, "EnterpriseUser", ENTERPRISE, base),
        schema(GROUP_URN, "Group", GROUP, base),
    ]
}

/// Every resource type served, for `/ResourceTypes`.
pub(crate) fn resource_types(base: &str) -> Vec<Json> {
    let rt = |name: &str, endpoint: &str, urn: &str, ext: Option<&str>| {
        let mut r = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": name,
            "name": name,
            "endpoint": endpoint,
            "description": name,
            "schema": urn,
            "meta": { "resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/{name}") },
        });
        if let Some(ext) = ext {
            r["schemaExtensions"] = json!([{ "schema": ext, "required": false }]);
        }
        r
    };
    vec![
        rt("User", "/Users", USER_URN, Some(ENTERPRISE_URN)),
        rt("Group", "/Groups", GROUP_URN, None),
    ]
}

/// What the simulator supports, as `/ServiceProviderConfig` announces it.
pub(crate) fn service_provider_config(base: &str, patch: bool, filter: bool, max: usize) -> Json {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "documentationUri": "https://datatracker.ietf.org/doc/html/rfc7644",
        "patch": { "supported": patch },
        "bulk": { "supported": false, "maxOperations": 0, "maxPayloadSize": 0 },
        "filter": { "supported": filter, "maxResults": max },
        "changePassword": { "supported": false },
        "sort": { "supported": false },
        "etag": { "supported": true },
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "a bearer token in the Authorization header",
            "primary": true
        }],
        "meta": { "resourceType": "ServiceProviderConfig", "location": format!("{base}/ServiceProviderConfig") },
    })
}
