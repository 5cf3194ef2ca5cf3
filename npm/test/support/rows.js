// Arrow JS tables as rows in the JSON form `strata scan --format jsonl` prints (see
// writer-native/src/output.rs), so the package's results compare with the native reader's.

import { Type, TimeUnit } from 'apache-arrow'

const MAX_SAFE = 2n ** 53n

// Runs in browsers too (the e2e test imports it into the page): no Buffer.
function base64 (bytes) {
  let s = ''
  for (const b of bytes) s += String.fromCharCode(b)
  return btoa(s)
}

function civil (days) {
  const d = new Date(Number(days) * 86_400_000)
  const y = d.getUTCFullYear()
  return `${String(y).padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`
}

const pad = (n, w = 2) => String(n).padStart(w, '0')

function localDateTime (millis, nanoOfMilli) {
  const days = millis / 86_400_000n - (millis % 86_400_000n < 0n ? 1n : 0n)
  const msOfDay = Number(millis - days * 86_400_000n)
  const nanos = (msOfDay % 1000) * 1_000_000 + nanoOfMilli
  const h = Math.floor(msOfDay / 3_600_000)
  const mi = Math.floor(msOfDay / 60_000) % 60
  const s = Math.floor(msOfDay / 1000) % 60
  let out = `${civil(days)}T${pad(h)}:${pad(mi)}`
  if (s !== 0 || nanos !== 0) {
    out += `:${pad(s)}`
    if (nanos !== 0) {
      if (nanos % 1_000_000 === 0) out += '.' + pad(nanos / 1_000_000, 3)
      else if (nanos % 1000 === 0) out += '.' + pad(nanos / 1000, 6)
      else out += '.' + pad(nanos, 9)
    }
  }
  return out.length === 16 ? out + ':00' : out
}

function floorDiv (v, d) {
  const q = v / d
  return v % d < 0n ? q - 1n : q
}

function timestamp (raw, unit) {
  const v = BigInt(raw)
  switch (unit) {
    case TimeUnit.SECOND: return [v * 1000n, 0]
    case TimeUnit.MILLISECOND: return [v, 0]
    case TimeUnit.MICROSECOND: { const ms = floorDiv(v, 1000n); return [ms, Number(v - ms * 1000n) * 1000] }
    default: { const ms = floorDiv(v, 1_000_000n); return [ms, Number(v - ms * 1_000_000n)] }
  }
}

function float (v, single) {
  if (Number.isNaN(v)) return 'NaN'
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity'
  if (!single) return v
  for (let p = 1; p <= 9; p++) {
    const c = Number(v.toPrecision(p))
    if (Math.fround(c) === v) return c
  }
  return v
}

function decimal (words, offset, scale) {
  let u = 0n
  for (let k = 3; k >= 0; k--) u = (u << 32n) | BigInt(words[offset + k])
  if (u >= 2n ** 127n) u -= 2n ** 128n
  const neg = u < 0n
  const digits = (neg ? -u : u).toString()
  let text = digits
  if (scale > 0) {
    const padded = digits.padStart(scale + 1, '0')
    text = padded.slice(0, padded.length - scale) + '.' + padded.slice(padded.length - scale)
  }
  text = (neg ? '-' : '') + text
  const f = Number(text)
  const back = Number.isFinite(f) && Math.abs(f) < 1e21 ? f.toFixed(scale) : null
  const exact = back === text || (u === 0n && back !== null && back.replace(/^-/, '') === text)
  return exact ? f : text
}

/** The JSON value of row `i` (logical index) of an Arrow JS `Data`. */
function valueAt (data, i) {
  if (!data.getValid(i)) return null
  const t = data.type
  const p = data.offset + i
  switch (t.typeId) {
    case Type.Null: return null
    case Type.Bool: return data.values[p >> 3] & (1 << (p & 7)) ? true : false
    case Type.Int: {
      if (t.bitWidth < 64) return Number(data.values[p])
      const v = BigInt(data.values[p])
      return v > MAX_SAFE || v < -MAX_SAFE ? v.toString() : Number(v)
    }
    case Type.Float: return float(data.values[p], t.precision === 1)
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Binary:
    case Type.LargeBinary: {
      const a = Number(data.valueOffsets[p])
      const b = Number(data.valueOffsets[p + 1])
      const bytes = data.values.subarray(a, b)
      return t.typeId === Type.Binary || t.typeId === Type.LargeBinary
        ? base64(bytes)
        : new TextDecoder().decode(bytes)
    }
    case Type.FixedSizeBinary: {
      const w = t.byteWidth
      return base64(data.values.subarray(p * w, (p + 1) * w))
    }
    case Type.Decimal: return decimal(data.values, p * 4, t.scale)
    case Type.Date: return t.unit === 0 ? civil(data.values[p]) : civil(BigInt(data.values[p]) / 86_400_000n)
    case Type.Time: {
      const raw = BigInt(data.values[p])
      const ms = Number(t.unit === TimeUnit.SECOND ? raw * 1000n : t.unit === TimeUnit.MILLISECOND ? raw : t.unit === TimeUnit.MICROSECOND ? raw / 1000n : raw / 1_000_000n)
      return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}.${pad(ms % 1000, 3)}`
    }
    case Type.Timestamp: {
      const [ms, nano] = timestamp(data.values[p], t.unit)
      return localDateTime(ms, nano) + (t.timezone ? 'Z' : '')
    }
    case Type.List: {
      const child = data.children[0]
      const out = []
      for (let k = data.valueOffsets[p]; k < data.valueOffsets[p + 1]; k++) out.push(valueAt(child, k))
      return out
    }
    case Type.Map: {
      const entries = data.children[0]
      const [keys, vals] = entries.children
      const stringKeys = keys.type.typeId === Type.Utf8 || keys.type.typeId === Type.LargeUtf8
      const pairs = []
      for (let k = data.valueOffsets[p]; k < data.valueOffsets[p + 1]; k++) {
        pairs.push([valueAt(keys, entries.offset + k), valueAt(vals, entries.offset + k)])
      }
      return stringKeys ? Object.fromEntries(pairs) : pairs
    }
    case Type.Struct: {
      const out = {}
      t.children.forEach((f, k) => { out[f.name] = valueAt(data.children[k], p) })
      return out
    }
    default: throw new Error(`rows.js: no JSON form for Arrow type ${t}`)
  }
}

/** Rows of an Arrow JS table (or record batch) in `strata scan --format jsonl` form. */
export function jsonRows (table) {
  const rows = []
  const fields = table.schema.fields
  for (const batch of table.batches ?? [table]) {
    for (let i = 0; i < batch.numRows; i++) {
      const row = {}
      fields.forEach((f, k) => { row[f.name] = valueAt(batch.getChildAt(k).data[0], i) })
      rows.push(row)
    }
  }
  return rows
}

/** Rows in a canonical order, for comparing reads that may order batches differently. */
export function sorted (rows) {
  return rows.map((r) => [JSON.stringify(r), r]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((x) => x[1])
}
