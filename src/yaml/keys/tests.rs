//! The key reader on small documents: typed getters, unread keys, missing and empty values.

use super::*;

fn parse(text: &str) -> Spanned<Node> {
    serde_saphyr::from_str(text).unwrap()
}

#[test]
fn typed_getters_locate_wrong_types() {
    let node = parse("name: Ana\nage: x\nok: true\nitems: [a, 3]\n");
    let file = "f.yaml".into();
    let mut k = Keys::new(&file, &node).unwrap();
    assert_eq!(k.text("name").unwrap().value, "Ana");
    assert!(k.u64("age").is_none());
    assert!(k.bool("ok").unwrap().value);
    let items = k.text_list("items").unwrap();
    assert_eq!(items.value.len(), 1);
    let problems: Vec<String> = k
        .finish(&[], &|_| None)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        problems,
        [
            "f.yaml:2:6: `age` must be a whole number, not text",
            "f.yaml:4:12: `items` must be text, not a number",
        ]
    );
}

#[test]
fn unread_keys_are_reported_at_the_key() {
    let node = parse("a: 1\n  # c\nnmae: x\ngroup_id: 3\n");
    let file = "f.yaml".into();
    let mut k = Keys::new(&file, &node).unwrap();
    let _ = k.u64("a");
    let foreign = |key: &str| (key == "group_id").then(|| "not here".to_string());
    let problems: Vec<String> = k
        .finish(&["a", "name"], &foreign)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        problems,
        [
            "f.yaml:3:1: unknown field `nmae`, expected one of a, name",
            "f.yaml:4:11: not here"
        ]
    );
}

#[test]
fn missing_and_empty() {
    let node = parse("name: '  '\n");
    let file = "f.yaml".into();
    let mut k = Keys::new(&file, &node).unwrap();
    assert!(k.required_text("name").is_none());
    assert!(k.required_text("email").is_none());
    let problems: Vec<String> = k
        .finish(&[], &|_| None)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        problems,
        [
            "f.yaml:1:7: `name` is empty",
            "f.yaml:1:1: missing field `email`"
        ]
    );
}

#[test]
fn not_a_mapping() {
    let node = parse("[1, 2]\n");
    let p = Keys::new(&"f.yaml".into(), &node).unwrap_err();
    assert_eq!(
        p.to_string(),
        "f.yaml:1:1: expected a mapping of keys, not a list"
    );
}
