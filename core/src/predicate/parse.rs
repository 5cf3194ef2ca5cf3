//! Filter text: `a = 1 AND (b IN ('x', 'y') OR c IS NOT NULL) AND NOT d < 2.5`.
//! Keywords are case-insensitive; strings use single quotes (`''` escapes one); column names
//! may be back-quoted or double-quoted.

use super::{CmpOp, Literal, Predicate};
use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(String),
    Op(&'static str),
    LParen,
    RParen,
    Comma,
}

fn err(text: &str, what: impl std::fmt::Display) -> Error {
    Error::InvalidValue(format!("filter {text:?}: {what}"))
}

fn tokenize(text: &str) -> Result<(Vec<Tok>, Vec<usize>)> {
    let b = text.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    let mut starts = Vec::new();
    while i < b.len() {
        // `i` stays on a char boundary: every branch steps over whole characters.
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        if !c.is_whitespace() {
            starts.push(i);
        }
        if c.is_whitespace() {
            i += c.len_utf8();
        } else if c == '(' {
            out.push(Tok::LParen);
            i += 1;
        } else if c == ')' {
            out.push(Tok::RParen);
            i += 1;
        } else if c == ',' {
            out.push(Tok::Comma);
            i += 1;
        } else if c == '\'' || c == '`' || c == '"' {
            let mut s = Vec::new();
            i += 1;
            loop {
                match b.get(i) {
                    None => return Err(err(text, "unclosed quote")),
                    Some(&q) if q as char == c => {
                        if b.get(i + 1) == Some(&q) {
                            s.push(q);
                            i += 2;
                        } else {
                            i += 1;
                            break;
                        }
                    }
                    Some(&x) => {
                        s.push(x);
                        i += 1;
                    }
                }
            }
            let s = String::from_utf8(s).map_err(|_| err(text, "quoted text is not UTF-8"))?;
            out.push(if c == '\'' {
                Tok::Str(s)
            } else {
                Tok::Ident(s)
            });
        } else if c.is_ascii_digit()
            || ((c == '-' || c == '+' || c == '.')
                && b.get(i + 1)
                    .is_some_and(|d| d.is_ascii_digit() || *d == b'.'))
        {
            let start = i;
            i += 1;
            while i < b.len()
                && (b[i].is_ascii_alphanumeric()
                    || b[i] == b'.'
                    || ((b[i] == b'-' || b[i] == b'+') && matches!(b[i - 1], b'e' | b'E')))
            {
                i += 1;
            }
            out.push(Tok::Num(text[start..i].to_string()));
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            for ch in text[start..].chars() {
                if !(ch.is_alphanumeric() || ch == '_' || ch == '.') {
                    break;
                }
                i += ch.len_utf8();
            }
            out.push(Tok::Ident(text[start..i].to_string()));
        } else {
            let two = text.get(i..i + 2).unwrap_or("");
            let op = match two {
                "<=" => "<=",
                ">=" => ">=",
                "!=" => "!=",
                "<>" => "!=",
                "==" => "=",
                _ => match c {
                    '=' => "=",
                    '<' => "<",
                    '>' => ">",
                    _ => {
                        return Err(err(
                            text,
                            format!("unexpected character {c:?} at position {}", i + 1),
                        ))
                    }
                },
            };
            i += if matches!(two, "<=" | ">=" | "!=" | "<>" | "==") {
                2
            } else {
                1
            };
            out.push(Tok::Op(op));
        }
    }
    Ok((out, starts))
}

/// A token as a person reads it in an error message.
fn describe(tok: Option<&Tok>) -> String {
    match tok {
        None => "the end of the filter".into(),
        Some(Tok::Ident(w)) => format!("the word {w}"),
        Some(Tok::Str(s)) => format!("the string '{s}'"),
        Some(Tok::Num(n)) => format!("the number {n}"),
        Some(Tok::Op(o)) => format!("the operator {o}"),
        Some(Tok::LParen) => "'('".into(),
        Some(Tok::RParen) => "')'".into(),
        Some(Tok::Comma) => "','".into(),
    }
}

