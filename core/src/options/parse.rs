//! Option values parsed the way Paimon's `OptionsUtils`, `MemorySize` and `TimeUtils` parse
//! them, so a value Strata accepts is one Paimon Java accepts too.

use core::time::Duration;

/// The units Paimon's `MemorySize` knows, with their multipliers.
const MEMORY_UNITS: &[(&[&str], u64)] = &[
    (&["b", "bytes"], 1),
    (&["k", "kb", "kibibytes"], 1 << 10),
    (&["m", "mb", "mebibytes"], 1 << 20),
    (&["g", "gb", "gibibytes"], 1 << 30),
    (&["t", "tb", "tebibytes"], 1 << 40),
];

/// The labels Paimon's `TimeUtils` knows, with the unit's length in nanoseconds.
const TIME_UNITS: &[(&[&str], u128)] = &[
    (&["d", "day", "days"], 86_400_000_000_000),
    (&["h", "hour", "hours"], 3_600_000_000_000),
    (&["min", "m", "minute", "minutes"], 60_000_000_000),
    (&["s", "sec", "secs", "second", "seconds"], 1_000_000_000),
    (
        &["ms", "milli", "millis", "millisecond", "milliseconds"],
        1_000_000,
    ),
    (
        &["µs", "micro", "micros", "microsecond", "microseconds"],
        1_000,
    ),
    (&["ns", "nano", "nanos", "nanosecond", "nanoseconds"], 1),
];

/// What a memory size looks like, for messages.
pub const MEMORY_SIZE_HINT: &str =
    "a memory size such as 128 mb, 64kb, 1 g or 4096 (bytes); units: b, k/kb, m/mb, g/gb, t/tb";

/// What a duration looks like, for messages.
pub const DURATION_HINT: &str =
    "a duration such as 1 h, 30 min, 10 s, 100 ms or 2 d; a plain number is milliseconds";

/// The leading digits of `text` (trimmed) as a number, and the rest, trimmed and lower-cased.
fn number_and_unit(text: &str) -> Option<(u64, String)> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    // Java's Long.parseLong: at most i64::MAX.
    let n: i64 = num.parse().ok()?;
    Some((n as u64, unit.trim().to_lowercase()))
}

/// A memory size in bytes, as `MemorySize.parse` reads it: digits, then an optional unit
/// (`b`, `bytes`, `k`, `kb`, `kibibytes`, `m`, `mb`, ..., `tebibytes`; any case), spaces
/// allowed around. `None` if Paimon would refuse it (no digits, unknown unit, overflow).
pub fn parse_memory_size(text: &str) -> Option<u64> {
    let (n, unit) = number_and_unit(text)?;
    let mult = if unit.is_empty() {
        1
    } else {
        MEMORY_UNITS
            .iter()
            .find(|(names, _)| names.contains(&unit.as_str()))?
            .1
    };
    n.checked_mul(mult).filter(|b| *b <= i64::MAX as u64)
}

/// A duration, as `TimeUtils.parseDuration` reads it: digits, then an optional unit label
/// (`d`, `h`, `min`/`m`, `s`, `ms`, `µs`, `ns` and their long forms); a bare number is
/// milliseconds. `None` if Paimon would refuse it.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let (n, unit) = number_and_unit(text)?;
    let nanos_per = if unit.is_empty() {
        1_000_000
    } else {
        TIME_UNITS
            .iter()
            .find(|(labels, _)| labels.contains(&unit.as_str()))?
            .1
    };
    let nanos = (n as u128).checked_mul(nanos_per)?;
    // Java's Duration holds at most i64::MAX seconds.
    let secs = u64::try_from(nanos / 1_000_000_000)
        .ok()
        .filter(|s| *s <= i64::MAX as u64)?;
    Some(Duration::new(secs, (nanos % 1_000_000_000) as u32))
}

/// A boolean as `OptionsUtils.convertToBoolean` reads it: `true` or `false` in any case,
/// nothing around.
pub fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// An int as Java's `Integer.parseInt` reads it (an optional sign, digits, nothing around).
pub fn parse_int(text: &str) -> Option<i32> {
    text.parse().ok()
}

/// A long as Java's `Long.parseLong` reads it.
pub fn parse_long(text: &str) -> Option<i64> {
    text.parse().ok()
}

/// A float or double as Java's `Double.parseDouble` reads the usual forms: spaces around,
/// an optional `f`/`d` suffix, `NaN` and `Infinity`.
pub fn parse_double(text: &str) -> Option<f64> {
    let t = text.trim();
    let t = t
        .strip_suffix(['f', 'F', 'd', 'D'])
        .filter(|s| !s.is_empty())
        .unwrap_or(t);
    let unsigned = t.trim_start_matches(['+', '-']);
    if unsigned == "Infinity" || unsigned == "NaN" {
        return t.replace("Infinity", "inf").parse().ok();
    }
    // Rust also takes "inf" and "nan" in any case, Java does not.
    if unsigned
        .chars()
        .any(|c| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
    {
        return None;
    }
    t.parse().ok()
}

/// The value of `values` that `text` names, compared as Paimon compares enum constants
/// (case-insensitively, nothing around).
pub fn parse_enum(text: &str, values: &'static [&'static str]) -> Option<&'static str> {
    values
        .iter()
        .copied()
        .find(|v| v.to_uppercase() == text.to_uppercase())
}

/// The `key:value` pairs of a map option, or the first item that is not a pair.
pub fn parse_map(text: &str) -> Result<Vec<(&str, &str)>, &str> {
    text.split(',')
        .filter(|item| !item.trim().is_empty())
        .map(|item| match item.split_once(':') {
            Some((k, v)) if !k.trim().is_empty() && !v.contains(':') => Ok((k.trim(), v.trim())),
            _ => Err(item),
        })
        .collect()
}

/// The trimmed, non-empty items of a comma-separated list.
pub fn parse_list(text: &str) -> Vec<&str> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}
