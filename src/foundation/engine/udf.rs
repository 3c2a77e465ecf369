//! DataFusion UDFs: the Python-literal parser as typed columns, and the key normaliser.
//!
//! Every literal UDF returns `Struct<value, error>`: the typed value when the cell parses,
//! the parser's message when it does not, so that SQL can route bad rows to the rejects
//! report while parsing each cell only once.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Int64Builder, ListArray, StringArray, StringBuilder, StructArray};
use datafusion::arrow::buffer::{NullBuffer, OffsetBuffer};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Fields};
use datafusion::common::Result;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};
use datafusion::prelude::SessionContext;

use crate::foundation::published::normalize::normalize_key;
use marquee_parse::pylit::{self, Value};

/// The type a literal's field is read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Int,
    Text,
}

/// One nested column's shape: a list of dicts, or a single dict.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Shape {
    pub udf_name: &'static str,
    pub fields: &'static [(&'static str, Kind)],
    pub is_list: bool,
}

const ID_NAME: &[(&str, Kind)] = &[("id", Kind::Int), ("name", Kind::Text)];

pub const SHAPES: &[Shape] = &[
    Shape { udf_name: "py_id_names", fields: ID_NAME, is_list: true },
    Shape { udf_name: "py_countries", fields: &[("iso_3166_1", Kind::Text), ("name", Kind::Text)], is_list: true },
    Shape { udf_name: "py_languages", fields: &[("iso_639_1", Kind::Text), ("name", Kind::Text)], is_list: true },
    Shape {
        udf_name: "py_collection",
        fields: &[("id", Kind::Int), ("name", Kind::Text), ("poster_path", Kind::Text), ("backdrop_path", Kind::Text)],
        is_list: false,
    },
    Shape {
        udf_name: "py_cast",
        fields: &[
            ("cast_id", Kind::Int),
            ("character", Kind::Text),
            ("credit_id", Kind::Text),
            ("gender", Kind::Int),
            ("id", Kind::Int),
            ("name", Kind::Text),
            ("order", Kind::Int),
            ("profile_path", Kind::Text),
        ],
        is_list: true,
    },
    Shape {
        udf_name: "py_crew",
        fields: &[
            ("credit_id", Kind::Text),
            ("department", Kind::Text),
            ("gender", Kind::Int),
            ("id", Kind::Int),
            ("job", Kind::Text),
            ("name", Kind::Text),
            ("profile_path", Kind::Text),
        ],
        is_list: true,
    },
];

impl Shape {
    fn entry_fields(&self) -> Fields {
        self.fields
            .iter()
            .map(|(name, kind)| {
                let dt = match kind {
                    Kind::Int => DataType::Int64,
                    Kind::Text => DataType::Utf8,
                };
                Field::new(*name, dt, true)
            })
            .collect()
    }

    fn value_type(&self) -> DataType {
        let entry = DataType::Struct(self.entry_fields());
        if self.is_list { DataType::List(Arc::new(Field::new("item", entry, true))) } else { entry }
    }

    fn result_fields(&self) -> Fields {
        Fields::from(vec![Field::new("value", self.value_type(), true), Field::new("error", DataType::Utf8, true)])
    }

    /// Checks a parsed cell against the shape and returns its dicts.
    fn entries<'a>(&self, value: &'a Value) -> std::result::Result<Vec<&'a Value>, String> {
        let is_dict = |v: &Value| matches!(v, Value::Dict(_));
        match value {
            Value::None => Ok(vec![]),
            Value::List(items) if self.is_list => {
                if items.iter().all(is_dict) {
                    Ok(items.iter().collect())
                } else {
                    Err("expected a list of dicts".to_string())
                }
            }
            Value::Dict(_) if !self.is_list => Ok(vec![value]),
            _ if self.is_list => Err("expected a list of dicts".to_string()),
            _ => Err("expected a dict".to_string()),
        }
    }
}

