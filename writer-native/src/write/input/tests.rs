//! Input files land in the right columns, exactly, or fail naming file, line and column.

use super::*;
use arrow_array::cast::AsArray;
use arrow_array::types::{Decimal128Type, Int16Type, Int32Type, Int64Type, Int8Type};
use arrow_array::{Float64Array, Int64Array, StringArray};
use strata_core::types::parse_columns;

fn cols(text: &str) -> Vec<DataField> {
    parse_columns(text).unwrap()
}

/// Writes `content` to a file named `name` in a fresh directory (kept alive with the path).
fn file(name: &str, content: impl AsRef<[u8]>) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, content).unwrap();
    (dir, path.to_str().unwrap().to_string())
}

fn format_of(path: &str) -> InputFormat {
    InputFormat::guess(path).unwrap()
}

/// All rows of `path`, one batch.
fn read(path: &str, fields: &[DataField]) -> RecordBatch {
    let batches: Vec<RecordBatch> = read_input(path, format_of(path), fields, &[])
        .unwrap()
        .into_iter()
        .map(|(_, b)| b)
        .collect();
    arrow_select::concat::concat_batches(&batches[0].schema(), &batches).unwrap()
}

/// The error reading `content` as file `name` gives.
fn error(name: &str, content: impl AsRef<[u8]>, fields: &[DataField]) -> String {
    let (_dir, path) = file(name, content);
    match read_input(&path, format_of(&path), fields, &[]) {
        Ok(_) => panic!("{name} was read"),
        Err(e) => e.to_string(),
    }
}

fn ints(b: &RecordBatch, c: &str) -> Vec<Option<i64>> {
    let c = arrow_cast::cast(b.column_by_name(c).unwrap(), &ArrowType::Int64).unwrap();
    c.as_primitive::<Int64Type>().iter().collect()
}

fn strings(b: &RecordBatch, c: &str) -> Vec<Option<String>> {
    let c = b.column_by_name(c).unwrap().as_string::<i32>();
    c.iter().map(|s| s.map(String::from)).collect()
}

#[test]
fn csv_columns_are_matched_by_header_name() {
    let (_d, p) = file("in.csv", "name,id\nalice,1\nbob,2\n");
    let b = read(&p, &cols("id BIGINT, name STRING"));
    assert_eq!(ints(&b, "id"), [Some(1), Some(2)]);
    assert_eq!(
        strings(&b, "name"),
        [Some("alice".into()), Some("bob".into())]
    );
    // Two columns of one type, swapped.
    let (_d, p) = file("in.csv", "b,a\n1,2\n");
    let b = read(&p, &cols("a INT, b INT"));
    assert_eq!(
        (ints(&b, "a"), ints(&b, "b")),
        (vec![Some(2)], vec![Some(1)])
    );
    let e = error("dup.csv", "id,id\n1,2\n", &cols("id BIGINT"));
    assert!(
        e.contains("dup.csv") && e.contains("\"id\" appears twice"),
        "{e}"
    );
}

#[test]
fn unknown_columns_are_refused_naming_file_line_and_nearest_column() {
    let fields = cols("id BIGINT, name STRING");
    let e = error(
        "in.jsonl",
        "{\"id\":1}\n{\"id\":2,\"nmae\":\"x\"}\n",
        &fields,
    );
    assert!(
        e.contains("in.jsonl: line 2")
            && e.contains("unknown column \"nmae\"")
            && e.contains("did you mean \"name\"")
            && e.contains("--ignore-unknown-columns"),
        "{e}"
    );
    let e = error("in.csv", "id,name,extra\n1,a,b\n", &fields);
    assert!(
        e.contains("in.csv") && e.contains("unknown column \"extra\""),
        "{e}"
    );
    let e = error("in.jsonl", "{\"id\":1,\"zzzzzz\":2}\n", &fields);
    assert!(
        e.contains("\"zzzzzz\"") && !e.contains("did you mean"),
        "{e}"
    );
    // Nested fields too.
    let e = error(
        "in.jsonl",
        "{\"r\":{\"a\":1,\"bb\":2}}\n",
        &cols("r ROW<a INT, b INT>"),
    );
    assert!(
        e.contains("line 1") && e.contains("unknown field \"r.bb\""),
        "{e}"
    );
    // Parquet and Arrow: checked on the file's schema.
    let batch = RecordBatch::try_from_iter([
        ("id", Arc::new(Int64Array::from(vec![1])) as ArrayRef),
        ("nam", Arc::new(StringArray::from(vec!["a"])) as ArrayRef),
    ])
    .unwrap();
    for name in ["in.parquet", "in.arrow"] {
        let (_d, p) = typed_file(name, &batch);
        let e = read_input(&p, format_of(&p), &fields, &[]).err().unwrap();
        let e = e.to_string();
        assert!(
            e.contains(name) && e.contains("unknown column \"nam\""),
            "{e}"
        );
    }
}

