//! Deterministic CDC samples: a stream of inserts, updates and deletes of an `orders` table in
//! any of the three formats, with the table it leaves behind. Tests, benchmarks and the
//! README's sample use it.
//!
//! The source table: `id BIGINT` (primary key), `customer STRING`, `qty INT`, `price DOUBLE`,
//! `note STRING` (nullable). Events of one key always go to the same partition
//! (`id % partitions`), as Kafka's key partitioning does, so per-key order holds.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::formats::CdcFormat;

/// One row of the sample table.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    /// Primary key.
    pub id: i64,
    /// Customer name.
    pub customer: String,
    /// Quantity.
    pub qty: i32,
    /// Price.
    pub price: f64,
    /// Free text, sometimes null.
    pub note: Option<String>,
}

impl Order {
    fn json(&self) -> Value {
        json!({"id": self.id, "customer": self.customer, "qty": self.qty, "price": self.price, "note": self.note})
    }
}

/// One event: its partition and its JSON text.
#[derive(Debug, Clone)]
pub struct SampleEvent {
    /// Partition (`id % partitions`).
    pub partition: i32,
    /// The message key (the id as text).
    pub key: String,
    /// The message.
    pub payload: String,
}

/// A generated sample.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    /// The events, in order.
    pub events: Vec<SampleEvent>,
    /// The source table after all events, by id.
    pub table: BTreeMap<i64, Order>,
    /// Row changes the events carry: `(kind, row)`, `kind` one of `+I -U +U -D`.
    pub changes: Vec<(&'static str, Order)>,
}

/// A small deterministic generator (xorshift64*).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// Seeded generator.
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    /// Next value.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

const NAMES: [&str; 6] = ["ada", "grace", "linus", "barbara", "ken", "margaret"];

/// Generates `events` events over `keys` ids in `format`, spread over `partitions`.
pub fn generate(format: CdcFormat, keys: u64, events: usize, partitions: i32, seed: u64) -> Sample {
    let mut rng = Rng::new(seed);
    let mut s = Sample::default();
    let mut ts: i64 = 1_700_000_000_000;
    for _ in 0..events {
        ts += 1;
        let id = rng.below(keys) as i64 + 1;
        let fresh = |rng: &mut Rng| Order {
            id,
            customer: NAMES[rng.below(NAMES.len() as u64) as usize].to_string(),
            qty: rng.below(100) as i32,
            price: (rng.below(100_000) as f64) / 100.0,
            note: (rng.below(4) == 0).then(|| format!("note {}", rng.below(1000))),
        };
        let (op, before, after) = match s.table.get(&id).cloned() {
            None => ("c", None, Some(fresh(&mut rng))),
            Some(old) if rng.below(10) < 7 => ("u", Some(old), Some(fresh(&mut rng))),
            Some(old) => ("d", Some(old), None),
        };
        match (&before, &after) {
            (None, Some(a)) => s.changes.push(("+I", a.clone())),
            (Some(b), Some(a)) => {
                s.changes.push(("-U", b.clone()));
                s.changes.push(("+U", a.clone()));
            }
            (Some(b), None) => s.changes.push(("-D", b.clone())),
            (None, None) => unreachable!("every event has a row"),
        }
        match &after {
            Some(a) => s.table.insert(id, a.clone()),
            None => s.table.remove(&id),
        };
        let payload = match format {
            CdcFormat::Debezium => debezium(op, before.as_ref(), after.as_ref(), ts),
            CdcFormat::Canal => canal(op, before.as_ref(), after.as_ref(), ts),
            CdcFormat::Maxwell => maxwell(op, before.as_ref(), after.as_ref(), ts),
        };
        s.events.push(SampleEvent {
            partition: (id % i64::from(partitions.max(1))) as i32,
            key: id.to_string(),
            payload: payload.to_string(),
        });
    }
    s
}

fn debezium(op: &str, before: Option<&Order>, after: Option<&Order>, ts: i64) -> Value {
    let field = |t: &str, name: &str, optional: bool| json!({"type": t, "optional": optional, "field": name});
    let row = json!({"type": "struct", "optional": true, "fields": [
        field("int64", "id", false), field("string", "customer", false),
        field("int32", "qty", false), field("double", "price", false), field("string", "note", true),
    ]});
    let mut before_s = row.clone();
    before_s["field"] = json!("before");
    let mut after_s = row;
    after_s["field"] = json!("after");
    json!({
        "schema": {"type": "struct", "optional": false, "name": "shop.orders.Envelope",
                   "fields": [before_s, after_s, {"type": "string", "optional": false, "field": "op"}]},
        "payload": {"before": before.map(Order::json), "after": after.map(Order::json), "op": op,
                    "ts_ms": ts, "source": {"db": "shop", "table": "orders"}},
    })
}

fn canal_row(o: &Order) -> Value {
    json!({"id": o.id.to_string(), "customer": o.customer, "qty": o.qty.to_string(),
           "price": o.price.to_string(), "note": o.note})
}

fn canal(op: &str, before: Option<&Order>, after: Option<&Order>, ts: i64) -> Value {
    let (kind, data, old) = match (op, before, after) {
        ("c", _, _) => ("INSERT", after.map(canal_row), Value::Null),
        ("u", Some(b), Some(a)) => {
            // Canal's `old` holds only the changed columns' previous values.
            let mut old = serde_json::Map::new();
            if a.customer != b.customer {
                old.insert("customer".into(), json!(b.customer));
            }
            if a.qty != b.qty {
                old.insert("qty".into(), json!(b.qty.to_string()));
            }
            if a.price != b.price {
                old.insert("price".into(), json!(b.price.to_string()));
            }
            if a.note != b.note {
                old.insert("note".into(), json!(b.note));
            }
            ("UPDATE", Some(canal_row(a)), json!([old]))
        }
        _ => ("DELETE", before.map(canal_row), Value::Null),
    };
    json!({"data": [data], "old": old, "type": kind, "database": "shop", "table": "orders",
           "isDdl": false, "pkNames": ["id"], "es": ts, "ts": ts,
           "mysqlType": {"id": "bigint", "customer": "varchar(64)", "qty": "int(11)",
                         "price": "double", "note": "varchar(255)"}})
}

fn maxwell(op: &str, before: Option<&Order>, after: Option<&Order>, ts: i64) -> Value {
    match (op, before, after) {
        ("c", _, _) => {
            json!({"database": "shop", "table": "orders", "type": "insert", "ts": ts / 1000,
                      "data": after.map(Order::json), "primary_key_columns": ["id"]})
        }
        ("u", Some(b), Some(a)) => {
            let mut old = serde_json::Map::new();
            for (k, (x, y)) in [
                ("customer", (json!(a.customer), json!(b.customer))),
                ("qty", (json!(a.qty), json!(b.qty))),
                ("price", (json!(a.price), json!(b.price))),
                ("note", (json!(a.note), json!(b.note))),
            ] {
                if x != y {
                    old.insert(k.into(), y);
                }
            }
            json!({"database": "shop", "table": "orders", "type": "update", "ts": ts / 1000,
                   "data": a.json(), "old": old, "primary_key_columns": ["id"]})
        }
        _ => json!({"database": "shop", "table": "orders", "type": "delete", "ts": ts / 1000,
                    "data": before.map(Order::json), "primary_key_columns": ["id"]}),
    }
}
