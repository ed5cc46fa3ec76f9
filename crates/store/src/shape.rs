//! The shape of every table of [`TABLES`](crate::TABLES) as a dump presents it: its columns in
//! order, what each holds, whether it may be null, and the primary key. Exports that describe
//! the data (the open data package) read it from here; a test compares it with the schema of
//! each engine, so that it cannot drift from the migrations.

/// What a column holds, whatever the engine stores it as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// A whole number (ids, counts, money in minor units).
    Integer,
    /// Text.
    Text,
    /// An exact decimal written as text, such as `0.13` or `1.0825`.
    Decimal,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// A moment in RFC 3339 form.
    Timestamp,
    /// A month, `YYYY-MM`.
    Month,
    /// A JSON document of one of the domain's types.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub kind: ColumnKind,
    pub nullable: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableShape {
    pub name: &'static str,
    pub columns: &'static [Column],
    pub primary_key: &'static [&'static str],
}

const fn col(name: &'static str, kind: ColumnKind) -> Column {
    Column {
        name,
        kind,
        nullable: false,
    }
}

const fn null(name: &'static str, kind: ColumnKind) -> Column {
    Column {
        name,
        kind,
        nullable: true,
    }
}

use ColumnKind::{Date, Decimal, Integer, Json, Month, Text, Timestamp};

