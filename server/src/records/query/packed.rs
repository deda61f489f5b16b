//! Rows read as one JSON text. sqlx hands SQLite rows over from its worker thread one
//! at a time and copies every PostgreSQL row into an `Any` row; a portal page of 50
//! rows cost about five times what the same page costs as one value built by the
//! database (docs/performance.md). So portal reads ask the database for a JSON array
//! of objects, one per row, and serde reads it into the row type, whose field names
//! are the query's column names, as with `FromRow`.

use serde::de::{self, DeserializeOwned, Visitor};

use super::{run, Arg};
use crate::storage::{Backend, Db};

/// A row type read from a packed page. Its columns are its field names unless it
/// says otherwise (a row that embeds another under a prefix).
pub trait Packed: DeserializeOwned {
    fn columns() -> Vec<String> {
        field_names::<Self>().iter().map(|name| name.to_string()).collect()
    }
}

/// Runs `sql` (its rows in `order`, an `ORDER BY` on its output columns, if any)
/// as one JSON value and reads it into rows.
pub(super) async fn fetch<'a, T: Packed>(
    db: &Db,
    sql: &str,
    order: &str,
    args: impl IntoIterator<Item = &'a Arg>,
) -> Result<Vec<T>, sqlx::Error> {
    fetch_wrapped(db, &wrap(db.backend, sql, &T::columns(), order), args).await
}

/// Runs a statement already built by `wrapped`: for reads on every request, whose
/// text is built once.
pub async fn fetch_wrapped<'a, T: Packed>(
    db: &Db,
    packed: &str,
    args: impl IntoIterator<Item = &'a Arg>,
) -> Result<Vec<T>, sqlx::Error> {
    let text = match &db.reader {
        Some(reader) => reader.text(packed, args.into_iter().map(Arg::sqlite_value))?,
        None => run::<(String,), _>(&db.pool, packed, args).await?.pop().map(|(text,)| text),
    };
    serde_json::from_str(text.as_deref().unwrap_or("[]")).map_err(|err| sqlx::Error::Decode(err.into()))
}

/// The statement that reads `sql`'s rows of `T` as one packed value.
pub fn wrapped<T: Packed>(backend: Backend, sql: &str, order: &str) -> String {
    wrap(backend, sql, &T::columns(), order)
}

/// `sql` aggregated into one JSON array text. The order is stated in the aggregate:
/// neither database promises to keep a sub-query's order otherwise. PostgreSQL turns
/// each row into an object by its column names itself, which pgbench found cheaper
/// than naming every column to `json_build_object`.
fn wrap(backend: Backend, sql: &str, columns: &[String], order: &str) -> String {
    let order = if order.is_empty() { String::new() } else { format!(" {order}") };
    match backend {
        Backend::Sqlite => {
            let pairs: Vec<String> = columns.iter().map(|c| format!("'{c}', q.\"{c}\"")).collect();
            format!("SELECT json_group_array(json_object({}){order}) FROM ({sql}) AS q", pairs.join(", "))
        }
        Backend::Postgres => format!("SELECT CAST(COALESCE(json_agg(q{order}), '[]') AS TEXT) FROM ({sql}) AS q"),
    }
}

/// JSON built in SQL, for reads that nest one list inside a row (a session's grants
/// and their locations) and so cannot be one flat packed page.
pub mod json {
    use crate::storage::Backend;

    /// A JSON object of `(key, expression)` pairs.
    pub fn object(backend: Backend, pairs: &[(&str, &str)]) -> String {
        let pairs: Vec<String> = pairs.iter().map(|(key, value)| format!("'{key}', {value}")).collect();
        match backend {
            Backend::Sqlite => format!("json_object({})", pairs.join(", ")),
            Backend::Postgres => format!("json_build_object({})", pairs.join(", ")),
        }
    }

    /// A JSON array (empty when nothing matches) of `element` over `from` (a `FROM …
    /// WHERE …`), in `order` (empty where the reader sorts, sparing SQLite a sorter
    /// per array). As a column it reaches the reader as text (`stored::nested`); inside
    /// an `object` it must be `nestable`.
    pub fn array(backend: Backend, element: &str, from: &str, order: &str) -> String {
        match backend {
            Backend::Sqlite => format!("(SELECT json_group_array({element} {order}) {from})"),
            Backend::Postgres => format!("(SELECT COALESCE(json_agg({element} {order}), '[]') {from})"),
        }
    }

    /// `value` (an `array`) as a value an enclosing `object` nests instead of quoting:
    /// SQLite's sub-query drops the JSON subtype and `json()` gives it back. Only there:
    /// a page's columns lose it again on their way out, so `json()` on one is a wasted
    /// parse.
    pub fn nestable(backend: Backend, value: &str) -> String {
        match backend {
            Backend::Sqlite => format!("json({value})"),
            Backend::Postgres => value.to_string(),
        }
    }

