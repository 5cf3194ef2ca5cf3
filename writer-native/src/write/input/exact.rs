//! Exact conversions of input values: numbers read from text without rounding or truncation,
//! and casts of typed (Parquet, Arrow) columns refused where they would change a value.
//!
//! A number text fits an integer or decimal column when its value is exactly representable:
//! `1.0` and `1e3` are whole numbers and fit BIGINT; `1.5` does not; `1.50` fits
//! DECIMAL(10, 2) and `1.234` does not. An empty text is null (CSV's convention).

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{
    Array, ArrayRef, Decimal128Array, Int16Array, Int32Array, Int64Array, Int8Array,
};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::DataType as ArrowType;
use strata_core::read::evolution::conform;

/// The longest value or name an error message shows whole.
const SHOWN: usize = 200;

/// `s` as an error message shows it: cut after [`SHOWN`] characters, with its length.
pub(crate) fn clip(s: &str) -> String {
    match s.char_indices().nth(SHOWN) {
        None => s.to_string(),
        Some((end, _)) => format!("{}… ({} characters)", &s[..end], s.chars().count()),
    }
}

/// `name` with its indefinite article: `a BIGINT`, `an INT`.
pub(crate) fn a(name: &str) -> String {
    match name.as_bytes().first() {
        Some(b'A' | b'E' | b'I' | b'O' | b'U') => format!("an {name}"),
        _ => format!("a {name}"),
    }
}

/// An integer or decimal column type, which input text must fit exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exact {
    /// TINYINT, SMALLINT, INT or BIGINT: the bits.
    Int(u32),
    /// DECIMAL(precision, scale).
    Decimal(u8, i8),
}

/// Why a number text does not fit.
enum Misfit {
    NotANumber,
    Fraction,
    TooBig,
}

impl Exact {
    /// The exact type an Arrow column type is, if it is one.
    pub(crate) fn of(t: &ArrowType) -> Option<Exact> {
        match t {
            ArrowType::Int8 => Some(Exact::Int(8)),
            ArrowType::Int16 => Some(Exact::Int(16)),
            ArrowType::Int32 => Some(Exact::Int(32)),
            ArrowType::Int64 => Some(Exact::Int(64)),
            ArrowType::Decimal128(p, s) if *s >= 0 => Some(Exact::Decimal(*p, *s)),
            _ => None,
        }
    }

    fn name(&self) -> String {
        match self {
            Exact::Int(8) => "TINYINT".into(),
            Exact::Int(16) => "SMALLINT".into(),
            Exact::Int(32) => "INT".into(),
            Exact::Int(_) => "BIGINT".into(),
            Exact::Decimal(p, s) => format!("DECIMAL({p}, {s})"),
        }
    }

    fn scale(&self) -> u32 {
        match self {
            Exact::Int(_) => 0,
            Exact::Decimal(_, s) => *s as u32,
        }
    }

    /// The value of number text `text` (an integer, or a decimal's unscaled value), or why it
    /// does not fit; `shown` is how the message shows the value (e.g. with its JSON quotes).
    pub(crate) fn parse(&self, text: &str, shown: &str) -> Result<i128, String> {
        let v = unscaled(text, self.scale()).and_then(|v| match self {
            Exact::Int(bits) => {
                let max = (1i128 << (bits - 1)) - 1;
                if v > max || v < -max - 1 {
                    Err(Misfit::TooBig)
                } else {
                    Ok(v)
                }
            }
            Exact::Decimal(p, _) => {
                if v.unsigned_abs() >= 10u128.pow(*p as u32) {
                    Err(Misfit::TooBig)
                } else {
                    Ok(v)
                }
            }
        });
        v.map_err(|why| self.misfit(why, shown))
    }

    fn misfit(&self, why: Misfit, shown: &str) -> String {
        let shown = clip(shown);
        let name = self.name();
        match (why, self) {
            (Misfit::NotANumber, _) => format!("{shown} is not {}", a(&name)),
            (Misfit::Fraction, Exact::Int(_)) => {
                format!("{shown} is not {} (it has a fraction)", a(&name))
            }
            (Misfit::TooBig, Exact::Int(_)) => format!("{shown} is out of range for {name}"),
            (Misfit::Fraction, Exact::Decimal(_, s)) => {
                format!("{shown} does not fit {name} (more than {s} digits after the point)")
            }
            (Misfit::TooBig, Exact::Decimal(p, s)) => format!(
                "{shown} does not fit {name} (more than {} digits before the point)",
                p - *s as u8
            ),
        }
    }