/// Column builders for the fields of the entries.
enum FieldBuf {
    Int(Int64Builder),
    Text(StringBuilder),
}

struct EntriesBuilder {
    bufs: Vec<FieldBuf>,
    len: usize,
}

impl EntriesBuilder {
    fn new(shape: &Shape) -> Self {
        let bufs = shape
            .fields
            .iter()
            .map(|(_, kind)| match kind {
                Kind::Int => FieldBuf::Int(Int64Builder::new()),
                Kind::Text => FieldBuf::Text(StringBuilder::new()),
            })
            .collect();
        EntriesBuilder { bufs, len: 0 }
    }

    fn push(&mut self, shape: &Shape, entry: Option<&Value>) {
        for ((name, _), buf) in shape.fields.iter().zip(self.bufs.iter_mut()) {
            let field = entry.and_then(|e| e.get(name));
            match buf {
                FieldBuf::Int(b) => b.append_option(field.and_then(Value::as_i64)),
                FieldBuf::Text(b) => b.append_option(field.and_then(Value::as_string).map(marquee_parse::frame::without_controls)),
            }
        }
        self.len += 1;
    }

    fn finish(self, shape: &Shape, nulls: Option<NullBuffer>) -> Result<StructArray> {
        let columns: Vec<ArrayRef> = self
            .bufs
            .into_iter()
            .map(|b| match b {
                FieldBuf::Int(mut b) => Arc::new(b.finish()) as ArrayRef,
                FieldBuf::Text(mut b) => Arc::new(b.finish()) as ArrayRef,
            })
            .collect();
        Ok(StructArray::try_new(shape.entry_fields(), columns, nulls)?)
    }
}

/// Why a cell does not parse as `shape`, or `None` when it does (or is null): the
/// `error` field of [`parse_cells`] without building any value.
pub fn cell_error(shape: &Shape, cell: Option<&str>) -> Option<String> {
    checked_entries(shape, &pylit::parse(cell?)).err()
}

/// A parsed cell's dicts when it has `shape`; the parser's or the shape's message
/// otherwise. The one place both UDFs take their errors from.
fn checked_entries<'v>(
    shape: &Shape,
    parsed: &'v std::result::Result<Value, pylit::ParseError>,
) -> std::result::Result<Vec<&'v Value>, String> {
    match parsed {
        Ok(value) => shape.entries(value),
        Err(e) => Err(e.to_string()),
    }
}

/// Parses a column of cells into `Struct<value, error>`.
pub fn parse_cells(shape: &Shape, cells: &StringArray) -> Result<StructArray> {
    let mut entries = EntriesBuilder::new(shape);
    let mut errors = StringBuilder::new();
    let mut valid = Vec::with_capacity(cells.len());
    let mut offsets = Vec::with_capacity(cells.len() + 1);
    offsets.push(0i32);
    for cell in cells.iter() {
        let parsed = cell.map(pylit::parse);
        let outcome = parsed.as_ref().map(|p| checked_entries(shape, p)).transpose();
        match outcome {
            Ok(Some(found)) if shape.is_list => {
                found.iter().for_each(|e| entries.push(shape, Some(e)));
                valid.push(true);
                errors.append_null();
            }
            Ok(Some(found)) if !found.is_empty() => {
                entries.push(shape, found.first().copied());
                valid.push(true);
                errors.append_null();
            }
            Ok(_) => {
                if !shape.is_list {
                    entries.push(shape, None);
                }
                valid.push(false);
                errors.append_null();
            }
            Err(message) => {
                if !shape.is_list {
                    entries.push(shape, None);
                }
                valid.push(false);
                errors.append_value(message);
            }
        }
        offsets.push(entries.len as i32);
    }
    let value: ArrayRef = if shape.is_list {
        let item = Arc::new(Field::new("item", DataType::Struct(shape.entry_fields()), true));
        let structs = entries.finish(shape, None)?;
        Arc::new(ListArray::try_new(item, OffsetBuffer::new(offsets.into()), Arc::new(structs), Some(NullBuffer::from(valid)))?)
    } else {
        Arc::new(entries.finish(shape, Some(NullBuffer::from(valid)))?)
    };
    Ok(StructArray::try_new(shape.result_fields(), vec![value, Arc::new(errors.finish())], None)?)
}

