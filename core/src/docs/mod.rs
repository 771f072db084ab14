//! Automerge documents: the team (and the places it refers people to), each person, each
//! month's street log.
//!
//! These functions read and write document structure and nothing else (no SQL, no files), so
//! they are tested on their own and shared by the vault, the demo generator and the sync code.

pub(crate) mod handover;
pub(crate) mod merge;
pub(crate) mod outcomes;
pub(crate) mod person;
pub(crate) mod place;
pub(crate) mod street;
pub(crate) mod team;

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ReadDoc, ScalarValue, ScalarValueRef, Value, ValueRef, ROOT};
use chrono::{DateTime, NaiveDate, Utc};
use tandem_model::Conflict;

/// Which kind of document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DocKind {
    /// The team: members, devices, settings, the list of people.
    Team,
    /// One accompanied person.
    Person,
    /// One month of encounters with people not (yet) known.
    StreetLog,
}

impl DocKind {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Team => "team",
            Self::Person => "person",
            Self::StreetLog => "street_log",
        }
    }

    /// Parses a stored code.
    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "team" => Some(Self::Team),
            "person" => Some(Self::Person),
            "street_log" => Some(Self::StreetLog),
            _ => None,
        }
    }
}

/// A new random id (128 bits, hex).
pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// The kind a document says it is, if it says.
pub(crate) fn kind_of(doc: &impl ReadDoc) -> Option<DocKind> {
    str_at(doc, &ROOT, "kind")
        .as_deref()
        .and_then(DocKind::from_code)
}

pub(crate) fn map_at(doc: &impl ReadDoc, obj: &ObjId, key: &str) -> Option<ObjId> {
    match doc.get(obj, key) {
        Ok(Some((Value::Object(ObjType::Map), id))) => Some(id),
        _ => None,
    }
}

pub(crate) fn str_at(doc: &impl ReadDoc, obj: &ObjId, key: &str) -> Option<String> {
    match doc.get(obj, key) {
        Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
            ScalarValue::Str(s) => Some(s.to_string()),
            _ => None,
        },
        Ok(Some((Value::Object(ObjType::Text), id))) => doc.text(&id).ok(),
        _ => None,
    }
}

pub(crate) fn int_at(doc: &impl ReadDoc, obj: &ObjId, key: &str) -> Option<i64> {
    match doc.get(obj, key) {
        Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
            ScalarValue::Int(i) | ScalarValue::Timestamp(i) => Some(*i),
            ScalarValue::Uint(u) => i64::try_from(*u).ok(),
            _ => None,
        },
        _ => None,
    }
}

/// A list of strings, with duplicates (from concurrent replacements) removed, order kept.
pub(crate) fn list_at(doc: &impl ReadDoc, obj: &ObjId, key: &str) -> Vec<String> {
    let Ok(Some((Value::Object(ObjType::List), id))) = doc.get(obj, key) else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for item in doc.list_range(&id, ..) {
        if let ValueRef::Scalar(ScalarValueRef::Str(s)) = &item.value {
            if !s.is_empty() && !out.iter().any(|o| o == s.as_ref()) {
                out.push(s.to_string());
            }
        }
    }
    out
}

/// The keys of a map held at `key` with their object ids, for maps of maps.
pub(crate) fn entries(doc: &impl ReadDoc, obj: &ObjId, key: &str) -> Vec<(String, ObjId)> {
    let Some(map) = map_at(doc, obj, key) else {
        return Vec::new();
    };
    doc.map_range(&map, ..)
        .filter_map(|item| match item.value {
            ValueRef::Object(ObjType::Map) => Some((item.key.to_string(), item.id())),
            _ => None,
        })
        .collect()
}

pub(crate) fn timestamp(at: DateTime<Utc>) -> ScalarValue {
    ScalarValue::Timestamp(at.timestamp_millis())
}

