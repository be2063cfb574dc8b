//! `roster schema`, `roster completions` and `roster man`: documents generated from the code,
//! so that they cannot drift from it.

use clap::CommandFactory;

use crate::cli::Cli;
use crate::exit;

/// Which document `roster schema` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaKind {
    /// roster.yaml
    Config,
    /// the user manifests
    Manifest,
    /// what `plan --output json` and `apply --output json` print
    PlanOutput,
    /// what `validate --output json` prints
    ValidateOutput,
}

/// The JSON Schema (draft-07) of the config or of a manifest.
pub fn schema_text(kind: SchemaKind) -> String {
    let generator = schemars::generate::SchemaSettings::draft07().into_generator();
    let mut schema = match kind {
        SchemaKind::Config => crate::config::json_schema(),
        SchemaKind::Manifest => crate::manifest::json_schema(),
        SchemaKind::PlanOutput => serde_json::to_value(
            generator.into_root_schema_for::<crate::render::json::PlanDoc<'static>>(),
        )
        .unwrap_or_default(),
        SchemaKind::ValidateOutput => serde_json::to_value(
            generator.into_root_schema_for::<crate::render::json::ValidateDoc<'static>>(),
        )
        .unwrap_or_default(),
    };
    let title = match kind {
        SchemaKind::Config => "roster config (roster.yaml)",
        SchemaKind::Manifest => "roster user manifest",
        SchemaKind::PlanOutput => "roster plan/apply JSON output, format_version 1",
        SchemaKind::ValidateOutput => "roster validate JSON output, format_version 1",
    };
    if let Some(obj) = schema.as_object_mut() {
        obj.insert("title".into(), title.into());
    }
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

pub fn schema(kind: SchemaKind) -> u8 {
    print!("{}", schema_text(kind));
    exit::OK
}

pub fn completions(shell: clap_complete::Shell) -> u8 {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "roster", &mut std::io::stdout());
    exit::OK
}

pub fn man() -> anyhow::Result<u8> {
    let page = clap_mangen::Man::new(Cli::command());
    page.render(&mut std::io::stdout())?;
    Ok(exit::OK)
}