/// The shapes of [`TABLES`](crate::TABLES), in the same order.
pub const SHAPES: &[TableShape] = &[
    TableShape {
        name: "organisations",
        columns: &[col("code", Text), col("name", Text)],
        primary_key: &["code"],
    },
    TableShape {
        name: "conventions",
        columns: &[
            col("code", Text),
            col("name", Text),
            col("organisation", Text),
        ],
        primary_key: &["code"],
    },
    TableShape {
        name: "funds",
        columns: &[
            col("code", Text),
            col("name", Text),
            col("convention", Text),
            col("organisation", Text),
            col("kind", Text),
        ],
        primary_key: &["code"],
    },
    TableShape {
        name: "bienniums",
        columns: &[
            col("code", Text),
            col("start_date", Date),
            col("end_date", Date),
            col("status", Text),
        ],
        primary_key: &["code"],
    },
    TableShape {
        name: "budget_lines",
        columns: &[
            col("fund", Text),
            col("biennium", Text),
            col("activity", Text),
            col("title", Text),
            col("currency", Text),
            col("amount_minor", Integer),
            col("staff_days", Decimal),
        ],
        primary_key: &["fund", "biennium", "activity"],
    },
    TableShape {
        name: "services",
        columns: &[
            col("code", Text),
            col("name", Text),
            col("provider", Text),
            col("category", Text),
            col("unit", Text),
        ],
        primary_key: &["code"],
    },
    TableShape {
        name: "rate_cards",
        columns: &[
            col("provider", Text),
            col("biennium", Text),
            col("currency", Text),
            col("psc_rate", Decimal),
        ],
        primary_key: &["provider", "biennium"],
    },
    TableShape {
        name: "rates",
        columns: &[
            col("provider", Text),
            col("biennium", Text),
            col("rate_key", Text),
            col("unit", Text),
            col("effective_from", Date),
            col("amount", Decimal),
            col("currency", Text),
        ],
        primary_key: &["provider", "rate_key", "unit", "effective_from"],
    },
    TableShape {
        name: "fx_rates",
        columns: &[
            col("currency", Text),
            col("month", Month),
            col("per_usd", Decimal),
        ],
        primary_key: &["currency", "month"],
    },
    TableShape {
        name: "decisions",
        columns: &[
            col("number", Text),
            col("language", Text),
            col("treaty", Text),
            col("meeting", Integer),
            col("title", Text),
            col("document", Json),
            col("imported_at", Timestamp),
            col("kind", Text),
            col("body", Text),
            col("status", Text),
            null("adopted_on", Date),
        ],
        primary_key: &["number", "language"],
    },
    TableShape {
        name: "mandates",
        columns: &[
            col("decision", Text),
            col("paragraph", Text),
            col("position", Integer),
            null("actor", Text),
            col("tracking", Text),
            col("status", Text),
            null("deliverable", Text),
            null("due_meeting", Integer),
            col("text", Text),
        ],
        primary_key: &["decision", "paragraph"],
    },
    TableShape {
        name: "mandate_notes",
        columns: &[
            col("id", Integer),
            col("decision", Text),
            col("paragraph", Text),
            col("noted_on", Date),
            col("status", Text),
            col("note", Text),
            col("author", Text),
        ],
        primary_key: &["id"],
    },
    TableShape {
        name: "activities",
        columns: &[
            col("biennium", Text),
            col("code", Text),
            col("lead", Text),
            col("status", Text),
            col("document", Json),
        ],
        primary_key: &["biennium", "code"],
    },
    TableShape {
        name: "agreements",
        columns: &[
            col("id", Integer),
            col("code", Text),
            col("title", Text),
            col("kind", Text),
            col("provider", Text),
            col("provider_fund", Text),
            col("biennium", Text),
            col("currency", Text),
            col("revision", Integer),
        ],
        primary_key: &["id"],
    },
    TableShape {
        name: "agreement_versions",
        columns: &[
            col("agreement_id", Integer),
            col("number", Integer),
            col("status", Text),
            col("ceiling_minor", Integer),
            col("psc_rate", Decimal),
            col("share_key", Json),
            col("lines", Json),
            col("participants", Json),
            col("approvals", Json),
            col("note", Text),
        ],
        primary_key: &["agreement_id", "number"],
    },
    TableShape {
        name: "agreement_mandates",
        columns: &[
            col("agreement", Text),
            col("decision", Text),
            col("paragraph", Text),
        ],
        primary_key: &["agreement", "decision", "paragraph"],
    },
    TableShape {
        name: "training_events",
        columns: &[
            col("code", Text),
            col("title", Text),
            col("starts_on", Date),
            col("ends_on", Date),
            null("place", Text),
            null("agreement", Text),
        ],
        primary_key: &["code"],
    },
    TableShape {
        name: "training_bodies",
        columns: &[
            col("event", Text),
            col("position", Integer),
            col("body", Text),
        ],
        primary_key: &["event", "position"],
    },
    TableShape {
        name: "training_participants",
        columns: &[
            col("event", Text),
            col("position", Integer),
            col("country", Text),
            col("region", Text),
            col("gender", Text),
            col("role", Text),
        ],
        primary_key: &["event", "position"],
    },
    TableShape {
        name: "training_contributions",
        columns: &[
            col("event", Text),
            col("position", Integer),
            col("organisation", Text),
            col("staff_days", Decimal),
            col("amount_minor", Integer),
        ],
        primary_key: &["event", "position"],
    },
    TableShape {
        name: "taskforce_members",
        columns: &[col("name", Text), col("organisation", Text)],
        primary_key: &["name"],
    },
    TableShape {
        name: "taskforce_meetings",
        columns: &[
            col("code", Text),
            col("held_on", Date),
            col("minutes", Text),
        ],
        primary_key: &["code"],
    },
    TableShape {
        name: "taskforce_attendees",
        columns: &[
            col("meeting", Text),
            col("position", Integer),
            col("attendee", Text),
        ],
        primary_key: &["meeting", "position"],
    },
    TableShape {
        name: "taskforce_action_items",
        columns: &[
            col("code", Text),
            col("title", Text),
            col("owner", Text),
            col("due_on", Date),
            col("status", Text),
            null("meeting", Text),
            null("activity", Text),
        ],
        primary_key: &["code"],
    },
    TableShape {
        name: "closings",
        columns: &[
            col("id", Integer),
            col("agreement_id", Integer),
            col("version", Integer),
            col("period", Text),
            col("period_start", Date),
            col("period_end", Date),
            col("sequence", Integer),
            col("posted_on", Date),
            // Exact, possibly a fraction: text.
            col("direct_exact", Text),
            col("direct_minor", Integer),
            col("deliveries", Integer),
            col("status", Text),
        ],
        primary_key: &["id"],
    },
    TableShape {
        name: "deliveries",
        columns: &[
            col("id", Integer),
            col("agreement_id", Integer),
            col("service", Text),
            col("date", Date),
            col("quantity", Decimal),
            null("grade", Text),
            null("expense_minor", Integer),
            null("expense_currency", Text),
            col("description", Text),
            col("external_id", Text),
            col("status", Text),
            null("dispute_reason", Text),
        ],
        primary_key: &["id"],
    },
    TableShape {
        name: "acceptances",
        columns: &[
            col("id", Integer),
            null("agreement_id", Integer),
            null("through_date", Date),
            col("accepted_on", Date),
            col("deliveries", Integer),
        ],
        primary_key: &["id"],
    },
    TableShape {
        name: "closing_deliveries",
        columns: &[col("delivery_id", Integer), col("closing_id", Integer)],
        primary_key: &["delivery_id"],
    },
    TableShape {
        name: "journal_entries",
        columns: &[
            col("id", Integer),
            col("key", Text),
            col("date", Date),
            col("description", Text),
            null("reverses", Integer),
            col("posted_at", Timestamp),
        ],
        primary_key: &["id"],
    },
    TableShape {
        name: "postings",
        columns: &[
            col("entry_id", Integer),
            col("line", Integer),
            col("fund", Text),
            col("account", Text),
            col("currency", Text),
            col("amount_minor", Integer),
        ],
        primary_key: &["entry_id", "line"],
    },
    TableShape {
        name: "charges",
        columns: &[
            col("id", Integer),
            col("closing_id", Integer),
            col("payer_organisation", Text),
            col("payer_fund", Text),
            col("direct_minor", Integer),
            col("psc_minor", Integer),
            col("total_minor", Integer),
            col("entry_id", Integer),
            null("reversal_entry_id", Integer),
            col("status", Text),
        ],
        primary_key: &["id"],
    },
    TableShape {
        name: "reversed_closing_deliveries",
        columns: &[col("closing_id", Integer), col("delivery_id", Integer)],
        primary_key: &["closing_id", "delivery_id"],
    },
    TableShape {
        name: "audit_events",
        columns: &[
            col("id", Integer),
            col("at", Timestamp),
            col("actor", Text),
            col("action", Text),
            col("subject", Text),
            col("detail", Json),
        ],
        primary_key: &["id"],
    },
    TableShape {
        name: "users",
        columns: &[
            col("username", Text),
            col("display_name", Text),
            col("password_hash", Text),
            col("grants", Json),
            col("active", Integer),
            col("created_at", Timestamp),
        ],
        primary_key: &["username"],
    },
    TableShape {
        name: "sessions",
        columns: &[
            col("token_hash", Text),
            col("username", Text),
            col("csrf_token", Text),
            col("created_at", Timestamp),
            col("expires_at", Timestamp),
        ],
        primary_key: &["token_hash"],
    },
    TableShape {
        name: "api_tokens",
        columns: &[
            col("id", Integer),
            col("username", Text),
            col("name", Text),
            col("token_hash", Text),
            col("created_at", Timestamp),
            null("revoked_at", Timestamp),
            null("expires_at", Timestamp),
        ],
        primary_key: &["id"],
    },
];

