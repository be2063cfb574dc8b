//! Lists and searches: `GET /Users`, `GET /Groups` and `POST /{endpoint}/.search`, paged by
//! `startIndex` (from 1) and `count` (capped at `maxResults`), filtered (`eq` and `and` on
//! `userName`, `externalId`, `displayName` and `id`; refused when the simulator plays a
//! server without filters), in creation order, with `attributes`/`excludedAttributes`.
//! Groups are listed without members when the simulator plays a server that leaves them out.
//!
//! Reads the world only.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use serde_json::Value as Json;

use super::app::App;
use super::error::Refusal;
use super::filter::{self, Filter};
use super::handlers::{self, Pairs, answer, authorise, base, param, query};
use super::render::{self, Selection};
use super::world::{Kind, Resource};

/// What one list asks for.
struct Ask {
    filter: Option<String>,
    start: Option<String>,
    count: Option<String>,
    selection: Selection,
}

fn number(name: &str, text: Option<&str>) -> Result<Option<i64>, Refusal> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => t.parse().map(Some).map_err(|_| {
            Refusal::bad(
                "invalidValue",
                format!("{name} must be a whole number: {t}"),
            )
        }),
    }
}

/// Whether `r` matches `f`. Only a few attributes can be filtered on.
fn matches(kind: Kind, r: &Resource, f: &Filter) -> Result<bool, Refusal> {
    for (name, want) in &f.0 {
        let (have, exact) = match name.to_lowercase().as_str() {
            "id" => (Some(Json::String(r.id.clone())), true),
            "externalid" => (r.attributes.get("externalId").cloned(), true),
            "username" if kind == Kind::User => (r.attributes.get("userName").cloned(), false),
            "displayname" => (r.attributes.get("displayName").cloned(), false),
            _ => {
                return Err(Refusal::bad(
                    "invalidFilter",
                    format!("filtering on {name} is not supported"),
                ));
            }
        };
        if !filter::equal(have.as_ref(), want, exact) {
            return Ok(false);
        }
    }
    Ok(true)
}

async fn list(app: &App, kind: Kind, headers: &HeaderMap, ask: Ask) -> Result<Response, Refusal> {
    let config = &app.vendor.config;
    let filter = match &ask.filter {
        Some(_) if !config.filter => {
            return Err(Refusal::bad("invalidFilter", "filtering is not supported"));
        }
        Some(text) => Some(filter::parse(text)?),
        None => None,
    };
    let start = number("startIndex", ask.start.as_deref())?
        .unwrap_or(1)
        .max(1);
    let start = usize::try_from(start).unwrap_or(usize::MAX);
    let max = config.max_results;
    let count = match number("count", ask.count.as_deref())? {
        _ if config.ignore_count => max,
        None => max,
        Some(c) => usize::try_from(c.max(0)).unwrap_or(0).min(max),
    };
    let mut selection = ask.selection;
    if kind == Kind::Group && !config.members_in_lists {
        selection.except.push("members".into());
    }
    let base = base(headers);
    let body = app
        .world
        .read(|w| {
            let mut found = Vec::new();
            for r in w.list(kind) {
                if filter.as_ref().map_or(Ok(true), |f| matches(kind, r, f))? {
                    found.push(r);
                }
            }
            let page: Vec<Json> = found
                .iter()
                .skip(start - 1)
                .take(count)
                .map(|r| render::resource(kind, r, w, &base, &selection))
                .collect();
            Ok::<_, Refusal>(render::list(found.len(), start, page))
        })
        .await?;
    Ok(handlers::reply(app, StatusCode::OK, body))
}

/// `GET /{endpoint}`
pub(crate) async fn get_list(
    State(app): State<Arc<App>>,
    Path(endpoint): Path<String>,
    (uri, headers): (Uri, HeaderMap),
    q: Pairs,
) -> Response {
    let result = async {
        authorise(&app, &headers)?;
        handlers::record(&app, &uri, "GET", &headers, b"");
        let kind = handlers::kind(&endpoint)?;
        let pairs = query(q)?;
        let own = |n: &str| param(&pairs, n).map(str::to_string);
        let ask = Ask {
            filter: own("filter"),
            start: own("startIndex"),
            count: own("count"),
            selection: Selection::new(
                param(&pairs, "attributes"),
                param(&pairs, "excludedAttributes"),
            ),
        };
        list(&app, kind, &headers, ask).await
    };
    answer(&app, result.await)
}

/// The members of a `SearchRequest`, in any case.
fn field<'a>(body: &'a Json, name: &str) -> Option<&'a Json> {
    body.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

fn text_of(v: Option<&Json>) -> Option<String> {
    match v? {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        Json::Array(items) => Some(
            items
                .iter()
                .filter_map(Json::as_str)
                .collect::<Vec<_>>()
                .join(","),
        ),
        _ => None,
    }
}

/// `POST /{endpoint}/{id}`: only `/{endpoint}/.search` (a `SearchRequest`) takes a POST.
pub(crate) async fn post_item(
    State(app): State<Arc<App>>,
    Path((endpoint, item)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if item != ".search" {
        return handlers::wrong_method(State(app)).await;
    }
    let result = async {
        let kind = handlers::authorised_kind(&app, &headers, &endpoint)?;
        let request = handlers::json_body(&body)?;
        let only = text_of(field(&request, "attributes"));
        let except = text_of(field(&request, "excludedAttributes"));
        let ask = Ask {
            filter: text_of(field(&request, "filter")),
            start: text_of(field(&request, "startIndex")),
            count: text_of(field(&request, "count")),
            selection: Selection::new(only.as_deref(), except.as_deref()),
        };
        list(&app, kind, &headers, ask).await
    };
    answer(&app, result.await)
}