    /// `expression` as JSON text, the one column type both backends read alike.
    pub fn text(backend: Backend, expression: &str) -> String {
        match backend {
            Backend::Sqlite => expression.to_string(),
            Backend::Postgres => format!("CAST({expression} AS TEXT)"),
        }
    }
}

/// The field names serde's derive gives a struct, read by asking it to deserialize
/// itself from a deserializer that only records them.
pub fn field_names<T: DeserializeOwned>() -> &'static [&'static str] {
    let mut names = FieldNames(&[]);
    let _ = T::deserialize(&mut names);
    names.0
}

struct FieldNames(&'static [&'static str]);

impl<'de> de::Deserializer<'de> for &mut FieldNames {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("a packed row must be a struct"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0 = fields;
        Err(de::Error::custom("fields recorded"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

/// Deserializers for stored values inside packed rows.
pub mod stored {
    use std::fmt;
    use std::marker::PhantomData;

    use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer, UnitDeserializer};
    use serde::de::{DeserializeOwned, Error, MapAccess, SeqAccess, Visitor};
    use serde::{Deserialize, Deserializer};

    use crate::records::time::Timestamp;

    /// A timestamp as stored: Unix milliseconds.
    pub fn timestamp<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Timestamp, D::Error> {
        i64::deserialize(deserializer).map(Timestamp)
    }

    pub fn optional_timestamp<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Timestamp>, D::Error> {
        Option::<i64>::deserialize(deserializer).map(|ms| ms.map(Timestamp))
    }

    /// A JSON value built in SQL (`json::object`, `json::array`): nested as it is, or
    /// as its text where it came through a sub-query that keeps only text (SQLite drops
    /// the JSON subtype there; PostgreSQL reads it as text); SQL's NULL for an `Option`.
    /// Read straight into `T`, never through a `serde_json::Value`: on a page of open
    /// work that detour took a third of the request's time.
    pub fn nested<'de, D: Deserializer<'de>, T: DeserializeOwned>(deserializer: D) -> Result<T, D::Error> {
        deserializer.deserialize_any(Nested(PhantomData))
    }

    struct Nested<T>(PhantomData<T>);

    impl<'de, T: DeserializeOwned> Visitor<'de> for Nested<T> {
        type Value = T;

        fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
            formatter.write_str("JSON built in SQL, or its text")
        }

        fn visit_str<E: Error>(self, text: &str) -> Result<T, E> {
            serde_json::from_str(text).map_err(E::custom)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
            T::deserialize(Present(SeqAccessDeserializer::new(seq)))
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::deserialize(Present(MapAccessDeserializer::new(map)))
        }

        fn visit_unit<E: Error>(self) -> Result<T, E> {
            T::deserialize(UnitDeserializer::new())
        }

        fn visit_none<E: Error>(self) -> Result<T, E> {
            self.visit_unit()
        }
    }

    /// A value that is there: `Some` of it to an `Option`, itself to anything else.
    struct Present<D>(D);

    impl<'de, D: Deserializer<'de>> Deserializer<'de> for Present<D> {
        type Error = D::Error;

        fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
            self.0.deserialize_any(visitor)
        }

        fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
            visitor.visit_some(self.0)
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    #[expect(dead_code, reason = "only the field names are read")]
    struct Row {
        id: String,
        #[serde(rename = "starts_at")]
        starts: i64,
    }

    #[test]
    fn field_names_are_the_columns_serde_reads() {
        assert_eq!(field_names::<Row>(), ["id", "starts_at"]);
    }

    #[test]
    fn the_aggregate_states_the_order_and_names_every_column() {
        let columns = vec!["id".to_string(), "starts_at".to_string()];
        let sqlite = wrap(Backend::Sqlite, "SELECT 1", &columns, "ORDER BY starts_at, id");
        assert_eq!(
            sqlite,
            "SELECT json_group_array(json_object('id', q.\"id\", 'starts_at', q.\"starts_at\") ORDER BY starts_at, id) \
             FROM (SELECT 1) AS q"
        );
        let postgres = wrap(Backend::Postgres, "SELECT 1", &columns, "ORDER BY id");
        assert_eq!(postgres, "SELECT CAST(COALESCE(json_agg(q ORDER BY id), '[]') AS TEXT) FROM (SELECT 1) AS q");
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Outer {
        #[serde(deserialize_with = "stored::nested")]
        inner: Option<Vec<i64>>,
    }

    #[test]
    fn a_nested_value_is_read_as_json_as_its_text_or_as_null() {
        let read = |text: &str| serde_json::from_str::<Outer>(text).unwrap().inner;
        assert_eq!(read(r#"{"inner": [1, 2]}"#), Some(vec![1, 2]));
        let plain: Vec<i64> = stored::nested(&mut serde_json::Deserializer::from_str("[4]")).unwrap();
        assert_eq!(plain, [4]);
        assert_eq!(read(r#"{"inner": "[3]"}"#), Some(vec![3]));
        assert_eq!(read(r#"{"inner": null}"#), None);
        assert!(serde_json::from_str::<Outer>(r#"{"inner": "[oops"}"#).is_err());
    }
}
