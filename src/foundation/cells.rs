//! Arrow cells as plain values, and the one order lists are sorted by wherever they
//! are held (JSON answers, template values): nulls first, numbers by value, text
//! lexicographically.

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{DataType, Float64Type, Int32Type, Int64Type};
use serde_json::{Number, Value};

/// A text cell, whichever string type the SQL produced.
pub fn str_at(array: &dyn Array, row: usize) -> Option<&str> {
    if array.is_null(row) {
        return None;
    }
    match array.data_type() {
        DataType::Utf8 => Some(array.as_string::<i32>().value(row)),
        DataType::Utf8View => Some(array.as_string_view().value(row)),
        DataType::LargeUtf8 => Some(array.as_string::<i64>().value(row)),
        _ => None,
    }
}

/// An integer cell (Int32 or Int64).
pub fn int_at(array: &dyn Array, row: usize) -> Option<i64> {
    if array.is_null(row) {
        return None;
    }
    match array.data_type() {
        DataType::Int64 => Some(array.as_primitive::<Int64Type>().value(row)),
        DataType::Int32 => Some(i64::from(array.as_primitive::<Int32Type>().value(row))),
        _ => None,
    }
}

/// One Arrow cell as JSON (the types the answer tables use).
pub fn json_value(array: &dyn Array, row: usize) -> Value {
    if array.is_null(row) {
        return Value::Null;
    }
    match array.data_type() {
        DataType::Int64 => Value::from(array.as_primitive::<Int64Type>().value(row)),
        DataType::Int32 => Value::from(array.as_primitive::<Int32Type>().value(row)),
        DataType::Float64 => {
            let v = array.as_primitive::<Float64Type>().value(row);
            Number::from_f64(v).map_or(Value::Null, Value::Number)
        }
        DataType::Boolean => Value::Bool(array.as_boolean().value(row)),
        DataType::Utf8 => Value::String(array.as_string::<i32>().value(row).to_string()),
        DataType::Utf8View => Value::String(array.as_string_view().value(row).to_string()),
        DataType::LargeUtf8 => Value::String(array.as_string::<i64>().value(row).to_string()),
        DataType::List(_) => {
            let items = array.as_list::<i32>().value(row);
            Value::Array((0..items.len()).map(|i| json_value(items.as_ref(), i)).collect())
        }
        DataType::Struct(fields) => {
            let s = array.as_struct();
            let map = fields.iter().enumerate().map(|(i, f)| (f.name().clone(), json_value(s.column(i).as_ref(), row))).collect();
            Value::Object(map)
        }
        other => {
            let text = datafusion::arrow::util::display::array_value_to_string(array, row).unwrap_or_else(|_| format!("<{other}>"));
            Value::String(text)
        }
    }
}

/// Sorts a JSON list in place: objects by the given fields in turn (numbers by value,
/// text lexicographically, nulls first), plain values by themselves.
///
/// DataFusion's array_agg(... ORDER BY ...) costs seconds per list at full scale and
/// plain array_agg keeps no order, so lists are aggregated unordered with their sort
/// keys inside and put in order here.
pub fn sort_list(list: &mut Value, fields: &[&str]) {
    let Some(items) = list.as_array_mut() else { return };
    items.sort_by(|a, b| {
        if fields.is_empty() {
            return SortKey::from(a).compare(&SortKey::from(b));
        }
        compare_in_turn(fields, |f| SortKey::from(&a[f]).compare(&SortKey::from(&b[f])))
    });
}

/// What list items are ordered by, whatever holds them (JSON here, template values in
/// the render): nulls first, then numbers by value, then text.
pub enum SortKey<'a> {
    Null,
    Number(f64),
    Text(&'a str),
    Other,
}

impl SortKey<'_> {
    fn rank(&self) -> u8 {
        match self {
            SortKey::Null => 0,
            SortKey::Number(_) => 1,
            SortKey::Text(_) => 2,
            SortKey::Other => 3,
        }
    }

    pub fn compare(&self, other: &SortKey<'_>) -> std::cmp::Ordering {
        match (self, other) {
            (SortKey::Number(x), SortKey::Number(y)) => x.total_cmp(y),
            (SortKey::Text(x), SortKey::Text(y)) => x.cmp(y),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl<'a> From<&'a Value> for SortKey<'a> {
    fn from(v: &'a Value) -> Self {
        match v {
            Value::Null => SortKey::Null,
            Value::Number(n) => SortKey::Number(n.as_f64().unwrap_or(0.0)),
            Value::String(s) => SortKey::Text(s),
            _ => SortKey::Other,
        }
    }
}

/// The first unequal comparison of `fields`, taken in turn.
pub fn compare_in_turn(fields: &[&str], by_field: impl Fn(&str) -> std::cmp::Ordering) -> std::cmp::Ordering {
    fields.iter().map(|f| by_field(f)).find(|o| o.is_ne()).unwrap_or(std::cmp::Ordering::Equal)
}
