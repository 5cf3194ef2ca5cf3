// The package's API over the Wasm bindings, shared by the Node and browser entry points.

import { tableFromIPC, Table as ArrowTable, RecordBatchReader } from 'apache-arrow'
import { filterText } from './filter.js'
import { strataError } from './errors.js'
import { isS3, s3Fetch, s3Hint, s3HttpUrl, s3Signer, unsupportedScheme } from './s3.js'

/** Turns anything thrown inside the bindings into a JS Error with a stable `code`. */
function wrapError (e, poison) {
  if (e && typeof e === 'object' && typeof e.code === 'string') return e
  const trapped = typeof WebAssembly !== 'undefined' && e instanceof WebAssembly.RuntimeError
  if (trapped) poison()
  return strataError('INTERNAL', trapped
    ? `strata-reader: internal error in the Wasm module (${e.message}); it will be reloaded`
    : String(e && e.message ? e.message : e), e)
}

function invalid (message) {
  return strataError('INVALID_ARGUMENT', message)
}

function readOptions (o = {}) {
  const known = new Set(['columns', 'filter', 'snapshotId', 'timestampMs', 'tag', 'limit', 'concurrency'])
  for (const k of Object.keys(o)) if (!known.has(k)) throw invalid(`unknown scan option ${JSON.stringify(k)}`)
  const num = (v, name, min) => {
    if (v === undefined || v === null) return undefined
    const n = typeof v === 'bigint' || (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v)) ? Number(v) : v
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min) {
      throw invalid(`${name} must be an integer of at least ${min}, got ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`)
    }
    return n
  }
  const columns = o.columns ?? undefined
  if (columns !== undefined && (!Array.isArray(columns) || !columns.every((c) => typeof c === 'string'))) {
    throw invalid('columns must be an array of column names')
  }
  const tag = o.tag ?? undefined
  if (tag !== undefined && typeof tag !== 'string') throw invalid('tag must be a string')
  return JSON.stringify({
    columns,
    filter: filterText(o.filter),
    snapshotId: num(o.snapshotId, 'snapshotId', 0),
    timestampMs: num(o.timestampMs, 'timestampMs', 0),
    tag,
    limit: num(o.limit, 'limit', 0),
    concurrency: num(o.concurrency, 'concurrency', 1)
  })
}

/**
 * Refuses table locations this package cannot read: a URL with a scheme other than http(s),
 * file or s3 (`oss://`, `hdfs://`, `gs://`) is UNSUPPORTED, not a missing local path.
 */
export function checkLocation (source) {
  const text = source instanceof URL ? source.href : typeof source === 'string' ? source : null
  const scheme = text && /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)
  if (scheme && !['http', 'https', 'file', 's3', 's3a'].includes(scheme[1].toLowerCase())) {
    throw unsupportedScheme(text, scheme[1])
  }
}

/**
 * Where and how to read an `s3://` table: its HTTP(S) URL, the signing `fetch` over `base`,
 * the signer itself (`sign`, null for a public bucket: scan workers send their requests to
 * it) and the hint its errors get; `null` for other sources. `resolveS3(options.s3)` finds
 * the settings and credentials (the entry point's: the option alone in browsers, the AWS
 * chain in Node).
 */
export async function s3Source (source, options, resolveS3, base) {
  const text = source instanceof URL ? source.href : source
  if (!isS3(text)) return null
  const { settings, credentials, looked } = await resolveS3(options.s3 ?? {})
  const sign = await s3Signer(settings, credentials)
  return {
    url: s3HttpUrl(text, settings),
    fetch: s3Fetch(sign, base),
    sign,
    hint: (message) => s3Hint(message, settings, credentials, looked)
  }
}

/**
 * The error with the table's location in its message (and as `table`), once, and with what
 * the location's `hint` adds (which settings to check, say).
 */
function located (e, label, hint) {
  if (label && e && typeof e === 'object') {
    if (typeof e.message === 'string' && !e.message.includes(label)) e.message = `${label}: ${e.message}`
    if (e.table === undefined) e.table = label
  }
  if (hint && e && typeof e === 'object' && typeof e.message === 'string') e.message = hint(e.message)
  return e
}