pub(crate) fn date_value(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Writes text into a Text object, creating it if needed. An existing text is diffed, so two
/// people editing different parts of a note offline both keep their words.
pub(crate) fn put_text(
    tx: &mut impl Transactable,
    obj: &ObjId,
    key: &str,
    value: &str,
) -> Result<(), automerge::AutomergeError> {
    let existing = match tx.get(obj, key)? {
        Some((Value::Object(ObjType::Text), id)) => Some(id),
        _ => None,
    };
    match existing {
        Some(id) => tx.update_text(&id, value),
        None => {
            let id = tx.put_object(obj, key, ObjType::Text)?;
            if !value.is_empty() {
                tx.splice_text(&id, 0, 0, value)?;
            }
            Ok(())
        }
    }
}

/// Replaces a list of strings.
pub(crate) fn put_list(
    tx: &mut impl Transactable,
    obj: &ObjId,
    key: &str,
    values: &[String],
) -> Result<(), automerge::AutomergeError> {
    let list = match tx.get(obj, key)? {
        Some((Value::Object(ObjType::List), id)) => id,
        _ => tx.put_object(obj, key, ObjType::List)?,
    };
    let len = tx.length(&list);
    for i in (0..len).rev() {
        tx.delete(&list, i)?;
    }
    for (i, v) in values.iter().enumerate() {
        tx.insert(&list, i, v.as_str())?;
    }
    Ok(())
}

/// Puts a string, or deletes the key for an empty one.
pub(crate) fn put_opt_str(
    tx: &mut impl Transactable,
    obj: &ObjId,
    key: &str,
    value: Option<&str>,
) -> Result<(), automerge::AutomergeError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => tx.put(obj, key, v),
        None => {
            if tx.get(obj, key)?.is_some() {
                tx.delete(obj, key)?;
            }
            Ok(())
        }
    }
}

fn scalar_text(v: &ScalarValue) -> String {
    match v {
        ScalarValue::Str(s) => s.to_string(),
        ScalarValue::Int(i) => i.to_string(),
        ScalarValue::Uint(u) => u.to_string(),
        ScalarValue::F64(f) => f.to_string(),
        ScalarValue::Boolean(b) => b.to_string(),
        ScalarValue::Timestamp(ms) => DateTime::from_timestamp_millis(*ms)
            .map(|t| t.to_rfc3339())
            .unwrap_or_else(|| ms.to_string()),
        ScalarValue::Null => String::new(),
        other => other.to_string(),
    }
}

fn is_bookkeeping(key: &str) -> bool {
    matches!(
        key,
        "status_at" | "debrief_done_at" | "debrief_done_by" | "merged_by" | "merged_at"
    ) || (key.starts_with("referral_") && (key.ends_with("_at") || key.ends_with("_by")))
}

/// Every field under `obj` (recursing through maps) that holds concurrent values. One pass
/// with `map_range`, whose items say whether they are in conflict; only those are expanded.
pub(crate) fn collect_conflicts(
    doc: &impl ReadDoc,
    obj: &ObjId,
    path: &mut Vec<String>,
    out: &mut Vec<Conflict>,
) {
    for item in doc.map_range(obj, ..) {
        path.push(item.key.to_string());
        // When a goal's status was set, or who noted an outcome and when, is bookkeeping,
        // not a value anyone chose: two devices changing the status at once conflict on
        // the status alone, and two noting a debrief done end with it done once.
        if item.conflict && !is_bookkeeping(&item.key) && !handover::is_bookkeeping(path) {
            if let Ok(all) = doc.get_all(obj, item.key.as_ref()) {
                // Winner (what `get` returns) first, as the UI shows it by default.
                let values: Vec<String> = all
                    .iter()
                    .rev()
                    .map(|(v, id)| match v {
                        Value::Scalar(s) => scalar_text(s),
                        Value::Object(ObjType::Text) => doc.text(id).unwrap_or_default(),
                        Value::Object(t) => format!("({t})"),
                    })
                    .collect();
                // The same value written on two devices leaves nothing to choose.
                if !values.windows(2).all(|w: &[String]| w[0] == w[1]) {
                    out.push(Conflict {
                        path: path.clone(),
                        values,
                    });
                }
            }
        }
        if let ValueRef::Object(ObjType::Map) = item.value {
            collect_conflicts(doc, &item.id(), path, out);
        }
        path.pop();
    }
}