    /// The text arrow's decoders read as exactly `v`: digits, and for a decimal the point.
    pub(crate) fn plain(&self, v: i128) -> String {
        match self {
            Exact::Int(_) | Exact::Decimal(_, 0) => v.to_string(),
            Exact::Decimal(_, s) => {
                let digits = format!("{:0>width$}", v.unsigned_abs(), width = *s as usize + 1);
                let (int, frac) = digits.split_at(digits.len() - *s as usize);
                format!("{}{int}.{frac}", if v < 0 { "-" } else { "" })
            }
        }
    }

    /// Whether arrow's decoders read `text` (a JSON number this type fits) exactly as it is:
    /// plain digits, with a point only for decimals and no more digits after it than the
    /// scale.
    pub(crate) fn reads_exactly(&self, text: &str) -> bool {
        let digits = text.strip_prefix('-').unwrap_or(text);
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        match (self, digits.split_once('.')) {
            (_, None) => all_digits(digits),
            (Exact::Decimal(_, s), Some((int, frac))) => {
                all_digits(int) && all_digits(frac) && frac.len() <= *s as usize
            }
            (Exact::Int(_), Some(_)) => false,
        }
    }

    /// An array of this type from exact values.
    fn array(&self, values: Vec<Option<i128>>) -> Result<ArrayRef, String> {
        // The values were range-checked by `parse`.
        let v = values.into_iter();
        Ok(match self {
            Exact::Int(8) => Arc::new(v.map(|x| x.map(|x| x as i8)).collect::<Int8Array>()),
            Exact::Int(16) => Arc::new(v.map(|x| x.map(|x| x as i16)).collect::<Int16Array>()),
            Exact::Int(32) => Arc::new(v.map(|x| x.map(|x| x as i32)).collect::<Int32Array>()),
            Exact::Int(_) => Arc::new(v.map(|x| x.map(|x| x as i64)).collect::<Int64Array>()),
            Exact::Decimal(p, s) => Arc::new(
                v.collect::<Decimal128Array>()
                    .with_precision_and_scale(*p, *s)
                    .map_err(|e| e.to_string())?,
            ),
        })
    }
}

/// `text` (`[+-]digits[.digits][e[+-]digits]`) times 10^`scale`, when that is a whole number
/// of at most 38 digits.
fn unscaled(text: &str, scale: u32) -> Result<i128, Misfit> {
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exp) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.len() + frac.len() == 0 || !digits(int) || !digits(frac) {
        return Err(Misfit::NotANumber);
    }
    // Exponent, saturated: beyond +-10^6 only the sign matters.
    let exp: i64 = match exp {
        None => 0,
        Some(e) => {
            let (neg, d) = match e.as_bytes().first() {
                Some(b'-') => (true, &e[1..]),
                Some(b'+') => (false, &e[1..]),
                _ => (false, e),
            };
            if d.is_empty() || !digits(d) {
                return Err(Misfit::NotANumber);
            }
            let d = d.trim_start_matches('0');
            let v = if d.len() > 7 {
                10_000_000
            } else {
                d.parse::<i64>().unwrap_or(0)
            };
            if neg {
                -v
            } else {
                v
            }
        }
    };
    // Significant digits (of int then frac), and the power of ten they are multiplied by.
    let all = || int.bytes().chain(frac.bytes());
    let len = int.len() + frac.len();
    let leading = all().take_while(|&b| b == b'0').count();
    if leading == len {
        return Ok(0);
    }
    let trailing = frac
        .bytes()
        .rev()
        .chain(int.bytes().rev())
        .take_while(|&b| b == b'0')
        .count();
    let significant = len - leading - trailing;
    let power = exp - frac.len() as i64 + trailing as i64 + scale as i64;
    if power < 0 {
        return Err(Misfit::Fraction);
    }
    if significant as i64 + power > 38 {
        return Err(Misfit::TooBig);
    }
    let v = all()
        .skip(leading)
        .take(significant)
        .fold(0i128, |v, b| v * 10 + i128::from(b - b'0'))
        * 10i128.pow(power as u32);
    Ok(if negative { -v } else { v })
}