struct Parser<'a> {
    text: &'a str,
    toks: Vec<Tok>,
    starts: Vec<usize>,
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    /// "expected X, found Y at position N" for token `idx`.
    fn unexpected(&self, idx: usize, expected: &str) -> Error {
        let at = self.starts.get(idx).map_or(self.text.len(), |&s| s) + 1;
        let mut what = format!(
            "expected {expected}, found {} at position {at}",
            describe(self.toks.get(idx))
        );
        if matches!(self.toks.get(idx), Some(Tok::Ident(w)) if ["LIKE", "BETWEEN"].iter().any(|k| w.eq_ignore_ascii_case(k)))
        {
            what.push_str(" (filters support =, !=, <>, <, <=, >, >=, IN, IS NULL, AND, OR, NOT)");
        }
        err(self.text, what)
    }

    fn peek_kw(&self, kw: &str) -> bool {
        matches!(self.toks.get(self.pos), Some(Tok::Ident(w)) if w.eq_ignore_ascii_case(kw))
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        let hit = self.peek_kw(kw);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn or(&mut self) -> Result<Predicate> {
        let mut items = vec![self.and()?];
        while self.eat_kw("OR") {
            items.push(self.and()?);
        }
        Ok(match <[Predicate; 1]>::try_from(items) {
            Ok([one]) => one,
            Err(items) => Predicate::Or(items),
        })
    }

    fn and(&mut self) -> Result<Predicate> {
        let mut items = vec![self.unary()?];
        while self.eat_kw("AND") {
            items.push(self.unary()?);
        }
        Ok(match <[Predicate; 1]>::try_from(items) {
            Ok([one]) => one,
            Err(items) => Predicate::And(items),
        })
    }

    fn unary(&mut self) -> Result<Predicate> {
        self.depth += 1;
        if self.depth > 64 {
            return Err(err(self.text, "nested too deeply"));
        }
        let p = if self.eat_kw("NOT") {
            Predicate::Not(Box::new(self.unary()?))
        } else if self.toks.get(self.pos) == Some(&Tok::LParen) {
            self.pos += 1;
            let p = self.or()?;
            if self.next() != Some(Tok::RParen) {
                return Err(self.unexpected(self.pos - 1, "')'"));
            }
            p
        } else {
            self.atom()?
        };
        self.depth -= 1;
        Ok(p)
    }

    fn literal(&mut self) -> Result<Literal> {
        match self.next() {
            Some(Tok::Str(s)) => Ok(Literal::String(s)),
            Some(Tok::Num(n)) => Ok(Literal::Number(n)),
            Some(Tok::Ident(w)) if w.eq_ignore_ascii_case("true") => Ok(Literal::Bool(true)),
            Some(Tok::Ident(w)) if w.eq_ignore_ascii_case("false") => Ok(Literal::Bool(false)),
            Some(Tok::Ident(w)) if w.eq_ignore_ascii_case("null") => Ok(Literal::Null),
            _ => Err(self.unexpected(self.pos - 1, "a value")),
        }
    }

    fn atom(&mut self) -> Result<Predicate> {
        let column = match self.next() {
            Some(Tok::Ident(c)) => c,
            _ => return Err(self.unexpected(self.pos - 1, "a column")),
        };
        if self.eat_kw("IS") {
            let negated = self.eat_kw("NOT");
            if !self.eat_kw("NULL") {
                return Err(self.unexpected(self.pos, "NULL after IS"));
            }
            return Ok(Predicate::IsNull { column, negated });
        }
        let negated = self.eat_kw("NOT");
        if self.eat_kw("IN") {
            if self.next() != Some(Tok::LParen) {
                return Err(self.unexpected(self.pos - 1, "'(' after IN"));
            }
            let mut values = vec![self.literal()?];
            loop {
                match self.next() {
                    Some(Tok::Comma) => values.push(self.literal()?),
                    Some(Tok::RParen) => break,
                    _ => return Err(self.unexpected(self.pos - 1, "',' or ')' in the IN list")),
                }
            }
            return Ok(Predicate::In {
                column,
                values,
                negated,
            });
        }
        if negated {
            return Err(self.unexpected(self.pos, "IN after NOT"));
        }
        let op = match self.next() {
            Some(Tok::Op(o)) => match o {
                "=" => CmpOp::Eq,
                "!=" => CmpOp::NotEq,
                "<" => CmpOp::Lt,
                "<=" => CmpOp::LtEq,
                ">" => CmpOp::Gt,
                _ => CmpOp::GtEq,
            },
            _ => {
                return Err(self.unexpected(
                    self.pos - 1,
                    "an operator (=, !=, <>, <, <=, >, >=, IN, IS)",
                ))
            }
        };
        let value = self.literal()?;
        Ok(Predicate::Compare { column, op, value })
    }
}

pub(super) fn parse(text: &str) -> Result<Predicate> {
    let (toks, starts) = tokenize(text)?;
    let mut p = Parser {
        text,
        toks,
        starts,
        pos: 0,
        depth: 0,
    };
    let pred = p.or()?;
    if p.pos != p.toks.len() {
        return Err(p.unexpected(p.pos, "AND, OR or the end of the filter"));
    }
    Ok(pred)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_grammar() {
        let p =
            parse("a = 1 AND (b IN ('x', 'it''s') OR c IS NOT NULL) AND NOT d < -2.5e3").unwrap();
        let Predicate::And(items) = p else { panic!() };
        assert_eq!(items.len(), 3);
        assert_eq!(
            items[0],
            Predicate::Compare {
                column: "a".into(),
                op: CmpOp::Eq,
                value: Literal::Number("1".into())
            }
        );
        let Predicate::Or(inner) = &items[1] else {
            panic!()
        };
        assert_eq!(
            inner[0],
            Predicate::In {
                column: "b".into(),
                values: vec![Literal::String("x".into()), Literal::String("it's".into())],
                negated: false
            }
        );
        assert!(matches!(&items[2], Predicate::Not(_)));
        assert!(parse("`odd name` <> 'x'").is_ok());
        assert!(parse("x NOT IN (1, 2)").is_ok());
    }

    #[test]
    fn bad_filters_are_errors() {
        for bad in [
            "",
            "a =",
            "a = 'x",
            "= 3",
            "a IN 1",
            "(a = 1",
            "a = 1 b = 2",
            "a # 1",
            "a IS 3",
            "a NOT = 1",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        assert!(parse(&("(".repeat(200) + "a = 1" + &")".repeat(200))).is_err());
    }

    #[test]
    fn errors_say_what_was_found_and_where_in_words() {
        let e = parse("v LIKE 'w%'").unwrap_err().to_string();
        assert!(
            e.contains("found the word LIKE at position 3") && e.contains("filters support"),
            "{e}"
        );
        let e = parse("id > ").unwrap_err().to_string();
        assert!(
            e.contains("expected a value, found the end of the filter at position 6"),
            "{e}"
        );
        let e = parse("a = 1 b = 2").unwrap_err().to_string();
        assert!(e.contains("found the word b at position 7"), "{e}");
        for bad in ["a =", "= 3", "a IN 1", "(a = 1", "a IS 3", "a NOT = 1"] {
            let e = parse(bad).unwrap_err().to_string();
            assert!(!e.contains("Some(") && !e.contains("None"), "{bad}: {e}");
        }
    }
}
