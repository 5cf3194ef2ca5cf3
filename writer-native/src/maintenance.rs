//! Maintenance commands: `strata expire`, `strata tag` and `strata clean-orphans`.

use std::time::Duration;

use crate::now_millis;
use bytes::Bytes;
use strata_core::expire::{expire, Removed, Retention};
use strata_core::orphan::clean_orphans;
use strata_core::snapshot::{latest_snapshot_id, tag_path, LocalDateTime, Snapshot, Tag};
use strata_core::storage::Storage;
use strata_core::{Error, Result};

/// Parses a duration such as `90s`, `30min`, `1h`, `2d`, `500ms` (a bare number is seconds).
pub fn parse_duration(text: &str) -> Result<Duration> {
    let t = text.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| Error::InvalidValue(format!("duration {text:?}: no number")))?;
    let secs = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "s" | "sec" | "secs" | "second" | "seconds" => n,
        "ms" | "millis" => n / 1000.0,
        "m" | "min" | "mins" | "minute" | "minutes" => n * 60.0,
        "h" | "hour" | "hours" => n * 3600.0,
        "d" | "day" | "days" => n * 86400.0,
        other => {
            return Err(Error::InvalidValue(format!(
                "duration {text:?}: unknown unit {other:?}"
            )))
        }
    };
    Duration::try_from_secs_f64(secs)
        .map_err(|_| Error::InvalidValue(format!("duration {text:?} out of range")))
}

/// `strata expire` (`dry_run`: only report what would go).
pub async fn run_expire(
    storage: &dyn Storage,
    retention: Retention,
    dry_run: bool,
) -> Result<Removed> {
    expire(storage, retention, now_millis(), dry_run).await
}

/// `strata clean-orphans`: files older than `older_than` that nothing uses (`dry_run`: only
/// report them).
pub async fn run_clean_orphans(
    storage: &dyn Storage,
    older_than: Duration,
    dry_run: bool,
) -> Result<Removed> {
    let age = i64::try_from(older_than.as_millis()).unwrap_or(i64::MAX);
    clean_orphans(storage, now_millis().saturating_sub(age), dry_run).await
}

fn local_now() -> LocalDateTime {
    let ms = now_millis();
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    let (y, m, d) = strata_core::path::civil_from_days(days);
    LocalDateTime {
        year: y as i32,
        month: m,
        day: d,
        hour: (in_day / 3_600_000) as u32,
        minute: (in_day / 60_000 % 60) as u32,
        second: (in_day / 1000 % 60) as u32,
        nano: (in_day % 1000 * 1_000_000) as u32,
    }
}

/// Creates tag `name` on snapshot `id` (the latest by default); refuses an existing tag.
pub async fn create_tag(storage: &dyn Storage, name: &str, id: Option<i64>) -> Result<Tag> {
    strata_core::path::check_file_name(&format!("tag-{name}"), "tag name")?;
    let id = match id {
        Some(id) => id,
        None => latest_snapshot_id(storage)
            .await?
            .ok_or_else(|| Error::InvalidValue("the table has no snapshot to tag".into()))?,
    };
    let tag = Tag {
        snapshot: Snapshot::load(storage, id).await?,
        tag_create_time: Some(local_now()),
        tag_time_retained: None,
    };
    storage
        .put_if_absent(&tag_path(name), Bytes::from(tag.to_json()))
        .await
        .map_err(|e| match e {
            Error::AlreadyExists { .. } => {
                Error::InvalidValue(format!("tag {name:?} already exists"))
            }
            other => other,
        })?;
    Ok(tag)
}

/// Deletes tag `name` (its files go with the next expiration or orphan cleaning).
pub async fn delete_tag(storage: &dyn Storage, name: &str) -> Result<()> {
    strata_core::path::check_file_name(&format!("tag-{name}"), "tag name")?;
    if storage.head(&tag_path(name)).await?.is_none() {
        return Err(Error::NotFound {
            path: format!("tag {name:?}"),
        });
    }
    storage.delete(&tag_path(name)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("1h").unwrap(), Duration::from_secs(3600));
        assert_eq!(parse_duration("2d").unwrap(), Duration::from_secs(172_800));
        assert_eq!(parse_duration("30min").unwrap(), Duration::from_secs(1800));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5 fortnights").is_err());
    }
}
