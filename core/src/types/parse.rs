//! A recursive-descent parser for Paimon's SQL type text, e.g. `TIMESTAMP(3) NOT NULL`,
//! `TIMESTAMP_LTZ(6)`, `MAP<STRING, ARRAY<INT>>` or a column list `id BIGINT NOT NULL, v STRING`.

use super::{DataField, DataType, TypeKind, MAX_DECIMAL_PRECISION, MAX_LENGTH, MAX_TIME_PRECISION};
use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Quoted(String),
    Number(u64),
    Punct(char),
}

struct Parser<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    pos: usize,
}

/// Deepest nesting accepted, so hostile input cannot exhaust the stack.
const MAX_DEPTH: usize = 64;

fn tokenize(text: &str) -> Result<Vec<Token>> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c.is_ascii_alphabetic() || c == '_' {
            let mut word = String::new();
            while let Some(&(_, c)) = chars.peek() {
                if c.is_ascii_alphanumeric() || c == '_' {
                    word.push(c);
                    chars.next();
                } else {
                    break;
                }
            }
            tokens.push(Token::Word(word));
        } else if c.is_ascii_digit() {
            let mut n: u64 = 0;
            while let Some(&(_, c)) = chars.peek() {
                if let Some(d) = c.to_digit(10) {
                    n = n
                        .checked_mul(10)
                        .and_then(|n| n.checked_add(u64::from(d)))
                        .ok_or_else(|| Error::invalid_type(text, "number too large"))?;
                    chars.next();
                } else {
                    break;
                }
            }
            tokens.push(Token::Number(n));
        } else if c == '`' || c == '\'' || c == '"' {
            chars.next();
            let mut s = String::new();
            let mut closed = false;
            while let Some((_, d)) = chars.next() {
                if d == c {
                    if chars.peek().map(|&(_, e)| e) == Some(c) {
                        s.push(c);
                        chars.next();
                    } else {
                        closed = true;
                        break;
                    }
                } else {
                    s.push(d);
                }
            }
            if !closed {
                return Err(Error::invalid_type(text, format!("unclosed quote at {i}")));
            }
            tokens.push(Token::Quoted(s));
        } else if "(),<>".contains(c) {
            tokens.push(Token::Punct(c));
            chars.next();
        } else {
            return Err(Error::invalid_type(
                text,
                format!("unexpected character {c:?} at {i}"),
            ));
        }
    }
    Ok(tokens)
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Result<Self> {
        Ok(Parser {
            text,
            tokens: tokenize(text)?,
            pos: 0,
        })
    }

    fn err(&self, what: impl std::fmt::Display) -> Error {
        Error::invalid_type(self.text, what)
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn at_end(&self) -> bool {
        self.pos >= self.tokens.len()
    }

    fn peek_keyword(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(kw))
    }

    fn eat_keyword(&mut self, kw: &str) -> bool {
        if self.peek_keyword(kw) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect_keyword(&mut self, kw: &str) -> Result<()> {
        if self.eat_keyword(kw) {
            Ok(())
        } else {
            Err(self.err(format!("expected {kw}")))
        }
    }

    fn eat_punct(&mut self, p: char) -> bool {
        if self.peek() == Some(&Token::Punct(p)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect_punct(&mut self, p: char) -> Result<()> {
        if self.eat_punct(p) {
            Ok(())
        } else {
            Err(self.err(format!("expected '{p}'")))
        }
    }

    fn number(&mut self) -> Result<u64> {
        match self.next() {
            Some(Token::Number(n)) => Ok(n),
            _ => Err(self.err("expected a number")),
        }
    }

    /// `(n)` if present.
    fn optional_arg(&mut self) -> Result<Option<u64>> {
        if self.eat_punct('(') {
            let n = self.number()?;
            self.expect_punct(')')?;
            Ok(Some(n))
        } else {
            Ok(None)
        }
    }

    fn length(&mut self, default: u32) -> Result<u32> {
        match self.optional_arg()? {
            None => Ok(default),
            Some(n) if n >= 1 && n <= u64::from(MAX_LENGTH) => Ok(n as u32),
            Some(n) => Err(self.err(format!("length {n} out of range 1..={MAX_LENGTH}"))),
        }
    }

    fn time_precision(&mut self, default: u8) -> Result<u8> {
        match self.optional_arg()? {
            None => Ok(default),
            Some(p) if p <= u64::from(MAX_TIME_PRECISION) => Ok(p as u8),
            Some(p) => Err(self.err(format!("precision {p} out of range 0..=9"))),
        }
    }

    fn name(&mut self) -> Result<String> {
        match self.next() {
            Some(Token::Word(w)) | Some(Token::Quoted(w)) => Ok(w),
            _ => Err(self.err("expected a field name")),
        }
    }

    fn data_type(&mut self, depth: usize) -> Result<DataType> {
        if depth > MAX_DEPTH {
            return Err(self.err("type nested too deeply"));
        }
        let word = match self.next() {
            Some(Token::Word(w)) => w.to_ascii_uppercase(),
            _ => return Err(self.err("expected a type name")),
        };
        let kind = match word.as_str() {
            "BOOLEAN" => TypeKind::Boolean,
            "TINYINT" => TypeKind::TinyInt,
            "SMALLINT" => TypeKind::SmallInt,
            "INT" | "INTEGER" => TypeKind::Int,
            "BIGINT" => TypeKind::BigInt,
            "FLOAT" => TypeKind::Float,
            "DOUBLE" => {
                self.eat_keyword("PRECISION");
                TypeKind::Double
            }
            "CHAR" => TypeKind::Char(self.length(1)?),
            "VARCHAR" => TypeKind::VarChar(self.length(1)?),
            "STRING" => TypeKind::VarChar(MAX_LENGTH),
            "BINARY" => TypeKind::Binary(self.length(1)?),
            "VARBINARY" => TypeKind::VarBinary(self.length(1)?),
            "BYTES" => TypeKind::VarBinary(MAX_LENGTH),
            "DECIMAL" | "DEC" | "NUMERIC" => self.decimal()?,
            "DATE" => TypeKind::Date,
            "TIME" => {
                let p = self.time_precision(0)?;
                self.without_time_zone()?;
                TypeKind::Time(p)
            }
            "TIMESTAMP" => {
                let p = self.time_precision(6)?;
                if self.eat_keyword("WITH") {
                    self.expect_keyword("LOCAL")?;
                    self.expect_keyword("TIME")?;
                    self.expect_keyword("ZONE")?;
                    TypeKind::LocalZonedTimestamp(p)
                } else {
                    self.without_time_zone()?;
                    TypeKind::Timestamp(p)
                }
            }
            "TIMESTAMP_LTZ" => TypeKind::LocalZonedTimestamp(self.time_precision(6)?),
            "VARIANT" => TypeKind::Variant,
            "BLOB" => TypeKind::Blob,
            "ARRAY" => TypeKind::Array(Box::new(self.bracketed_one(depth)?)),
            "MULTISET" => TypeKind::Multiset(Box::new(self.bracketed_one(depth)?)),
            "MAP" => {
                self.expect_punct('<')?;
                let k = self.data_type(depth + 1)?;
                self.expect_punct(',')?;
                let v = self.data_type(depth + 1)?;
                self.expect_punct('>')?;
                TypeKind::Map(Box::new(k), Box::new(v))
            }
            "ROW" => TypeKind::Row(self.row_fields(depth)?),
            other => return Err(self.err(format!("unknown type {other}"))),
        };
        let nullable = if self.eat_keyword("NOT") {
            self.expect_keyword("NULL")?;
            false
        } else {
            self.eat_keyword("NULL");
            true
        };
        Ok(DataType { nullable, kind })
    }

    fn without_time_zone(&mut self) -> Result<()> {
        if self.eat_keyword("WITHOUT") {
            self.expect_keyword("TIME")?;
            self.expect_keyword("ZONE")?;
        }
        Ok(())
    }

    fn decimal(&mut self) -> Result<TypeKind> {
        let (precision, scale) = if self.eat_punct('(') {
            let p = self.number()?;
            let s = if self.eat_punct(',') {
                self.number()?
            } else {
                0
            };
            self.expect_punct(')')?;
            (p, s)
        } else {
            (10, 0)
        };
        if precision < 1 || precision > u64::from(MAX_DECIMAL_PRECISION) || scale > precision {
            return Err(self.err(format!(
                "DECIMAL({precision}, {scale}) needs 1 <= precision <= 38 and scale <= precision"
            )));
        }
        Ok(TypeKind::Decimal {
            precision: precision as u8,
            scale: scale as u8,
        })
    }

    fn bracketed_one(&mut self, depth: usize) -> Result<DataType> {
        self.expect_punct('<')?;
        let t = self.data_type(depth + 1)?;
        self.expect_punct('>')?;
        Ok(t)
    }

    fn row_fields(&mut self, depth: usize) -> Result<Vec<DataField>> {
        let close = if self.eat_punct('<') {
            '>'
        } else {
            self.expect_punct('(')?;
            ')'
        };
        let mut fields = Vec::new();
        if self.eat_punct(close) {
            return Ok(fields);
        }
        loop {
            fields.push(self.field(depth + 1)?);
            if self.eat_punct(close) {
                return Ok(fields);
            }
            self.expect_punct(',')?;
        }
    }

    /// `name type [COMMENT 'text']`, with a placeholder id (assigned later).
    fn field(&mut self, depth: usize) -> Result<DataField> {
        let name = self.name()?;
        let data_type = self.data_type(depth)?;
        let mut field = DataField::new(-1, name, data_type);
        if self.eat_keyword("COMMENT") {
            match self.next() {
                Some(Token::Quoted(c)) => field.description = Some(c),
                _ => return Err(self.err("expected a quoted comment")),
            }
        }
        Ok(field)
    }
}

/// Parses one type, e.g. `DECIMAL(10, 2) NOT NULL`. Nested ROW fields get ids from 0 in
/// order; callers that place the type in a schema renumber them.
pub(super) fn parse_type(text: &str) -> Result<DataType> {
    let mut p = Parser::new(text)?;
    let mut t = p.data_type(0)?;
    if !p.at_end() {
        return Err(p.err("unexpected text after the type"));
    }
    let mut next = 0;
    assign_ids(&mut t, &mut next);
    Ok(t)
}

/// Parses a column list such as `id BIGINT NOT NULL, name STRING COMMENT 'who'` into fields.
///
/// Ids are assigned the way Paimon does: each column takes the next id, then the fields nested
/// in its type take the following ones, in order.
///
/// ```
/// let fields = strata_core::types::parse_columns("id BIGINT NOT NULL, r ROW<a INT>, s STRING").unwrap();
/// assert_eq!(fields.iter().map(|f| f.id).collect::<Vec<_>>(), vec![0, 1, 3]);
/// ```
pub fn parse_columns(text: &str) -> Result<Vec<DataField>> {
    let mut p = Parser::new(text)?;
    let mut fields = Vec::new();
    loop {
        fields.push(p.field(0)?);
        if p.at_end() {
            break;
        }
        p.expect_punct(',')?;
    }
    let mut next = 0;
    for f in &mut fields {
        f.id = next;
        next += 1;
        assign_ids(&mut f.data_type, &mut next);
    }
    let mut seen = std::collections::HashSet::new();
    for f in &fields {
        if !seen.insert(f.name.as_str()) {
            return Err(Error::invalid_type(
                text,
                format!("duplicate column {}", f.name),
            ));
        }
    }
    Ok(fields)
}

fn assign_ids(t: &mut DataType, next: &mut i32) {
    match &mut t.kind {
        TypeKind::Array(e) | TypeKind::Multiset(e) => assign_ids(e, next),
        TypeKind::Map(k, v) => {
            assign_ids(k, next);
            assign_ids(v, next);
        }
        TypeKind::Row(fields) => {
            for f in fields {
                f.id = *next;
                *next += 1;
                assign_ids(&mut f.data_type, next);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str, printed: &str) {
        let t = parse_type(text).unwrap();
        assert_eq!(t.to_string(), printed, "printing {text}");
        assert_eq!(parse_type(printed).unwrap(), t, "re-parsing {printed}");
    }

    #[test]
    fn atomic_types_parse_and_print_in_java_form() {
        round_trip("INT", "INT");
        round_trip("integer not null", "INT NOT NULL");
        round_trip("DOUBLE PRECISION", "DOUBLE");
        round_trip("STRING", "STRING");
        round_trip("VARCHAR(2147483647)", "STRING");
        round_trip("VARCHAR(10)", "VARCHAR(10)");
        round_trip("CHAR", "CHAR(1)");
        round_trip("BYTES", "BYTES");
        round_trip("BINARY(16)", "BINARY(16)");
        round_trip("NUMERIC", "DECIMAL(10, 0)");
        round_trip("DEC(20,3)", "DECIMAL(20, 3)");
        round_trip("TIME", "TIME(0)");
        round_trip("TIMESTAMP", "TIMESTAMP(6)");
        round_trip("TIMESTAMP(3) WITHOUT TIME ZONE", "TIMESTAMP(3)");
        round_trip("TIMESTAMP_LTZ(6)", "TIMESTAMP(6) WITH LOCAL TIME ZONE");
        round_trip(
            "TIMESTAMP(9) WITH LOCAL TIME ZONE NOT NULL",
            "TIMESTAMP(9) WITH LOCAL TIME ZONE NOT NULL",
        );
        round_trip("VARIANT", "VARIANT");
    }

    #[test]
    fn nested_types_parse() {
        round_trip(
            "ARRAY<INT NOT NULL> NOT NULL",
            "ARRAY<INT NOT NULL> NOT NULL",
        );
        round_trip(
            "MAP<STRING NOT NULL, ARRAY<DOUBLE>>",
            "MAP<STRING NOT NULL, ARRAY<DOUBLE>>",
        );
        round_trip("ROW<a INT, `b c` STRING>", "ROW<`a` INT, `b c` STRING>");
        round_trip("MULTISET<STRING>", "MULTISET<STRING>");
    }

    #[test]
    fn bad_types_are_errors() {
        for bad in [
            "",
            "INTT",
            "DECIMAL(39, 2)",
            "DECIMAL(5, 6)",
            "TIMESTAMP(10)",
            "VARCHAR(0)",
            "ARRAY<INT",
            "INT NOT",
            "INT garbage",
            "ROW<a>",
            "`unclosed",
            "VARCHAR(99999999999999999999999)",
        ] {
            assert!(parse_type(bad).is_err(), "{bad:?} should fail");
        }
        let deep = "ARRAY<".repeat(1000) + "INT" + &">".repeat(1000);
        assert!(parse_type(&deep).is_err());
    }

    #[test]
    fn column_lists_assign_ids_like_paimon() {
        let f =
            parse_columns("id BIGINT NOT NULL, r ROW<a INT, b ROW<c INT>>, s STRING COMMENT 'x'")
                .unwrap();
        assert_eq!(f[0].id, 0);
        assert_eq!(f[1].id, 1);
        let TypeKind::Row(inner) = &f[1].data_type.kind else {
            panic!("row expected")
        };
        assert_eq!(inner[0].id, 2);
        assert_eq!(inner[1].id, 3);
        assert_eq!(f[2].id, 5);
        assert_eq!(f[2].description.as_deref(), Some("x"));
        assert!(parse_columns("a INT, a STRING").is_err());
    }
}