/// Text arguments arrive as Utf8, LargeUtf8 or Utf8View; the UDFs work on Utf8.
fn text_argument(args: &ScalarFunctionArgs) -> Result<(StringArray, bool)> {
    let (array, scalar) = match &args.args[0] {
        ColumnarValue::Array(a) => (a.clone(), false),
        ColumnarValue::Scalar(s) => (s.to_array_of_size(1)?, true),
    };
    let utf8 = cast(&array, &DataType::Utf8)?;
    Ok((utf8.as_string::<i32>().clone(), scalar))
}

fn text_signature() -> Signature {
    Signature::uniform(1, vec![DataType::Utf8, DataType::Utf8View, DataType::LargeUtf8], Volatility::Immutable)
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct LiteralUdf {
    shape: &'static Shape,
    signature: Signature,
}

impl ScalarUDFImpl for LiteralUdf {
    fn name(&self) -> &str {
        self.shape.udf_name
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Struct(self.shape.result_fields()))
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (cells, _) = text_argument(&args)?;
        let parsed = parse_cells(self.shape, &cells)?;
        Ok(ColumnarValue::Array(Arc::new(parsed)))
    }
}

/// `<udf>_error(text)`, e.g. `py_cast_error`: only the error of the literal UDF, for SQL
/// that decides a record's outcome and reads the values later (or never): building the
/// typed values of every cast and crew entry was most of that pass's time.
#[derive(Debug, PartialEq, Eq, Hash)]
struct LiteralErrorUdf {
    shape: &'static Shape,
    name: String,
    signature: Signature,
}

impl ScalarUDFImpl for LiteralErrorUdf {
    fn name(&self) -> &str {
        &self.name
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (cells, _) = text_argument(&args)?;
        let errors: StringArray = cells.iter().map(|cell| cell_error(self.shape, cell)).collect();
        Ok(ColumnarValue::Array(Arc::new(errors)))
    }
}

/// `norm_key(text)`: the shared lookup normalisation (see normalize.rs).
#[derive(Debug, PartialEq, Eq, Hash)]
struct NormKeyUdf {
    signature: Signature,
}

impl ScalarUDFImpl for NormKeyUdf {
    fn name(&self) -> &str {
        "norm_key"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (cells, scalar) = text_argument(&args)?;
        let keys: StringArray = cells.iter().map(|c| c.map(normalize_key)).collect();
        let keys: ArrayRef = Arc::new(keys);
        if scalar {
            return Ok(ColumnarValue::Scalar(datafusion::scalar::ScalarValue::try_from_array(&keys, 0)?));
        }
        Ok(ColumnarValue::Array(keys))
    }
}

/// Registers every marquee UDF on a session.
pub fn register_all(ctx: &SessionContext) {
    for udf in all() {
        ctx.register_udf(udf);
    }
}

