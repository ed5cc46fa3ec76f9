//! The OpenAPI document describes the data of every answer and every request body: each 2xx
//! response of each operation has a schema, and walking it or a JSON request body's schema
//! (through `$ref`s into the components, into `allOf`, `oneOf` and `anyOf`, into properties and
//! array items) never reaches an object without properties or an array without typed items. A
//! client generator can then type everything the API returns and takes.

use std::collections::BTreeSet;

use serde_json::Value;

fn document() -> Value {
    let (_, openapi) = synergies_web::api::router();
    serde_json::to_value(&openapi).expect("the document serialises")
}

/// The schema a `$ref` names, from the document's components.
fn resolve<'a>(doc: &'a Value, reference: &str) -> Result<&'a Value, String> {
    let name = reference
        .strip_prefix("#/components/schemas/")
        .ok_or_else(|| format!("a $ref outside the schemas: {reference}"))?;
    doc["components"]["schemas"]
        .get(name)
        .ok_or_else(|| format!("a $ref to no schema: {reference}"))
}

fn types(schema: &Value) -> Vec<&str> {
    match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

/// The places whose data is free by design, each with why.
const FREE: &[(&str, &str)] = &[(
    "#/components/schemas/AuditEvent.detail",
    "each action records its own detail (mostly the record before and after)",
)];

/// Every place under `schema` (at `at`) that leaves the data undescribed. `seen` holds the
/// references being walked, so that a recursive schema ends.
fn vague(
    doc: &Value,
    schema: &Value,
    at: &str,
    seen: &mut BTreeSet<String>,
    out: &mut Vec<String>,
) {
    let Some(object) = schema.as_object() else {
        out.push(format!("{at}: not a schema: {schema}"));
        return;
    };
    if let Some(reference) = schema["$ref"].as_str() {
        if !seen.insert(reference.to_string()) {
            return;
        }
        match resolve(doc, reference) {
            Ok(target) => vague(doc, target, &format!("{at} → {reference}"), seen, out),
            Err(e) => out.push(format!("{at}: {e}")),
        }
        seen.remove(reference);
        return;
    }
    let mut described = false;
    for combinator in ["allOf", "oneOf", "anyOf"] {
        if let Some(parts) = schema[combinator].as_array() {
            described = true;
            for (i, part) in parts.iter().enumerate() {
                vague(doc, part, &format!("{at}.{combinator}[{i}]"), seen, out);
            }
        }
    }
    let ts = types(schema);
    if ts.contains(&"object") || object.contains_key("properties") {
        described = true;
        let properties = schema["properties"].as_object();
        let additional = &schema["additionalProperties"];
        if properties.is_none_or(|p| p.is_empty()) && !additional.is_object() {
            out.push(format!("{at}: an object without properties"));
        }
        for (name, property) in properties.into_iter().flatten() {
            let at = format!("{at}.{name}");
            if !FREE.iter().any(|(place, _)| at.ends_with(place)) {
                vague(doc, property, &at, seen, out);
            }
        }
        if additional.is_object() {
            vague(doc, additional, &format!("{at}.*"), seen, out);
        }
    }
    if ts.contains(&"array") {
        described = true;
        match schema.get("items") {
            Some(items) if items.is_object() => vague(doc, items, &format!("{at}[]"), seen, out),
            _ => out.push(format!("{at}: an array without typed items")),
        }
    }
    if !described && ts.is_empty() && !object.contains_key("enum") && !object.contains_key("const")
    {
        out.push(format!("{at}: a schema without a type: {schema}"));
    }
}

/// The 2xx responses of every operation: `(where, the response)`.
fn successes(doc: &Value) -> Vec<(String, &Value)> {
    let mut out = vec![];
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            let Some(responses) = operation["responses"].as_object() else {
                continue;
            };
            for (status, response) in responses {
                if status.starts_with('2') {
                    out.push((
                        format!("{} {path} {status}", method.to_uppercase()),
                        response,
                    ));
                }
            }
        }
    }
    out
}

