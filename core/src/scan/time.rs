//! Points in time and snapshots as users write them: epoch milliseconds or ISO-8601 times,
//! snapshot ids, tags. One parser for `strata scan`, `diff` and `stream` and the Wasm reader.

use super::snapshot::SnapshotSpec;
use crate::{Error, Result};

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn digits(s: &str, n: usize) -> Option<u32> {
    (s.len() == n && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// Parses a time: epoch milliseconds (`1700000000000`) or ISO-8601 (`2024-01-02`,
/// `2024-01-02T03:04:05`, `2024-01-02 03:04:05.123`, with `Z` or an offset such as `+02:00`;
/// without one the time is UTC). Returns epoch milliseconds.
pub fn parse_time_millis(text: &str) -> Result<i64> {
    let t = text.trim();
    let bad = |why: &str| {
        Error::InvalidValue(format!(
            "time {t:?}: {why}; use epoch milliseconds or ISO-8601 such as 2024-01-02T03:04:05Z"
        ))
    };
    if !t.is_empty()
        && t.trim_start_matches('-')
            .bytes()
            .all(|b| b.is_ascii_digit())
    {
        return t.parse().map_err(|_| bad("out of range"));
    }
    let (date, rest) = match t.find(['T', 't', ' ']) {
        Some(i) => (&t[..i], &t[i + 1..]),
        None => (t, ""),
    };
    let mut parts = date.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("not a date"));
    };
    let (y, m, d) = match (digits(y, 4), digits(m, 2), digits(d, 2)) {
        (Some(y), Some(m), Some(d)) => (i64::from(y), m, d),
        _ => return Err(bad("not a date")),
    };
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return Err(bad("no such date"));
    }
    // The zone: Z, +HH:MM, -HH:MM (or none: UTC).
    let (clock, offset_min) = if let Some(c) = rest.strip_suffix(['Z', 'z']) {
        (c, 0)
    } else if let Some(i) = rest.rfind(['+', '-']) {
        let (c, z) = rest.split_at(i);
        let sign = if z.starts_with('-') { -1 } else { 1 };
        let (h, mi) = z[1..].split_once(':').unwrap_or((&z[1..], "00"));
        match (digits(h, 2), digits(mi, 2)) {
            (Some(h), Some(mi)) if h < 24 && mi < 60 => (c, sign * i64::from(h * 60 + mi)),
            _ => return Err(bad("bad zone offset")),
        }
    } else {
        (rest, 0)
    };
    let (hms, frac) = clock.split_once('.').unwrap_or((clock, ""));
    let mut hms = hms.split(':');
    let mut field = |max: u32| -> Result<u32> {
        match hms.next() {
            None | Some("") => Ok(0),
            Some(p) => digits(p, 2)
                .filter(|v| *v <= max)
                .ok_or_else(|| bad("bad time of day")),
        }
    };
    let (h, mi, s) = (field(23)?, field(59)?, field(59)?);
    if hms.next().is_some() {
        return Err(bad("bad time of day"));
    }
    if frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("bad fraction of a second"));
    }
    let millis: i64 = format!("{frac:0<3}")[..3].parse().unwrap_or(0);
    let secs =
        days_from_civil(y, m, d) * 86_400 + i64::from(h * 3600 + mi * 60 + s) - offset_min * 60;
    Ok(secs * 1000 + millis)
}

impl SnapshotSpec {
    /// Parses a snapshot as users name it: an id (`3`, `snapshot:3`), a tag (`tag:nightly`),
    /// or a time (`timestamp:` followed by epoch ms or ISO-8601, or an ISO-8601 date-time on
    /// its own): the latest snapshot committed at or before it.
    pub fn parse(text: &str) -> Result<SnapshotSpec> {
        let t = text.trim();
        if let Some(name) = t.strip_prefix("tag:") {
            return Ok(SnapshotSpec::Tag(name.to_string()));
        }
        if let Some(time) = t.strip_prefix("timestamp:") {
            return Ok(SnapshotSpec::TimestampMillis(parse_time_millis(time)?));
        }
        let id = t.strip_prefix("snapshot:").unwrap_or(t);
        if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
            return id.parse().map(SnapshotSpec::Id).map_err(|_| {
                Error::InvalidValue(format!("snapshot {t:?}: the id is out of range"))
            });
        }
        if t.len() >= 10 && t.as_bytes()[4] == b'-' {
            return Ok(SnapshotSpec::TimestampMillis(parse_time_millis(t)?));
        }
        Err(Error::InvalidValue(format!(
            "snapshot {t:?}: use an id (3), tag:NAME, timestamp:MS or an ISO-8601 time"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_as_epoch_millis_or_iso() {
        assert_eq!(
            parse_time_millis("1700000000000").unwrap(),
            1_700_000_000_000
        );
        assert_eq!(parse_time_millis("1970-01-01").unwrap(), 0);
        assert_eq!(
            parse_time_millis("2023-11-14T22:13:20Z").unwrap(),
            1_700_000_000_000
        );
        assert_eq!(
            parse_time_millis("2023-11-14 22:13:20.5").unwrap(),
            1_700_000_000_500
        );
        assert_eq!(
            parse_time_millis("2023-11-15T00:13:20+02:00").unwrap(),
            1_700_000_000_000
        );
        assert_eq!(
            parse_time_millis("2024-02-29T00:00").unwrap(),
            1_709_164_800_000
        );
        assert_eq!(parse_time_millis("1969-12-31T23:59:59Z").unwrap(), -1000);
        for bad in [
            "",
            "yesterday",
            "2023-02-29",
            "2024-13-01",
            "2024-01-01T25:00",
            "2024-01-01T10:00+25:00",
            "2024-1-1",
            "2024-01-01T10:00:00.1234567890",
        ] {
            let e = parse_time_millis(bad).unwrap_err();
            assert!(e.to_string().contains("ISO-8601"), "{bad}: {e}");
        }
    }

    #[test]
    fn snapshots_are_named_by_id_tag_or_time() {
        assert_eq!(SnapshotSpec::parse("3").unwrap(), SnapshotSpec::Id(3));
        assert_eq!(
            SnapshotSpec::parse("snapshot:0").unwrap(),
            SnapshotSpec::Id(0)
        );
        assert_eq!(
            SnapshotSpec::parse("tag:nightly").unwrap(),
            SnapshotSpec::Tag("nightly".into())
        );
        assert_eq!(
            SnapshotSpec::parse("timestamp:1700000000000").unwrap(),
            SnapshotSpec::TimestampMillis(1_700_000_000_000)
        );
        assert_eq!(
            SnapshotSpec::parse("2023-11-14T22:13:20Z").unwrap(),
            SnapshotSpec::TimestampMillis(1_700_000_000_000)
        );
        assert!(SnapshotSpec::parse("nightly").is_err());
        assert!(SnapshotSpec::parse("99999999999999999999").is_err());
    }
}