function sleep (ms, signal) {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const t = setTimeout(done, ms)
    function done () {
      clearTimeout(t)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}

/**
 * Parses metadata JSON from the bindings: 64-bit integers beyond 2^53 - 1 arrive as
 * `{"$int64": "digits"}` and become `BigInt`s (a batch commit's `commitIdentifier` is
 * 2^63 - 1, which a plain `JSON.parse` would round).
 */
function parse64 (text) {
  return JSON.parse(text, (_, v) =>
    v !== null && typeof v === 'object' && typeof v.$int64 === 'string' && Object.keys(v).length === 1
      ? BigInt(v.$int64)
      : v)
}

/** The first (only) record batch of a one-batch IPC stream. */
function batchOf (bytes) {
  return RecordBatchReader.from(bytes).next().value
}

/** An open table. Create one with `openTable`. */
export class Table {
  #inner
  #poison
  #workers
  #label
  #hint
  constructor (inner, poison, workers, label = undefined, hint = undefined) {
    this.#inner = inner
    this.#poison = poison
    this.#workers = workers
    this.#label = label
    this.#hint = hint
  }

  async #call (f) {
    try {
      return await f(this.#inner)
    } catch (e) {
      throw located(wrapError(e, this.#poison), this.#label, this.#hint)
    }
  }

  /** The latest schema: Paimon's schema JSON (`fields`, `partitionKeys`, `primaryKeys`, `options`). */
  schema () {
    return JSON.parse(this.#inner.schemaJson())
  }

  /** Every live snapshot, oldest first. */
  async snapshots () {
    return parse64(await this.#call((t) => t.snapshotsJson()))
  }

  /** The latest snapshot, or `null` for a table without snapshots. */
  async latestSnapshot () {
    const s = await this.#call((t) => t.latestSnapshotJson())
    return s === undefined || s === null ? null : parse64(s)
  }

  /** Tags, sorted by name: `{ name, ...tag }` (needs a storage that can list: files, or a reader with `list`). */
  async tags () {
    const pairs = parse64(await this.#call((t) => t.tagsJson()))
    return pairs.map(([name, tag]) => ({ name, ...tag }))
  }

  /**
   * Reads one snapshot (the latest by default) into an Arrow `Table`; with `workers` above 1,
   * in that many worker threads (Node) or Web Workers (browsers) at once.
   */
  async scan (options = {}) {
    const { workers, ...rest } = options
    const json = readOptions(rest)
    const n = this.#workerCount(workers)
    if (n > 1 && (rest.limit === undefined || rest.limit === null)) return this.#scanInWorkers(rest, n)
    return this.#call(async (t) => {
      const reader = await t.scan(json)
      try {
        return tableFromIPC(await reader.readAll())
      } finally {
        reader.free()
      }
    })
  }

  #workerCount (workers) {
    if (workers === undefined || workers === null) return 1
    const n = workers === 'auto' && this.#workers ? this.#workers.parallelism() : Number(workers)
    if (!Number.isSafeInteger(n) || n < 1) throw invalid('workers must be a positive integer or "auto"')
    if (n > 1 && !this.#workers) {
      throw invalid('workers: scans in workers need a table opened from a URL without a custom fetch (or, in Node, from a path); a reader object or a function cannot cross to another thread')
    }
    return n
  }

  // Every worker plans the same pinned snapshot and reads its part of the splits (the k-th of
  // the n parts the core's `TableReader::partition` makes, balanced by bytes).
  async #scanInWorkers (options, n) {
    let pinned = options
    if (options.snapshotId == null && options.timestampMs == null && options.tag == null) {
      const latest = await this.latestSnapshot()
      if (latest === null) return this.scan(options)
      pinned = { ...options, snapshotId: latest.id }
    }
    let parts
    try {
      parts = await this.#workers.scanParts(JSON.parse(readOptions(pinned)), n)
    } catch (e) {
      if (e?.unavailable) return this.scan({ ...options, concurrency: n })
      throw e
    }
    const tables = parts.map((bytes) => tableFromIPC(bytes))
    const batches = tables.flatMap((t) => t.batches)
    return batches.length > 0 ? new ArrowTable(batches) : tables[0]
  }

  /** Reads one snapshot batch by batch: an async iterator of Arrow `RecordBatch`es. */
  async * batches (options = {}) {
    const json = readOptions(options)
    const reader = await this.#call((t) => t.scan(json))
    try {
      for (;;) {
        const bytes = await this.#call(() => reader.next())
        if (bytes === undefined) return
        yield batchOf(bytes)
      }
    } finally {
      reader.free()
    }
  }

  /** The changes of snapshots `(fromSnapshot, toSnapshot]`, with a `_kind` column (`+I`, `-U`, `+U`, `-D`). */
  async diff (fromSnapshot, toSnapshot, options = {}) {
    const { columns, filter } = options
    const json = JSON.stringify({ columns, filter: filterText(filter) })
    const id = (v, name) => {
      if (!Number.isSafeInteger(Number(v))) throw invalid(`${name} must be a snapshot id, got ${v}`)
      return BigInt(v)
    }
    const [from, to] = [id(fromSnapshot, 'fromSnapshot'), id(toSnapshot, 'toSnapshot')]
    return this.#call(async (t) => {
      const reader = await t.diff(from, to, json)
      try {
        return tableFromIPC(await reader.readAll())
      } finally {
        reader.free()
      }
    })
  }

  /**
   * Follows the table: an async iterator of Arrow `RecordBatch`es with a `_kind` column,
   * polling for new snapshots every `pollIntervalMs` until `signal` aborts.
   * `from`: `'latest'` (default), `'earliest'`, a snapshot id, `'snapshot:N'` or `'timestamp:MS'`.
   */
  async * stream (options = {}) {
    const { from = 'latest', full = false, pollIntervalMs = 1000, signal, columns, filter } = options
    const start = typeof from === 'number' || typeof from === 'bigint' ? `snapshot:${from}` : from
    const json = JSON.stringify({ from: start, full, columns, filter: filterText(filter) })
    const s = await this.#call((t) => t.stream(json))
    try {
      while (!signal?.aborted) {
        const bytes = await this.#call(() => s.next())
        if (bytes === undefined) {
          await sleep(pollIntervalMs, signal)
          continue
        }
        yield batchOf(bytes)
      }
    } finally {
      s.free()
    }
  }

  /** What this table fetched over HTTP so far: `{ requests, bytes }`. */
  fetchStats () {
    return JSON.parse(this.#inner.fetchStatsJson())
  }

  /**
   * The latest HTTP requests as the reader saw them, oldest first: `{ path, range, issued,
   * done, bytes }`, times in milliseconds on the `performance.now()` clock.
   */
  fetchLog () {
    return JSON.parse(this.#inner.fetchLogJson())
  }

  /** Releases the table's Wasm memory (also done by the garbage collector). */
  close () {
    this.#inner.free()
  }
}

/**
 * Opens a table given an `http(s)` URL or a reader object, with an instantiated binding;
 * `workers`, where the entry point can scan in worker threads, has `parallelism()` and
 * `scanParts(options, n)`; `label` names the table in errors, which `hint` may extend.
 */
export async function openWith (wasm, poison, source, options = {}, workers = undefined, label = undefined, hint = undefined) {
  if (label === undefined && (typeof source === 'string' || source instanceof URL)) label = String(source)
  try {
    checkLocation(source)
    let inner
    if (typeof source === 'string' || source instanceof URL) {
      const url = String(source)
      if (!/^https?:\/\//i.test(url)) throw invalid(`not an http(s) URL: ${url}`)
      if (options.fetch !== undefined && typeof options.fetch !== 'function') throw invalid('fetch must be a function')
      inner = await wasm.openHttp(url, options.headers ? JSON.stringify(options.headers) : '', options.fetch)
    } else if (source && typeof source.read === 'function') {
      inner = await wasm.openReader(source)
    } else {
      throw invalid('openTable takes a URL, a path (Node) or an object with an async read(path, start?, end?)')
    }
    return new Table(inner, poison, workers, label, hint)
  } catch (e) {
    throw located(wrapError(e, poison), label, hint)
  }
}

export { ArrowTable }