#[test]
fn every_successful_answer_has_a_schema_that_describes_its_data() {
    let doc = document();
    let responses = successes(&doc);
    assert!(responses.len() >= 40, "only {} responses", responses.len());
    let mut problems = vec![];
    for (at, response) in responses {
        let Some(content) = response["content"].as_object() else {
            // Only a 204 has no body.
            if !at.ends_with(" 204") {
                problems.push(format!("{at}: no content"));
            }
            continue;
        };
        for (media, body) in content {
            if media == "application/json" {
                match body.get("schema") {
                    Some(schema) => vague(
                        &doc,
                        schema,
                        &format!("{at} {media}"),
                        &mut BTreeSet::new(),
                        &mut problems,
                    ),
                    None => problems.push(format!("{at} {media}: no schema")),
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} vague places in the answers' schemas:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Every place in the JSON request bodies' schemas that leaves the data undescribed, and every
/// JSON request body without a schema: `(where, why)` as text.
fn vague_request_bodies(doc: &Value) -> Vec<String> {
    let mut problems = vec![];
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            let Some(content) = operation["requestBody"]["content"].as_object() else {
                continue;
            };
            let at = format!("{} {path} body", method.to_uppercase());
            for (media, body) in content {
                if media != "application/json" {
                    continue;
                }
                match body.get("schema") {
                    Some(schema) => vague(
                        doc,
                        schema,
                        &format!("{at} {media}"),
                        &mut BTreeSet::new(),
                        &mut problems,
                    ),
                    None => problems.push(format!("{at} {media}: no schema")),
                }
            }
        }
    }
    problems
}

#[test]
fn every_request_body_has_a_schema_that_describes_its_data() {
    let doc = document();
    let bodies = doc["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|item| item.as_object().expect("a path item").values())
        .filter(|op| op["requestBody"]["content"]["application/json"].is_object())
        .count();
    assert!(bodies >= 20, "only {bodies} JSON request bodies");
    let problems = vague_request_bodies(&doc);
    assert!(
        problems.is_empty(),
        "{} vague places in the request bodies' schemas:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_walk_finds_a_request_body_that_is_a_bare_object() {
    let body = |schema: Value| {
        serde_json::json!({
            "paths": {"/x": {"post": {"requestBody": {"content": {
                "application/json": {"schema": schema}
            }}}}},
            "components": {"schemas": {
                "Bare": {"type": "object"},
                "Typed": {"type": "object", "properties": {"n": {"type": "integer"}}},
            }},
        })
    };
    assert_eq!(
        vague_request_bodies(&body(serde_json::json!({"type": "object"}))).len(),
        1
    );
    assert_eq!(
        vague_request_bodies(&body(
            serde_json::json!({"$ref": "#/components/schemas/Bare"})
        ))
        .len(),
        1
    );
    assert_eq!(
        vague_request_bodies(&body(
            serde_json::json!({"$ref": "#/components/schemas/Typed"})
        ))
        .len(),
        0
    );
}

/// OpenAPI requires every response to have a description.
#[test]
fn every_response_is_described() {
    let doc = document();
    let mut missing = vec![];
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            for (status, response) in operation["responses"].as_object().into_iter().flatten() {
                if response["description"].as_str().is_none_or(str::is_empty) {
                    missing.push(format!("{} {path} {status}", method.to_uppercase()));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "responses without a description: {missing:?}"
    );
}

#[test]
fn the_walk_finds_what_leaves_data_undescribed() {
    let doc: Value = serde_json::json!({"components": {"schemas": {
        "Bare": {"type": "object"},
        "Typed": {"type": "object", "properties": {"n": {"type": "integer"}}},
        "Loose": {"type": "object", "properties": {"list": {"type": "array"}}},
        "Deep": {"type": "object", "properties": {"inner": {"$ref": "#/components/schemas/Bare"}}},
        "Free": {"type": "object", "properties": {"any": {}}},
    }}});
    let count = |schema: Value| {
        let mut out = vec![];
        vague(&doc, &schema, "test", &mut BTreeSet::new(), &mut out);
        out.len()
    };
    assert_eq!(
        count(serde_json::json!({"$ref": "#/components/schemas/Typed"})),
        0
    );
    assert_eq!(
        count(serde_json::json!({"$ref": "#/components/schemas/Bare"})),
        1
    );
    assert_eq!(
        count(serde_json::json!({"$ref": "#/components/schemas/Loose"})),
        1
    );
    assert_eq!(
        count(serde_json::json!({"$ref": "#/components/schemas/Deep"})),
        1
    );
    assert_eq!(
        count(serde_json::json!({"$ref": "#/components/schemas/Free"})),
        1
    );
    assert_eq!(
        count(serde_json::json!({"$ref": "#/components/schemas/Missing"})),
        1
    );
    assert_eq!(
        count(serde_json::json!({"type": "array", "items": {"type": "string"}})),
        0
    );
}

/// The enums whose keys a macro gives serde name their values as the JSON writes them.
#[test]
fn keyed_enums_list_the_keys_the_json_holds() {
    use synergies_domain::decision::{DecisionKind, DecisionStatus, MeetingBody};
    let doc = document();
    let listed = |name: &str| doc["components"]["schemas"][name]["enum"].clone();
    let keys = |all: Vec<&str>| serde_json::json!(all);
    assert_eq!(
        listed("DecisionKind"),
        keys(DecisionKind::ALL.iter().map(|k| k.as_str()).collect())
    );
    assert_eq!(
        listed("DecisionStatus"),
        keys(DecisionStatus::ALL.iter().map(|k| k.as_str()).collect())
    );
    assert_eq!(
        listed("MeetingBody"),
        keys(MeetingBody::ALL.iter().map(|k| k.as_str()).collect())
    );
    assert_eq!(
        serde_json::json!(DecisionStatus::InForce),
        serde_json::json!("in_force")
    );
}
