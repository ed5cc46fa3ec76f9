//! A Frictionless tabular data package: one CSV file per table and a `datapackage.json` that
//! describes them (profile `tabular-data-package`; each resource with its path, its fields with
//! their types, and its primary key), written and read back.
//!
//! In the CSV files an empty cell is a missing value (null). In a column that may not be null,
//! an empty text cell is the empty text; a column that may be null and holds an empty text
//! cannot be written, since the two could not be told apart.
//!
//! The package is written into a temporary directory beside the target (through
//! `synergies_files`, the one atomic-write helper), renamed into place when complete; reading checks the descriptor whole before the first row is handed over, and
//! every cell as it comes (`FILE:LINE: column: reason`).

use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::{OpenDataError, OpenDataResult};

/// The SHA-256 of a file's bytes as a Frictionless resource's `hash`: `sha256:` and hex.
fn sha256_of(path: &Path) -> OpenDataResult<String> {
    use sha2::Digest;
    let file = File::open(path).map_err(|e| io_err("cannot read", path, e))?;
    let mut reader = Hashing {
        file,
        hash: sha2::Sha256::new(),
    };
    std::io::copy(&mut reader, &mut std::io::sink()).map_err(|e| io_err("cannot read", path, e))?;
    Ok(hex(reader.hash))
}

fn hex(hash: sha2::Sha256) -> String {
    use sha2::Digest;
    let digest = hash.finalize();
    let mut out = String::from("sha256:");
    for b in digest.iter() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// A file read through a SHA-256, so that a table's file is checked against the descriptor's
/// hash as it is read, in one pass.
struct Hashing {
    file: File,
    hash: sha2::Sha256,
}

impl std::io::Read for Hashing {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use sha2::Digest;
        let n = self.file.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

/// The name of the descriptor in a package's directory.
pub const DESCRIPTOR: &str = "datapackage.json";

/// A field's type in Table Schema terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Integer,
    String,
    /// An exact decimal (Table Schema `number`, kept as its text).
    Number,
    Date,
    /// Table Schema `datetime` in any ISO 8601 form (RFC 3339 here).
    Datetime,
    YearMonth,
    /// A JSON document, kept as its text: a Table Schema `string` whose description says so
    /// (`object` would not do, since some documents are arrays).
    Json,
}

impl FieldType {
    fn descriptor(self) -> Value {
        match self {
            FieldType::Integer => json!({ "type": "integer" }),
            FieldType::String => json!({ "type": "string" }),
            FieldType::Number => json!({ "type": "number" }),
            FieldType::Date => json!({ "type": "date" }),
            FieldType::Datetime => json!({ "type": "datetime", "format": "any" }),
            FieldType::YearMonth => json!({ "type": "yearmonth" }),
            FieldType::Json => json!({ "type": "string", "description": "a JSON document" }),
        }
    }

    /// Whether a descriptor's `type` (and `format`) is this type.
    fn is(self, ty: &str) -> bool {
        let expected = self.descriptor();
        expected["type"] == ty
    }
}

/// A column of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub field_type: FieldType,
    pub nullable: bool,
}

/// A table: its fields in order and its primary key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub name: String,
    pub fields: Vec<Field>,
    pub primary_key: Vec<String>,
}

impl Table {
    fn path(&self) -> String {
        format!("{}.csv", self.name)
    }

    fn resource(&self) -> Value {
        let fields: Vec<Value> = self
            .fields
            .iter()
            .map(|f| {
                let mut v = f.field_type.descriptor();
                v["name"] = json!(f.name);
                // Table Schema reads an empty cell as missing, so only columns that can never
                // be empty are declared required (text may be empty text).
                let never_empty = !matches!(f.field_type, FieldType::String | FieldType::Json);
                if !f.nullable && never_empty {
                    v["constraints"] = json!({ "required": true });
                }
                v
            })
            .collect();
        json!({
            "profile": "tabular-data-resource",
            "name": self.name,
            "path": self.path(),
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": {
                "fields": fields,
                "primaryKey": self.primary_key,
                "missingValues": [""],
            },
        })
    }
}

/// What the descriptor says beside the resources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageInfo {
    /// The database schema version the tables come from.
    pub schema_version: u32,
    /// When the package was made (RFC 3339).
    pub created: String,
}