/// The fields of one map object, read in a single pass (far cheaper than a `get` per key).
pub(crate) struct Fields<'a> {
    items: Vec<automerge::iter::MapRangeItem<'a>>,
}

impl<'a> Fields<'a> {
    pub(crate) fn of<D: ReadDoc>(doc: &'a D, obj: &ObjId) -> Self {
        Self {
            items: doc.map_range(obj, ..).collect(),
        }
    }

    fn value(&self, key: &str) -> Option<&automerge::iter::MapRangeItem<'a>> {
        self.items.iter().find(|i| i.key == key)
    }

    pub(crate) fn str(&self, doc: &impl ReadDoc, key: &str) -> Option<String> {
        let item = self.value(key)?;
        match &item.value {
            ValueRef::Scalar(ScalarValueRef::Str(s)) => Some(s.to_string()),
            ValueRef::Object(ObjType::Text) => doc.text(item.id()).ok(),
            _ => None,
        }
    }

    pub(crate) fn opt_str(&self, doc: &impl ReadDoc, key: &str) -> Option<String> {
        self.str(doc, key).filter(|s| !s.is_empty())
    }

    pub(crate) fn text(&self, doc: &impl ReadDoc, key: &str) -> String {
        self.str(doc, key).unwrap_or_default()
    }

    pub(crate) fn int(&self, key: &str) -> Option<i64> {
        match &self.value(key)?.value {
            ValueRef::Scalar(ScalarValueRef::Int(i) | ScalarValueRef::Timestamp(i)) => Some(*i),
            ValueRef::Scalar(ScalarValueRef::Uint(u)) => i64::try_from(*u).ok(),
            _ => None,
        }
    }

    pub(crate) fn time(&self, key: &str) -> Option<DateTime<Utc>> {
        self.int(key).and_then(DateTime::from_timestamp_millis)
    }

    pub(crate) fn date(&self, doc: &impl ReadDoc, key: &str) -> Option<NaiveDate> {
        self.str(doc, key)
            .and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
    }

    pub(crate) fn bool(&self, key: &str) -> bool {
        matches!(
            self.value(key).map(|i| &i.value),
            Some(ValueRef::Scalar(ScalarValueRef::Boolean(true)))
        )
    }

    pub(crate) fn map(&self, key: &str) -> Option<ObjId> {
        let item = self.value(key)?;
        matches!(item.value, ValueRef::Object(ObjType::Map)).then(|| item.id())
    }

    /// A list of strings, with duplicates (from concurrent replacements) removed, order kept.
    pub(crate) fn list(&self, doc: &impl ReadDoc, key: &str) -> Vec<String> {
        let Some(item) = self.value(key) else {
            return Vec::new();
        };
        if !matches!(item.value, ValueRef::Object(ObjType::List)) {
            return Vec::new();
        }
        let mut out: Vec<String> = Vec::new();
        for v in doc.list_range(item.id(), ..) {
            if let ValueRef::Scalar(ScalarValueRef::Str(s)) = &v.value {
                if !s.is_empty() && !out.iter().any(|o| o == s.as_ref()) {
                    out.push(s.to_string());
                }
            }
        }
        out
    }
}

/// Resolves the object at a path of map keys from the root.
pub(crate) fn obj_at_path(doc: &impl ReadDoc, path: &[String]) -> Option<ObjId> {
    let mut obj = ROOT;
    for key in path {
        obj = map_at(doc, &obj, key)?;
    }
    Some(obj)
}
