//! Metadata JSON for JavaScript, whose numbers are doubles: 64-bit integers beyond 2^53 - 1
//! (a batch commit's `commitIdentifier` is `Long.MAX_VALUE`) would silently lose precision
//! in `JSON.parse`, so they travel as `{"$int64": "digits"}`, which the package's reviver
//! turns into a `BigInt`.

use serde_json::Value;

/// Largest integer a double holds exactly.
const MAX_SAFE: u64 = (1 << 53) - 1;

/// `text` (JSON) with every integer beyond ±(2^53 - 1) wrapped as `{"$int64": "..."}`.
/// Text that does not parse is returned as is.
pub fn safe_for_js(text: &str) -> String {
    match serde_json::from_str::<Value>(text) {
        Ok(mut v) => {
            wrap(&mut v);
            v.to_string()
        }
        Err(_) => text.to_string(),
    }
}

fn wrap(v: &mut Value) {
    match v {
        Value::Number(n) => {
            let big = n
                .as_i64()
                .map(|i| i.unsigned_abs() > MAX_SAFE)
                .or_else(|| n.as_u64().map(|u| u > MAX_SAFE))
                .unwrap_or(false);
            if big {
                let digits = n.to_string();
                *v = serde_json::json!({ "$int64": digits });
            }
        }
        Value::Array(items) => items.iter_mut().for_each(wrap),
        Value::Object(fields) => fields.values_mut().for_each(wrap),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::safe_for_js;

    #[test]
    fn wraps_only_unsafe_integers() {
        let out = safe_for_js(
            r#"{"id":3,"commitIdentifier":9223372036854775807,"watermark":-9223372036854775808,"safe":9007199254740991,"f":1.5,"a":[9007199254740992]}"#,
        );
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["id"], 3);
        assert_eq!(v["commitIdentifier"]["$int64"], "9223372036854775807");
        assert_eq!(v["watermark"]["$int64"], "-9223372036854775808");
        assert_eq!(v["safe"], 9007199254740991u64);
        assert_eq!(v["f"], 1.5);
        assert_eq!(v["a"][0]["$int64"], "9007199254740992");
    }
}