/// What a package holds: rows per table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageSummary {
    pub tables: Vec<(String, u64)>,
}

/// An item read from a package: a table's columns, then its rows (integers as JSON integers,
/// other values as JSON strings, missing values as null).
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Table { name: String, columns: Vec<String> },
    Row(Vec<Value>),
}

fn io_err(what: &str, path: &Path, e: impl std::fmt::Display) -> OpenDataError {
    OpenDataError::Io(format!("{what} {}: {e}", path.display()))
}

/// Writes a package: [`PackageWriter::table`] for each table, then its rows, then
/// [`PackageWriter::finish`]. Dropped before `finish`, it leaves nothing behind.
pub struct PackageWriter {
    /// The package's directory until it is complete (`synergies_files`: beside the target,
    /// removed when dropped, stale ones of killed runs removed by the next run).
    temp: synergies_files::AtomicDir,
    tables: Vec<(Table, u64)>,
    current: Option<Current>,
}

struct Current {
    /// For each field of the table, the position of its value in the rows handed over.
    order: Vec<usize>,
    writer: csv::Writer<BufWriter<File>>,
}

impl PackageWriter {
    /// Starts a package that will be the directory `target`, which must not exist yet (or be
    /// an empty directory).
    pub fn create(target: &Path) -> OpenDataResult<PackageWriter> {
        if target.exists() {
            let empty_dir = target.is_dir()
                && std::fs::read_dir(target)
                    .map_err(|e| io_err("cannot read", target, e))?
                    .next()
                    .is_none();
            if !empty_dir {
                return Err(OpenDataError::Invalid(format!(
                    "{} already exists: give a new directory for the data package",
                    target.display()
                )));
            }
        }
        if target.file_name().is_none() {
            return Err(OpenDataError::Invalid(format!(
                "{} cannot be a data package's directory",
                target.display()
            )));
        }
        let temp = synergies_files::AtomicDir::create(target)
            .map_err(|e| OpenDataError::Io(e.to_string()))?;
        Ok(PackageWriter {
            temp,
            tables: vec![],
            current: None,
        })
    }

