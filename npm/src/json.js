// Arrow rows as plain, JSON-safe objects: what `JSON.stringify` can write without throwing
// (64-bit integers) or losing digits (decimals), with dates and times as ISO-8601 text.

import { DataType } from 'apache-arrow'

const SAFE = BigInt(Number.MAX_SAFE_INTEGER)

function int64 (v) {
  const b = BigInt(v)
  return b <= SAFE && b >= -SAFE ? Number(b) : b.toString()
}

/** An unscaled decimal (its digits as text, with sign) with the point put back. */
function decimal (unscaled, scale) {
  let digits = String(unscaled)
  const negative = digits.startsWith('-')
  if (negative) digits = digits.slice(1)
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0')
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`
  }
  return negative ? `-${digits}` : digits
}

function float (v) {
  return Number.isFinite(v) ? v : String(v) // 'NaN', 'Infinity', '-Infinity'
}

const pad = (n, w) => String(n).padStart(w, '0')

/** A timestamp given as (possibly fractional) epoch milliseconds, to the microsecond. */
function timestamp (ms, zoned) {
  const whole = Math.floor(ms)
  let micros = Math.round((ms - whole) * 1000)
  let base = whole
  if (micros === 1000) { base += 1; micros = 0 }
  const iso = new Date(base).toISOString().slice(0, -1) // without the Z
  return `${iso}${micros ? pad(micros, 3) : ''}${zoned ? 'Z' : ''}`
}

/** Milliseconds of the day (a TIME column), as HH:MM:SS.fff. */
function timeOfDay (ms) {
  const whole = Math.floor(ms)
  return `${pad(Math.floor(whole / 3600000), 2)}:${pad(Math.floor(whole / 60000) % 60, 2)}:` +
    `${pad(Math.floor(whole / 1000) % 60, 2)}.${pad(whole % 1000, 3)}`
}

function base64 (bytes) {
  let text = ''
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000))
  }
  return btoa(text)
}

/** One value of Arrow type `type`, JSON-safe. */
export function jsonValue (v, type) {
  if (v === null || v === undefined) return null
  if (DataType.isDecimal(type)) return decimal(v, type.scale)
  if (DataType.isInt(type)) return type.bitWidth === 64 ? int64(v) : v
  if (DataType.isFloat(type)) return float(v)
  if (DataType.isTimestamp(type)) {
    return timestamp(v instanceof Date ? v.getTime() : Number(v), type.timezone != null)
  }
  if (DataType.isDate(type)) {
    return new Date(v instanceof Date ? v.getTime() : Number(v)).toISOString().slice(0, 10)
  }
  if (DataType.isTime(type)) {
    // Arrow hands back TIME in its unit: s, ms, µs (a bigint) or ns (a bigint).
    const perMs = [1 / 1000, 1, 1000, 1000000][type.unit]
    return timeOfDay(Number(v) / perMs)
  }
  if (DataType.isBinary(type) || DataType.isFixedSizeBinary(type) || DataType.isLargeBinary?.(type)) {
    return base64(v)
  }
  if (DataType.isList(type) || DataType.isFixedSizeList(type)) {
    const child = type.children[0].type
    const out = new Array(v.length)
    for (let j = 0; j < v.length; j++) out[j] = jsonValue(v.get(j), child)
    return out
  }
  if (DataType.isStruct(type)) {
    const out = {}
    for (const f of type.children) out[f.name] = jsonValue(v[f.name], f.type)
    return out
  }
  if (DataType.isMap(type)) {
    const [keyField, valueField] = type.children[0].type.children
    const pairs = []
    for (const [k, val] of v) pairs.push([jsonValue(k, keyField.type), jsonValue(val, valueField.type)])
    return DataType.isUtf8(keyField.type) || DataType.isLargeUtf8?.(keyField.type)
      ? Object.fromEntries(pairs)
      : pairs
  }
  if (typeof v === 'bigint') return int64(v)
  return v
}

/**
 * The rows of an Arrow `Table` or `RecordBatch` (what `scan`, `diff` and `batches` give) as
 * plain objects that `JSON.stringify` writes exactly: DECIMAL as a string with its scale
 * (`'50.10'`); BIGINT as a number when it is a safe integer, else a string; TIMESTAMP as
 * ISO-8601 text to the microsecond (`'2024-01-02T03:04:05.123456'`, with `Z` for
 * TIMESTAMP WITH LOCAL TIME ZONE); DATE as `'2024-01-02'`; TIME as `'03:04:05.123'`;
 * binaries as base64; NaN and infinities as `'NaN'`, `'Infinity'`, `'-Infinity'`; ARRAY as
 * arrays, ROW as objects, MAP as an object (string keys) or `[key, value]` pairs.
 */
export function jsonRows (data) {
  if (!data || !data.schema || typeof data.getChildAt !== 'function') {
    throw new TypeError('jsonRows takes an Arrow Table or RecordBatch (what scan, diff and batches return)')
  }
  const fields = data.schema.fields
  const columns = fields.map((_, i) => data.getChildAt(i))
  const rows = new Array(data.numRows)
  for (let r = 0; r < data.numRows; r++) {
    const row = {}
    for (let c = 0; c < fields.length; c++) row[fields[c].name] = jsonValue(columns[c].get(r), fields[c].type)
    rows[r] = row
  }
  return rows
}