/// Every marquee UDF: what a session registers, and what each node of a Ballista
/// cluster must know to plan and run the same SQL.
pub fn all() -> Vec<ScalarUDF> {
    let mut udfs = Vec::new();
    for shape in SHAPES {
        udfs.push(ScalarUDF::from(LiteralUdf { shape, signature: text_signature() }));
        let name = format!("{}_error", shape.udf_name);
        udfs.push(ScalarUDF::from(LiteralErrorUdf { shape, name, signature: text_signature() }));
    }
    udfs.push(ScalarUDF::from(NormKeyUdf { signature: text_signature() }));
    udfs
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::Int64Array;

    fn shape(name: &str) -> &'static Shape {
        SHAPES.iter().find(|s| s.udf_name == name).unwrap()
    }

    #[test]
    fn list_cells_become_typed_entries_with_errors_beside_them() {
        let cells = StringArray::from(vec![
            Some("[{'id': 16, 'name': 'Animation'}, {'id': 35, 'name': \"Kid's\"}]"),
            Some("[]"),
            None,
            Some("[{'id': 28, 'name': 'Action'"),
            Some("{'id': 1}"),
        ]);
        let out = parse_cells(shape("py_id_names"), &cells).unwrap();
        let value = out.column(0).as_list::<i32>();
        let error = out.column(1).as_string::<i32>();
        assert_eq!(value.value_length(0), 2);
        let first = value.value(0);
        let first = first.as_struct();
        let ids = first.column(0).as_any().downcast_ref::<Int64Array>().unwrap();
        assert_eq!(ids.values().to_vec(), vec![16, 35]);
        assert_eq!(first.column(1).as_string::<i32>().value(1), "Kid's");
        assert!(value.is_valid(1) && value.value_length(1) == 0);
        assert!(value.is_null(2) && error.is_null(2));
        assert!(value.is_null(3));
        assert!(error.value(3).contains("unclosed"), "{}", error.value(3));
        assert_eq!(error.value(4), "expected a list of dicts");
    }

    #[test]
    fn the_error_alone_is_the_error_of_the_full_parse() {
        let cells = StringArray::from(vec![
            Some("[{'cast_id': 1, 'character': 'Woody', 'id': 31, 'name': 'Tom Hanks', 'order': 0}]"),
            Some("[]"),
            None,
            Some("[{'id': 28, 'name': 'Action'"),
            Some("{'id': 1}"),
            Some("[1, 2]"),
            Some("None"),
            Some("[{'id': 1}] trailing"),
            Some("[{'name': 'Zoë \\x00'}, {'id': 'not a number'}]"),
            Some(""),
        ]);
        for shape in SHAPES {
            let full = parse_cells(shape, &cells).unwrap();
            let errors = full.column(1).as_string::<i32>();
            for (i, cell) in cells.iter().enumerate() {
                let expected = errors.is_valid(i).then(|| errors.value(i).to_string());
                assert_eq!(cell_error(shape, cell), expected, "{} on cell {i}", shape.udf_name);
            }
            assert!(errors.null_count() < cells.len(), "{}: some cells fail", shape.udf_name);
        }
    }

    #[test]
    fn control_characters_written_as_python_escapes_are_removed() {
        let cells =
            StringArray::from(vec![Some("[{'id': 1, 'name': 'Evil\\x1b[2J\\x00 Name\\x07'}, {'id': 2, 'name': 'Lietuvi\\x9akai'}]")]);
        let out = parse_cells(shape("py_id_names"), &cells).unwrap();
        let entries = out.column(0).as_list::<i32>().value(0);
        assert_eq!(entries.as_struct().column(1).as_string::<i32>().value(0), "Evil[2J Name");
        assert_eq!(entries.as_struct().column(1).as_string::<i32>().value(1), "Lietuviškai", "the real file's mojibake");
    }

    #[test]
    fn single_dict_cells() {
        let cells = StringArray::from(vec![
            Some("{'id': 10194, 'name': 'Toy Story Collection', 'poster_path': None, 'backdrop_path': '/b.jpg'}"),
            None,
            Some("[1]"),
        ]);
        let out = parse_cells(shape("py_collection"), &cells).unwrap();
        let value = out.column(0).as_struct();
        assert!(value.is_valid(0) && value.is_null(1) && value.is_null(2));
        assert_eq!(value.column(1).as_string::<i32>().value(0), "Toy Story Collection");
        assert!(value.column(2).is_null(0));
        assert_eq!(out.column(1).as_string::<i32>().value(2), "expected a dict");
    }
}