/// Tables of credentials (password hashes, session and token hashes): kept in backups and
/// copies of the database, never published in open data.
pub const PRIVATE_TABLES: &[&str] = &["users", "sessions", "api_tokens"];

/// The shape of one table of the schema.
pub fn shape(table: &str) -> Option<&'static TableShape> {
    SHAPES.iter().find(|s| s.name == table)
}

/// What both backends check of every item of a restore before they write it, so that a bad
/// file is refused alike on each engine (SQLite would otherwise store `"abc"` as a quantity):
/// tables known, each once and in the order of [`TABLES`](crate::TABLES), with exactly the
/// columns of its shape; every value of the column's kind, null only where it may be.
#[derive(Debug, Default)]
pub struct RestoreCheck {
    next_table: usize,
    current: Option<&'static TableShape>,
}

impl RestoreCheck {
    /// Checks a table's header; returns its shape.
    pub fn table(
        &mut self,
        table: &str,
        columns: &[String],
    ) -> crate::StoreResult<&'static TableShape> {
        let invalid = |why: String| crate::StoreError::Invalid(why);
        let Some(index) = SHAPES.iter().position(|s| s.name == table) else {
            return Err(invalid(format!("unknown table {table:?}")));
        };
        if index < self.next_table {
            return Err(invalid(format!(
                "table {table} comes twice or out of order (tables come in the order of the schema)"
            )));
        }
        let shape = &SHAPES[index];
        let same = columns.len() == shape.columns.len()
            && columns.iter().zip(shape.columns).all(|(a, b)| a == b.name);
        if !same {
            return Err(invalid(format!(
                "table {table} must have the columns {} (it has {})",
                shape
                    .columns
                    .iter()
                    .map(|c| c.name)
                    .collect::<Vec<_>>()
                    .join(", "),
                columns.join(", ")
            )));
        }
        self.next_table = index + 1;
        self.current = Some(shape);
        Ok(shape)
    }

    /// Checks a row of the current table.
    pub fn row(&self, values: &[serde_json::Value]) -> crate::StoreResult<()> {
        let Some(shape) = self.current else {
            return Err(crate::StoreError::Invalid("a row before its table".into()));
        };
        if values.len() != shape.columns.len() {
            return Err(crate::StoreError::Invalid(format!(
                "a row of {} has {} values, not {}",
                shape.name,
                values.len(),
                shape.columns.len()
            )));
        }
        for (c, v) in shape.columns.iter().zip(values) {
            check_value(c, v).map_err(|why| {
                crate::StoreError::Invalid(format!("{}.{}: {why}: {v}", shape.name, c.name))
            })?;
        }
        Ok(())
    }
}