fn is_string(t: &ArrowType) -> bool {
    match t {
        ArrowType::Utf8 | ArrowType::LargeUtf8 | ArrowType::Utf8View => true,
        ArrowType::Dictionary(_, v) => is_string(v),
        _ => false,
    }
}

fn is_float(t: &ArrowType) -> bool {
    matches!(
        t,
        ArrowType::Float16 | ArrowType::Float32 | ArrowType::Float64
    )
}

/// Row `r` of `a` as text.
fn show(a: &dyn Array, r: usize) -> String {
    let opts = FormatOptions::default().with_display_error(true);
    match ArrayFormatter::try_new(a, &opts) {
        Ok(f) => clip(&f.value(r).to_string()),
        Err(_) => "the value".into(),
    }
}

/// `array` as `target` (a table column's type), refusing to change values: strings parse
/// exactly into integers and decimals; other casts must give back the same values when cast
/// back (floats may narrow, as any float written to a FLOAT column does). Errors give the
/// row (0-based; `None` for the whole column) and what is wrong.
pub(crate) fn exact_cast(
    array: &ArrayRef,
    target: &ArrowType,
    type_name: &str,
) -> Result<ArrayRef, (Option<usize>, String)> {
    let from = array.data_type();
    if from == target || strata_core::read::evolution::same_shape(from, target) {
        return conform(array, target).map_err(|e| (None, e));
    }
    if let (true, Some(exact)) = (is_string(from), Exact::of(target)) {
        let strings = conform(array, &ArrowType::Utf8).map_err(|e| (None, e))?;
        let strings = strings.as_string::<i32>();
        let values = (0..strings.len())
            .map(|r| match strings.is_valid(r).then(|| strings.value(r)) {
                None | Some("") => Ok(None),
                Some(s) => exact
                    .parse(s, &format!("{s:?}"))
                    .map(Some)
                    .map_err(|e| (Some(r), e)),
            })
            .collect::<Result<Vec<_>, _>>()?;
        return exact.array(values).map_err(|e| (None, e));
    }
    let out = conform(array, target).map_err(|e| (None, e))?;
    if out.null_count() > array.null_count() {
        if let Some(r) = (0..array.len()).find(|&r| array.is_valid(r) && out.is_null(r)) {
            let v = show(array.as_ref(), r);
            return Err((Some(r), format!("{v} is not {}", a(type_name))));
        }
    }
    if is_float(from) && is_float(target) {
        // Narrowing rounds, as writing any float to a FLOAT column does; overflow is refused.
        let wide = |a: &ArrayRef| arrow_cast::cast(a, &ArrowType::Float64).ok();
        if let (Some(a), Some(b)) = (wide(array), wide(&out)) {
            let (a, b) = (
                a.as_primitive::<Float64Type>(),
                b.as_primitive::<Float64Type>(),
            );
            if let Some(r) = (0..a.len())
                .find(|&r| a.is_valid(r) && a.value(r).is_finite() && !b.value(r).is_finite())
            {
                let v = show(array.as_ref(), r);
                return Err((Some(r), format!("{v} is out of range for {type_name}")));
            }
        }
        return Ok(out);
    }
    if is_string(from) || is_string(target) || matches!(target, ArrowType::Binary) {
        return Ok(out);
    }
    // The cast must be undone by the cast back.
    let Ok(back) = arrow_cast::cast(&out, from) else {
        return Ok(out);
    };
    if back.to_data() == array.to_data() {
        return Ok(out);
    }
    let r = (0..array.len())
        .find(|&r| array.slice(r, 1).to_data() != back.slice(r, 1).to_data())
        .unwrap_or(0);
    let (v, w) = (show(array.as_ref(), r), show(out.as_ref(), r));
    Err((
        Some(r),
        format!("{v} is not {} (it would be stored as {w})", a(type_name)),
    ))
}