    /// Starts a table whose rows will come with `columns` (in any order, but exactly the
    /// table's fields).
    pub fn table(&mut self, table: Table, columns: &[String]) -> OpenDataResult<()> {
        self.end_table()?;
        let mut order = vec![];
        for f in &table.fields {
            let i = columns.iter().position(|c| *c == f.name).ok_or_else(|| {
                OpenDataError::Invalid(format!("table {} has no column {}", table.name, f.name))
            })?;
            order.push(i);
        }
        if columns.len() != table.fields.len() {
            return Err(OpenDataError::Invalid(format!(
                "table {} has columns that its description does not list: {}",
                table.name,
                columns
                    .iter()
                    .filter(|c| !table.fields.iter().any(|f| f.name == **c))
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let path = self.temp.path().join(table.path());
        let file = File::create(&path).map_err(|e| io_err("cannot create", &path, e))?;
        let mut writer = csv::Writer::from_writer(BufWriter::new(file));
        writer
            .write_record(table.fields.iter().map(|f| f.name.as_str()))
            .map_err(|e| io_err("cannot write", &path, e))?;
        self.tables.push((table, 0));
        self.current = Some(Current { order, writer });
        Ok(())
    }

    /// Writes a row of the current table.
    pub fn row(&mut self, values: &[Value]) -> OpenDataResult<()> {
        let (Some(current), Some((table, count))) = (self.current.as_mut(), self.tables.last_mut())
        else {
            return Err(OpenDataError::Invalid("a row before its table".into()));
        };
        *count += 1;
        let mut cells = Vec::with_capacity(current.order.len());
        for (f, &i) in table.fields.iter().zip(&current.order) {
            let bad = |why: String| {
                OpenDataError::Invalid(format!(
                    "{}, row {count}, column {}: {why}",
                    table.name, f.name
                ))
            };
            let cell = match values.get(i) {
                None => return Err(bad("missing".into())),
                Some(Value::Null) if f.nullable => String::new(),
                Some(Value::Null) => return Err(bad("null in a column that may not be".into())),
                Some(Value::Number(n)) if n.is_i64() && f.field_type == FieldType::Integer => {
                    n.to_string()
                }
                Some(Value::String(s)) if f.field_type != FieldType::Integer => {
                    if s.is_empty() && f.nullable {
                        return Err(bad(
                            "an empty text in a column that may be null cannot be told from \
                             null in CSV"
                                .into(),
                        ));
                    }
                    s.clone()
                }
                Some(other) => return Err(bad(format!("{other} is not a {:?}", f.field_type))),
            };
            cells.push(cell);
        }
        current
            .writer
            .write_record(&cells)
            .map_err(|e| OpenDataError::Io(format!("cannot write {}: {e}", table.path())))
    }

    fn end_table(&mut self) -> OpenDataResult<()> {
        if let Some(mut c) = self.current.take() {
            c.writer
                .flush()
                .map_err(|e| OpenDataError::Io(format!("cannot write a CSV file: {e}")))?;
        }
        Ok(())
    }

    /// Writes the descriptor and moves the package into place.
    pub fn finish(mut self, info: &PackageInfo) -> OpenDataResult<PackageSummary> {
        self.end_table()?;
        let descriptor = json!({
            "profile": "tabular-data-package",
            "name": "synergies",
            "title": "Synergies: cost recovery and cooperation between treaty secretariats",
            "created": info.created,
            "synergies": { "schema_version": info.schema_version },
            "resources": self
                .tables
                .iter()
                .map(|(t, _)| {
                    // The file's own checksum, so that a reader can tell a changed or cut file.
                    let mut r = t.resource();
                    r["hash"] = json!(sha256_of(&self.temp.path().join(t.path()))?);
                    Ok(r)
                })
                .collect::<OpenDataResult<Vec<_>>>()?,
        });
        let path = self.temp.path().join(DESCRIPTOR);
        let text = serde_json::to_string_pretty(&descriptor)
            .map_err(|e| OpenDataError::Invalid(e.to_string()))?;
        std::fs::write(&path, text + "\n").map_err(|e| io_err("cannot write", &path, e))?;
        let tables = std::mem::take(&mut self.tables);
        self.temp
            .commit()
            .map_err(|e| OpenDataError::Io(e.to_string()))?;
        Ok(PackageSummary {
            tables: tables.iter().map(|(t, n)| (t.name.clone(), *n)).collect(),
        })
    }
}

/// Reads a package back, table by table in the order of the tables it is opened with.
pub struct PackageReader {
    dir: PathBuf,
    info: PackageInfo,
    pending: VecDeque<Table>,
    current: Option<(Table, String, csv::Reader<Hashing>)>,
    /// The `hash` the descriptor gives each resource that has one.
    hashes: HashMap<String, String>,
}

fn invalid(dir: &Path, why: impl std::fmt::Display) -> OpenDataError {
    OpenDataError::Invalid(format!("{}: {why}", dir.join(DESCRIPTOR).display()))
}

impl PackageReader {
    /// Opens the package in `dir` and checks its descriptor against `tables`: the same
    /// resources (each a CSV file in the directory), with the same fields and types.
    pub fn open(dir: &Path, tables: &[Table]) -> OpenDataResult<PackageReader> {
        let path = dir.join(DESCRIPTOR);
        let text = std::fs::read_to_string(&path).map_err(|e| io_err("cannot read", &path, e))?;
        let d: Value = serde_json::from_str(&text).map_err(|e| invalid(dir, e))?;
        if d["profile"] != "tabular-data-package" {
            return Err(invalid(dir, "not a tabular data package (profile)"));
        }
        let schema_version = d["synergies"]["schema_version"]
            .as_u64()
            .and_then(|v| u32::try_from(v).ok())
            .ok_or_else(|| {
                invalid(
                    dir,
                    "no synergies.schema_version: not a data package of Synergies",
                )
            })?;
        let resources = d["resources"]
            .as_array()
            .ok_or_else(|| invalid(dir, "no resources"))?;
        for r in resources {
            let name = r["name"].as_str().unwrap_or_default();
            if !tables.iter().any(|t| t.name == name) {
                return Err(invalid(dir, format!("unknown resource {name:?}")));
            }
        }
        let mut hashes = HashMap::new();
        for t in tables {
            let r = resources
                .iter()
                .find(|r| r["name"] == t.name.as_str())
                .ok_or_else(|| invalid(dir, format!("resource {} is missing", t.name)))?;
            if r["path"] != t.path().as_str() {
                return Err(invalid(
                    dir,
                    format!("resource {}: path must be {}", t.name, t.path()),
                ));
            }
            let fields = r["schema"]["fields"]
                .as_array()
                .ok_or_else(|| invalid(dir, format!("resource {}: no schema fields", t.name)))?;
            let described: Vec<(&str, &str)> = fields
                .iter()
                .map(|f| {
                    (
                        f["name"].as_str().unwrap_or_default(),
                        f["type"].as_str().unwrap_or_default(),
                    )
                })
                .collect();
            let same = described.len() == t.fields.len()
                && described
                    .iter()
                    .zip(&t.fields)
                    .all(|((n, ty), f)| *n == f.name && f.field_type.is(ty));
            if !same {
                return Err(invalid(
                    dir,
                    format!(
                        "resource {}: the fields are not those of this version's {} table",
                        t.name, t.name
                    ),
                ));
            }
            let csv_path = dir.join(t.path());
            if !csv_path.is_file() {
                return Err(invalid(dir, format!("{} is missing", t.path())));
            }
            match &r["hash"] {
                Value::Null => {}
                Value::String(h) if h.starts_with("sha256:") => {
                    hashes.insert(t.name.clone(), h.clone());
                }
                other => {
                    return Err(invalid(
                        dir,
                        format!(
                        "resource {}: hash {other} is not sha256:HEX, which this version checks",
                        t.name
                    ),
                    ))
                }
            }
        }
        Ok(PackageReader {
            dir: dir.to_path_buf(),
            info: PackageInfo {
                schema_version,
                created: d["created"].as_str().unwrap_or_default().to_string(),
            },
            pending: tables.iter().cloned().collect(),
            hashes,
            current: None,
        })
    }

    pub fn info(&self) -> &PackageInfo {
        &self.info
    }

    /// The next table header or row; `None` after the last row of the last table.
    pub fn next_item(&mut self) -> OpenDataResult<Option<Item>> {
        if let Some((table, file, reader)) = self.current.as_mut() {
            let mut record = csv::StringRecord::new();
            let more = reader
                .read_record(&mut record)
                .map_err(|e| OpenDataError::Invalid(format!("{file}: {e}")))?;
            if more {
                let line = record.position().map(|p| p.line()).unwrap_or(0);
                return decode(table, file, line, &record).map(|v| Some(Item::Row(v)));
            }
            // The whole file has been read: it must be the one the descriptor describes.
            if let Some(expected) = self.hashes.get(&table.name) {
                let got = hex(reader.get_ref().hash.clone());
                if &got != expected {
                    return Err(OpenDataError::Invalid(format!(
                        "{file}: its SHA-256 is not the descriptor's hash: the file was changed \
                         or cut short"
                    )));
                }
            }
            self.current = None;
        }
        let Some(table) = self.pending.pop_front() else {
            return Ok(None);
        };
        let path = self.dir.join(table.path());
        let file = File::open(&path).map_err(|e| io_err("cannot read", &path, e))?;
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(Hashing {
                file,
                hash: sha2::Digest::new(),
            });
        let name = path.display().to_string();
        let header = reader
            .headers()
            .map_err(|e| OpenDataError::Invalid(format!("{name}: {e}")))?;
        let names: Vec<&str> = table.fields.iter().map(|f| f.name.as_str()).collect();
        if header.iter().collect::<Vec<_>>() != names {
            return Err(OpenDataError::Invalid(format!(
                "{name}:1: the header must be {}",
                names.join(",")
            )));
        }
        let columns = names.iter().map(|n| n.to_string()).collect();
        let item = Item::Table {
            name: table.name.clone(),
            columns,
        };
        self.current = Some((table, name, reader));
        Ok(Some(item))
    }
}

/// A CSV record as the values of a row: integers parsed, dates checked, empty cells null
/// where the column may be null.
fn decode(
    table: &Table,
    file: &str,
    line: u64,
    record: &csv::StringRecord,
) -> OpenDataResult<Vec<Value>> {
    if record.len() != table.fields.len() {
        return Err(OpenDataError::Invalid(format!(
            "{file}:{line}: {} cells, not {}",
            record.len(),
            table.fields.len()
        )));
    }
    table
        .fields
        .iter()
        .zip(record.iter())
        .map(|(f, cell)| {
            let bad = |why: &str| {
                OpenDataError::Invalid(format!("{file}:{line}: {}: {why}: {cell:?}", f.name))
            };
            if cell.is_empty() {
                return match (f.nullable, f.field_type) {
                    (true, _) => Ok(Value::Null),
                    (false, FieldType::String | FieldType::Json) => Ok(json!("")),
                    (false, _) => Err(bad("a value is required")),
                };
            }
            match f.field_type {
                FieldType::Integer => cell
                    .parse::<i64>()
                    .map(Value::from)
                    .map_err(|_| bad("not an integer")),
                FieldType::Date => chrono::NaiveDate::parse_from_str(cell, "%Y-%m-%d")
                    .map(|_| json!(cell))
                    .map_err(|_| bad("not a date (YYYY-MM-DD)")),
                FieldType::Number => cell
                    .parse::<rust_decimal::Decimal>()
                    .map(|_| json!(cell))
                    .map_err(|_| bad("not a decimal number")),
                FieldType::Json => serde_json::from_str::<Value>(cell)
                    .map(|_| json!(cell))
                    .map_err(|_| bad("not a JSON document")),
                _ => Ok(json!(cell)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        let f = |name: &str, field_type, nullable| Field {
            name: name.into(),
            field_type,
            nullable,
        };
        Table {
            name: "postings".into(),
            fields: vec![
                f("entry_id", FieldType::Integer, false),
                f("account", FieldType::String, false),
                f("amount_minor", FieldType::Integer, false),
                f("note", FieldType::String, true),
                f("date", FieldType::Date, false),
            ],
            primary_key: vec!["entry_id".into()],
        }
    }

    fn info() -> PackageInfo {
        PackageInfo {
            schema_version: 3,
            created: "2026-05-01T00:00:00Z".into(),
        }
    }

    fn write(dir: &Path, rows: &[Vec<Value>]) -> OpenDataResult<PackageSummary> {
        let mut w = PackageWriter::create(dir)?;
        // The source's columns come in another order than the table's fields.
        let columns: Vec<String> = ["amount_minor", "entry_id", "account", "note", "date"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        w.table(table(), &columns)?;
        for r in rows {
            w.row(r)?;
        }
        w.finish(&info())
    }

    fn read_all(dir: &Path) -> OpenDataResult<Vec<Item>> {
        let mut r = PackageReader::open(dir, &[table()])?;
        let mut items = vec![];
        while let Some(i) = r.next_item()? {
            items.push(i);
        }
        Ok(items)
    }

    #[test]
    fn a_package_reads_back_as_written() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("pkg");
        let rows = vec![
            vec![
                json!(-12_345),
                json!(1),
                json!(""),
                Value::Null,
                json!("2026-03-31"),
            ],
            vec![
                json!(i64::MAX),
                json!(2),
                json!("payable, \"quoted\"\nline"),
                json!("é"),
                json!("2026-04-01"),
            ],
        ];
        let summary = write(&dir, &rows).unwrap();
        assert_eq!(summary.tables, vec![("postings".to_string(), 2)]);
        let d: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(DESCRIPTOR)).unwrap()).unwrap();
        assert_eq!(d["profile"], "tabular-data-package");
        let r = &d["resources"][0];
        assert_eq!(r["path"], "postings.csv");
        assert_eq!(r["schema"]["primaryKey"], json!(["entry_id"]));
        assert_eq!(r["schema"]["fields"][0]["type"], "integer");
        assert_eq!(r["schema"]["fields"][4]["type"], "date");
        let items = read_all(&dir).unwrap();
        assert_eq!(items.len(), 3);
        // Back in the table's order.
        assert_eq!(
            items[1],
            Item::Row(vec![
                json!(1),
                json!(""),
                json!(-12_345),
                Value::Null,
                json!("2026-03-31")
            ])
        );
        assert_eq!(
            items[2],
            Item::Row(vec![
                json!(2),
                json!("payable, \"quoted\"\nline"),
                json!(i64::MAX),
                json!("é"),
                json!("2026-04-01")
            ])
        );
        // Nothing is left beside the package.
        let names: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("pkg")]);
    }

    #[test]
    fn a_failed_write_leaves_nothing_and_an_existing_directory_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("pkg");
        let bad = vec![vec![
            json!("x"),
            json!(1),
            json!("a"),
            Value::Null,
            json!("2026-03-31"),
        ]];
        let err = write(&dir, &bad).unwrap_err().to_string();
        assert!(err.contains("column amount_minor"), "{err}");
        let ambiguous = vec![vec![
            json!(1),
            json!(1),
            json!("a"),
            json!(""),
            json!("2026-03-31"),
        ]];
        let err = write(&dir, &ambiguous).unwrap_err().to_string();
        assert!(err.contains("cannot be told from null"), "{err}");
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);

        write(&dir, &[]).unwrap();
        let err = write(&dir, &[]).unwrap_err().to_string();
        assert!(err.contains("already exists"), "{err}");
    }

    #[test]
    fn bad_cells_are_refused_with_file_line_and_column() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("pkg");
        write(&dir, &[]).unwrap();
        let csv = dir.join("postings.csv");
        std::fs::write(
            &csv,
            "entry_id,account,amount_minor,note,date\n1,cash,12,,2026-03-31\n2,cash,1.5,,2026-03-31\n",
        )
        .unwrap();
        let err = read_all(&dir).unwrap_err().to_string();
        assert!(
            err.ends_with("postings.csv:3: amount_minor: not an integer: \"1.5\""),
            "{err}"
        );
        std::fs::write(
            &csv,
            "entry_id,account,amount_minor,note,date\n1,cash,12,,31/03/2026\n",
        )
        .unwrap();
        let err = read_all(&dir).unwrap_err().to_string();
        assert!(err.contains(":2: date: not a date"), "{err}");
        std::fs::write(&csv, "entry_id,account,amount,note,date\n").unwrap();
        let err = read_all(&dir).unwrap_err().to_string();
        assert!(err.contains(":1: the header must be"), "{err}");
    }