#[test]
fn unknown_columns_are_dropped_when_asked_and_the_row_kind_column_is_known() {
    let fields = cols("id BIGINT, name STRING");
    let (_d, p) = file("in.jsonl", "{\"id\":1,\"nmae\":\"x\",\"op\":\"+I\"}\n");
    let extra = ["op".to_string()];
    assert!(read_input(&p, InputFormat::Jsonl, &fields, &extra[..0]).is_err());
    let batches: Vec<_> = input_batches(&p, InputFormat::Jsonl, &fields, &extra, true)
        .unwrap()
        .collect::<Result<_>>()
        .unwrap();
    let b = &batches[0].1;
    assert_eq!(
        (ints(b, "id"), strings(b, "name")),
        (vec![Some(1)], vec![None])
    );
    assert_eq!(strings(b, "op"), [Some("+I".into())]);
    let (_d, p) = file("in.csv", "extra,id,op\nx,7,+I\n");
    assert!(read_input(&p, InputFormat::Csv, &fields, &extra).is_err());
    let mut it = input_batches(&p, InputFormat::Csv, &fields, &extra, true).unwrap();
    let b = it.next().unwrap().unwrap().1;
    assert_eq!(
        (ints(&b, "id"), strings(&b, "op")),
        (vec![Some(7)], vec![Some("+I".into())])
    );
}

#[test]
fn json_numbers_must_fit_their_columns_exactly() {
    let fields = cols("id BIGINT, i INT, s SMALLINT, t TINYINT, d DECIMAL(10, 2), a ARRAY<INT>");
    for (row, needle) in [
        (
            "\"id\":1.5",
            "line 3, column id: 1.5 is not a BIGINT (it has a fraction)",
        ),
        (
            "\"i\":2.5",
            "column i: 2.5 is not an INT (it has a fraction)",
        ),
        (
            "\"s\":-0.1",
            "column s: -0.1 is not a SMALLINT (it has a fraction)",
        ),
        ("\"t\":300", "column t: 300 is out of range for TINYINT"),
        ("\"t\":1e3", "column t: 1e3 is out of range for TINYINT"),
        (
            "\"id\":\"1.5\"",
            "column id: \"1.5\" is not a BIGINT (it has a fraction)",
        ),
        ("\"id\":\"x\"", "column id: \"x\" is not a BIGINT"),
        ("\"id\":true", "column id: true is not a BIGINT"),
        ("\"id\":9223372036854775808", "out of range for BIGINT"),
        (
            "\"d\":1.234",
            "column d: 1.234 does not fit DECIMAL(10, 2) (more than 2 digits",
        ),
        ("\"d\":123456789.5", "(more than 8 digits before the point)"),
        (
            "\"a\":[1,2.5]",
            "column a[1]: 2.5 is not an INT (it has a fraction)",
        ),
    ] {
        let text = format!("{{\"id\":1}}\n{{\"id\":2}}\n{{{row}}}\n");
        let e = error("data.jsonl", text, &fields);
        assert!(
            e.contains("data.jsonl: line 3") && e.contains(needle),
            "{row}: {e}"
        );
    }
}