/// Whether a value of a dump fits its column.
fn check_value(c: &Column, v: &serde_json::Value) -> Result<(), &'static str> {
    use serde_json::Value;
    let text = match v {
        Value::Null if c.nullable => return Ok(()),
        Value::Null => return Err("a value is required"),
        Value::Number(n) if c.kind == Integer => {
            return if n.is_i64() {
                Ok(())
            } else {
                Err("not an integer")
            }
        }
        Value::String(_) if c.kind == Integer => return Err("not an integer"),
        Value::String(s) => s.as_str(),
        _ => return Err("not a text"),
    };
    // PostgreSQL cannot store it, and no Synergies text holds one: refused on both engines.
    if text.contains('\0') {
        return Err("holds a NUL character");
    }
    let ok = match c.kind {
        Integer | Text => true,
        Decimal => text.parse::<rust_decimal::Decimal>().is_ok(),
        Date => synergies_domain::period::parse_iso_date(text).is_some(),
        Month => text.parse::<synergies_domain::Month>().is_ok(),
        Timestamp => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
        Json => serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok(),
    };
    if ok {
        Ok(())
    } else {
        Err(match c.kind {
            Decimal => "not a decimal number",
            Date => "not a date (YYYY-MM-DD)",
            Month => "not a month (YYYY-MM)",
            Timestamp => "not an RFC 3339 timestamp",
            _ => "not a JSON document",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restore_check_refuses_what_either_engine_would() {
        let cols = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let mut check = RestoreCheck::default();
        assert!(check.table("bogus", &cols(&["a"])).is_err());
        assert!(
            check.row(&[serde_json::json!("MC")]).is_err(),
            "a row before its table"
        );
        assert!(check.table("organisations", &cols(&["code"])).is_err());
        check
            .table("organisations", &cols(&["code", "name"]))
            .unwrap();
        check
            .row(&[serde_json::json!("MC"), serde_json::json!("Minamata")])
            .unwrap();
        let bad = [
            vec![serde_json::json!("MC")],
            vec![serde_json::json!("MC"), serde_json::Value::Null],
            vec![serde_json::json!(1), serde_json::json!("x")],
            vec![serde_json::json!("M\u{0}C"), serde_json::json!("x")],
        ];
        for row in bad {
            assert!(check.row(&row).is_err(), "{row:?}");
        }
        assert!(
            check
                .table("organisations", &cols(&["code", "name"]))
                .is_err(),
            "a table twice"
        );
        let columns: Vec<String> = shape("deliveries")
            .unwrap()
            .columns
            .iter()
            .map(|c| c.name.to_string())
            .collect();
        check.table("deliveries", &columns).unwrap();
        let mut row: Vec<serde_json::Value> = vec![
            serde_json::json!(1),
            serde_json::json!(1),
            serde_json::json!("S"),
            serde_json::json!("2026-01-31"),
            serde_json::json!("1.5"),
            serde_json::Value::Null,
            serde_json::Value::Null,
            serde_json::Value::Null,
            serde_json::json!(""),
            serde_json::json!("E1"),
            serde_json::json!("recorded"),
            serde_json::Value::Null,
        ];
        check.row(&row).unwrap();
        row[4] = serde_json::json!("abc");
        let e = check.row(&row).unwrap_err().to_string();
        assert!(
            e.contains("deliveries.quantity: not a decimal number"),
            "{e}"
        );
        row[4] = serde_json::json!("1.5");
        row[3] = serde_json::json!("2026-02-30");
        assert!(check.row(&row).is_err(), "not a date");
        assert!(
            check
                .table("organisations", &cols(&["code", "name"]))
                .is_err(),
            "out of order"
        );
    }

    #[test]
    fn every_table_has_a_shape_in_dump_order() {
        let names: Vec<&str> = SHAPES.iter().map(|s| s.name).collect();
        assert_eq!(names, crate::TABLES);
        for s in SHAPES {
            assert!(!s.primary_key.is_empty(), "{} has no primary key", s.name);
            for k in s.primary_key {
                let c = s.columns.iter().find(|c| c.name == *k);
                assert!(
                    c.is_some_and(|c| !c.nullable),
                    "{}: key column {k} is missing or nullable",
                    s.name
                );
            }
        }
    }
}