    #[test]
    fn a_descriptor_of_other_tables_is_refused_before_any_row() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("pkg");
        write(&dir, &[]).unwrap();
        let mut other = table();
        other.fields[2].field_type = FieldType::String;
        let err = PackageReader::open(&dir, &[other])
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("the fields are not those"), "{err}");
        let err = PackageReader::open(tmp.path(), &[table()])
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("cannot read"), "{err}");
    }

    #[test]
    fn a_changed_or_cut_file_is_refused_by_its_hash() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("pkg");
        let row = |n: i64| {
            vec![
                json!(n),
                json!(n),
                json!("cash"),
                Value::Null,
                json!("2026-01-31"),
            ]
        };
        write(&dir, &[row(1), row(2), row(3)]).unwrap();
        let descriptor: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(DESCRIPTOR)).unwrap()).unwrap();
        let hash = descriptor["resources"][0]["hash"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            hash.starts_with("sha256:") && hash.len() == 7 + 64,
            "{hash}"
        );
        assert_eq!(read_all(&dir).unwrap().len(), 4);
        // The last row removed, at a line's end: only the hash can tell.
        let csv = dir.join("postings.csv");
        let text = std::fs::read_to_string(&csv).unwrap();
        let cut: Vec<&str> = text.lines().collect();
        std::fs::write(&csv, cut[..cut.len() - 1].join("\n") + "\n").unwrap();
        let err = read_all(&dir).unwrap_err().to_string();
        assert!(
            err.contains("postings.csv: its SHA-256 is not the descriptor's hash"),
            "{err}"
        );
        // Without a hash (a package made by hand), the rows are read as they are.
        let mut d = descriptor.clone();
        d["resources"][0].as_object_mut().unwrap().remove("hash");
        std::fs::write(dir.join(DESCRIPTOR), d.to_string()).unwrap();
        assert_eq!(read_all(&dir).unwrap().len(), 3);
        // A hash this version cannot check is refused.
        d["resources"][0]["hash"] = json!("d41d8cd98f00b204e9800998ecf8427e");
        std::fs::write(dir.join(DESCRIPTOR), d.to_string()).unwrap();
        let err = read_all(&dir).unwrap_err().to_string();
        assert!(err.contains("is not sha256:HEX"), "{err}");
    }
}