#[test]
fn json_numbers_that_fit_exactly_are_read_exactly() {
    let fields = cols("id BIGINT, t TINYINT, s SMALLINT, d DECIMAL(10, 2), a ARRAY<BIGINT>");
    let (_d, p) = file(
        "in.jsonl",
        "{\"id\":1.0,\"t\":-128,\"s\":1.5e1,\"d\":1.5,\"a\":[2.0]}\n\
         {\"id\":9007199254740993.0,\"t\":127,\"s\":\"7\",\"d\":1.230,\"a\":[9007199254740993e0]}\n\
         {\"id\":9223372036854775807,\"t\":-0.0,\"s\":null,\"d\":\"-0.05\",\"a\":null}\n\
         {\"id\":1e3,\"d\":12345678.99}\n",
    );
    let b = read(&p, &fields);
    assert_eq!(
        ints(&b, "id"),
        [Some(1), Some(9007199254740993), Some(i64::MAX), Some(1000)]
    );
    let t: Vec<_> = b.column(1).as_primitive::<Int8Type>().iter().collect();
    assert_eq!(t, [Some(-128), Some(127), Some(0), None]);
    let s: Vec<_> = b.column(2).as_primitive::<Int16Type>().iter().collect();
    assert_eq!(s, [Some(15), Some(7), None, None]);
    let d: Vec<_> = b
        .column(3)
        .as_primitive::<Decimal128Type>()
        .iter()
        .collect();
    assert_eq!(d, [Some(150), Some(123), Some(-5), Some(1234567899)]);
    let a = b.column(4).as_list::<i32>();
    let a0 = a.value(0);
    let a1 = a.value(1);
    assert_eq!(a0.as_primitive::<Int64Type>().value(0), 2);
    assert_eq!(a1.as_primitive::<Int64Type>().value(0), 9007199254740993);
}

#[test]
fn csv_numbers_must_fit_their_columns_exactly() {
    let fields = cols("id BIGINT, t TINYINT, d DECIMAL(10, 2), x DOUBLE");
    let e = error("in.csv", "id,t\n1,1\n1.5,2\n", &fields);
    assert!(
        e.contains("in.csv: line 3, column id: \"1.5\" is not a BIGINT (it has"),
        "{e}"
    );
    let e = error("in.csv", "t,id\n300,1\n", &fields);
    assert!(
        e.contains("line 2, column t: \"300\" is out of range for TINYINT"),
        "{e}"
    );
    let e = error("in.csv", "d\n1.234\n", &fields);
    assert!(
        e.contains("line 2, column d: \"1.234\" does not fit DECIMAL(10, 2)"),
        "{e}"
    );
    let (_d, p) = file("in.csv", "x,d,t,id\n0.5,1.5,-7,\n,,,2.0\n");
    let b = read(&p, &fields);
    assert_eq!(
        (ints(&b, "id"), ints(&b, "t")),
        (vec![None, Some(2)], vec![Some(-7), None])
    );
    let d: Vec<_> = b
        .column(2)
        .as_primitive::<Decimal128Type>()
        .iter()
        .collect();
    assert_eq!(d, [Some(150), None]);
}

/// A Parquet or Arrow IPC file of `batch`.
fn typed_file(name: &str, batch: &RecordBatch) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    let f = File::create(&path).unwrap();
    if name.ends_with(".parquet") {
        let mut w = parquet::arrow::ArrowWriter::try_new(f, batch.schema(), None).unwrap();
        w.write(batch).unwrap();
        w.close().unwrap();
    } else {
        let mut w = arrow_ipc::writer::FileWriter::try_new(f, &batch.schema()).unwrap();
        w.write(batch).unwrap();
        w.finish().unwrap();
    }
    (dir, path.to_str().unwrap().to_string())
}

fn typed_error(name: &str, col: ArrayRef, fields: &[DataField]) -> String {
    let batch = RecordBatch::try_from_iter([(fields[0].name.as_str(), col)]).unwrap();
    let (_d, p) = typed_file(name, &batch);
    match read_input(&p, format_of(&p), fields, &[]) {
        Ok(_) => panic!("{name} was read"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn typed_columns_are_cast_only_when_no_value_changes() {
    for name in ["in.parquet", "in.arrow"] {
        let floats = Arc::new(Float64Array::from(vec![Some(1.0), None, Some(1.5)])) as ArrayRef;
        let e = typed_error(name, floats, &cols("id BIGINT"));
        assert!(
            e.contains(&format!("{name}: row 3, column id: 1.5 is not a BIGINT")),
            "{e}"
        );
        let big = Arc::new(Int64Array::from(vec![1, 1 << 40])) as ArrayRef;
        let e = typed_error(name, big, &cols("n INT"));
        assert!(
            e.contains("row 2, column n: 1099511627776 is not an INT"),
            "{e}"
        );
        let text = Arc::new(StringArray::from(vec!["12", "abc"])) as ArrayRef;
        let e = typed_error(name, text, &cols("n BIGINT"));
        assert!(
            e.contains("row 2, column n: \"abc\" is not a BIGINT"),
            "{e}"
        );
        let precise = Arc::new(Int64Array::from(vec![(1 << 53) + 1])) as ArrayRef;
        let e = typed_error(name, precise, &cols("x DOUBLE"));
        assert!(
            e.contains("row 1, column x: 9007199254740993 is not a DOUBLE"),
            "{e}"
        );
    }
    // What converts exactly still converts.
    let batch = RecordBatch::try_from_iter([
        (
            "id",
            Arc::new(Float64Array::from(vec![Some(1.0), None])) as ArrayRef,
        ),
        ("n", Arc::new(StringArray::from(vec!["12", ""])) as ArrayRef),
        ("i", Arc::new(Int64Array::from(vec![5, -5])) as ArrayRef),
        (
            "d",
            Arc::new(StringArray::from(vec![Some("0.5"), None])) as ArrayRef,
        ),
    ])
    .unwrap();
    let (_d, p) = typed_file("ok.parquet", &batch);
    let b = read(
        &p,
        &cols("id BIGINT, n BIGINT, i INT, d DECIMAL(4, 1), x STRING"),
    );
    assert_eq!(
        (ints(&b, "id"), ints(&b, "n")),
        (vec![Some(1), None], vec![Some(12), None])
    );
    let i: Vec<_> = b.column(2).as_primitive::<Int32Type>().iter().collect();
    assert_eq!(i, [Some(5), Some(-5)]);
    let d: Vec<_> = b
        .column(3)
        .as_primitive::<Decimal128Type>()
        .iter()
        .collect();
    assert_eq!(d, [Some(5), None]);
    assert_eq!(strings(&b, "x"), [None, None]);
}

#[test]
fn every_json_error_names_its_line() {
    let fields = cols("id BIGINT NOT NULL, name STRING, r ROW<a INT NOT NULL>");
    let ok = "{\"id\":1,\"name\":\"a\"}\n\n{\"id\":2}\n";
    for (bad, needle) in [
        ("{\"id\":3,\"name\":", "invalid JSON"),
        ("{\"id\":3} {\"id\":4}", "invalid JSON: trailing characters"),
        ("[1,2]", "expected a JSON object"),
        ("42", "expected a JSON object"),
        ("{\"id\":3,\"name\":5}", "name"),
        (
            "{\"id\":3,\"name\":\"a\",\"name\":\"b\"}",
            "column name appears twice",
        ),
        ("{\"id\":3,\"r\":{}}", "a"),
        ("{\"id\":3,\"r\":5}", "r"),
    ] {
        let text = format!("{ok}{bad}\n{{\"id\":9}}\n");
        let e = error("in.jsonl", text, &fields);
        assert!(
            e.contains("in.jsonl: line 4") && e.contains(needle),
            "{bad}: {e}"
        );
    }
    // The row-kind column is read as text.
    let (_d, p) = file(
        "in.jsonl",
        "{\"id\":1,\"op\":\"+I\"}\n{\"id\":2,\"op\":1}\n",
    );
    let e = read_input(&p, InputFormat::Jsonl, &fields, &["op".into()])
        .err()
        .unwrap();
    assert!(e.to_string().contains("in.jsonl: line 2"), "{e}");
    // A byte-order mark is skipped; rows after blank lines keep their lines.
    let (_d, p) = file("in.jsonl", "\u{feff}{\"id\":1}\r\n{\"id\":2}");
    assert_eq!(read(&p, &fields).num_rows(), 2);
    let (_d, p) = file("in.jsonl", "\n{\"id\":1}\n\n\n{\"id\":2}\n{\"id\":3}\n");
    let lines: Vec<usize> = read_input(&p, InputFormat::Jsonl, &fields, &[])
        .unwrap()
        .iter()
        .map(|(l, _)| *l)
        .collect();
    assert_eq!(lines, [2, 5]);
}

#[test]
fn a_key_twice_is_refused_in_wide_rows_too() {
    let names: Vec<String> = (0..40).map(|i| format!("c{i}")).collect();
    let fields = cols(
        &names
            .iter()
            .map(|n| format!("{n} INT"))
            .collect::<Vec<_>>()
            .join(", "),
    );
    let mut row: Vec<String> = names.iter().map(|n| format!("\"{n}\":1")).collect();
    let (_d, p) = file("in.jsonl", format!("{{{}}}\n", row.join(",")));
    assert_eq!(read(&p, &fields).num_rows(), 1);
    row.push("\"c7\":2".into());
    let e = error("in.jsonl", format!("{{{}}}\n", row.join(",")), &fields);
    assert!(e.contains("line 1: column c7 appears twice"), "{e}");
}

#[test]
fn long_values_and_names_are_cut_in_messages() {
    let long = "x".repeat(5000);
    let fields = cols("id BIGINT");
    let e = error("in.jsonl", format!("{{\"{long}\":1}}\n"), &fields);
    assert!(e.contains("… (5000 characters)") && e.len() < 600, "{e}");
    let e = error("in.jsonl", format!("{{\"id\":\"{long}\"}}\n"), &fields);
    assert!(e.contains("… (5002 characters)") && e.len() < 600, "{e}");
    let e = error("in.jsonl", format!("\"{long}\"\n"), &fields);
    assert!(e.contains("line 1") && e.len() < 600, "{e}");
    let e = error("in.csv", format!("id\n{long}\n"), &fields);
    assert!(e.contains("line 2") && e.len() < 600, "{e}");
}

#[test]
fn edit_distance_counts_swaps_as_one() {
    assert_eq!(distance("nmae", "name"), 1);
    assert_eq!(distance("", "abc"), 3);
    assert_eq!(distance("kitten", "sitting"), 3);
    assert_eq!(distance("id", "id"), 0);
}

#[test]
fn csv_rows_keep_their_lines_past_blank_lines_and_quoted_newlines() {
    let fields = cols("id BIGINT, name STRING");
    let text = "id,name\n1,a\n\n2,\"two\nlines\"\r\n3,\"say \"\"hi\"\"\n\"\n4,d\n\n";
    let (_d, p) = file("in.csv", text);
    let got: Vec<(usize, usize)> = read_input(&p, InputFormat::Csv, &fields, &[])
        .unwrap()
        .iter()
        .map(|(l, b)| (*l, b.num_rows()))
        .collect();
    assert_eq!(got, [(2, 1), (4, 1), (6, 1), (8, 1)]);
    let e = error("in.csv", "id,name\n\n1,\"a\nb\"\nx,c\n", &fields);
    assert!(
        e.contains("in.csv: line 5, column id: \"x\" is not a BIGINT"),
        "{e}"
    );
}

#[test]
fn csv_cells_of_nested_columns_are_json_checked_as_json_lines_are() {
    let f = cols("id BIGINT NOT NULL, tags MULTISET<STRING>, m MAP<STRING, INT>, a ARRAY<INT>, r ROW<x INT, y STRING>");
    let text = "id,tags,m,a,r\n\
                1,\"{\"\"a\"\":2}\",\"{\"\"k\"\":1}\",\"[1,\n2]\",\"{\"\"x\"\":1,\"\"y\"\":\"\"s\"\"}\"\n\
                2,,,[],\n";
    let (_dir, path) = file("n.csv", text);
    let b = read(&path, &f);
    assert_eq!(ints(&b, "id"), vec![Some(1), Some(2)]);
    let show =
        |c: &str, r: usize| crate::output::json_value(b.column_by_name(c).unwrap().as_ref(), r);
    assert_eq!(
        (show("tags", 0), show("m", 0), show("a", 0), show("r", 0)),
        (
            "{\"a\":2}".into(),
            "{\"k\":1}".into(),
            "[1,2]".into(),
            "{\"x\":1,\"y\":\"s\"}".into()
        )
    );
    assert_eq!(
        (show("tags", 1), show("m", 1), show("a", 1), show("r", 1)),
        ("null".into(), "null".into(), "[]".into(), "null".into())
    );
    // Exact numbers, known fields and JSON itself, each naming the line and column.
    let e = error("f.csv", "id,a\n1,[1]\n2,\"[1,2.5]\"\n", &f);
    assert!(
        e.contains("f.csv: line 3, column a[1]: 2.5 is not an INT"),
        "{e}"
    );
    let e = error("u.csv", "id,r\n1,\"{\"\"x\"\":1,\"\"z\"\":2}\"\n", &f);
    assert!(e.contains("u.csv: line 2: unknown field \"r.z\""), "{e}");
    let e = error("j.csv", "id,a\n1,\"[1,2\"\n", &f);
    assert!(e.contains("j.csv: line 2: invalid JSON"), "{e}");
    let e = error("s.csv", "id,r\n1,\"{\"\"y\"\":\"\"a\nb\"\"}\"\n", &f);
    assert!(e.contains("s.csv: line 2, column r:"), "{e}");
}
