// Node entry point: tables over HTTP(S), local directories, or any reader object.

import { availableParallelism } from 'node:os'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { checkLocation, openWith, s3Source, Table } from './table.js'
import { filterText } from './filter.js'
import { fileReader } from './files.js'
import { jsonRows } from './json.js'
import { compiledModule, load, poison } from './node-wasm.js'
import { scanPool } from './scan-pool.js'
import { strataError } from './errors.js'
import { nodeS3 } from './aws-credentials.js'

export { fileReader, jsonRows }

// The parent's Node options minus those that only make sense for the parent's own input
// (`node --input-type=module -e ...` would make a worker refuse its file).
function workerArgv () {
  const out = []
  const argv = process.execArgv
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (/^--input-type(=|$)/.test(a)) {
      if (!a.includes('=')) i++
    } else if (['-e', '--eval', '-p', '--print'].includes(a)) {
      i++
    } else if (!/^--(eval|print)=/.test(a)) {
      out.push(a)
    }
  }
  return out
}

// Scan workers: worker threads, each holding the process open only while it works.
const scans = scanPool((onMessage, onLost) => {
  const w = new Worker(new URL('./scan-worker.js', import.meta.url), { execArgv: workerArgv() })
  w.on('message', onMessage)
  w.on('error', (e) => onLost(e?.message ?? String(e)))
  w.on('exit', (code) => onLost(`it exited with code ${code}`))
  return {
    post: (m, transfer) => w.postMessage(m, transfer),
    hold: (busy) => (busy ? w.ref() : w.unref()),
    terminate: () => w.terminate()
  }
}, compiledModule)

let worker = null
let workerFailed = false
let pending = new Map()
let nextId = 0

/**
 * A `fetch` that runs in a worker thread: the request, the HTTP client's work and the whole
 * body's receipt happen there, and the body arrives transferred, not copied. Node's `fetch`
 * otherwise does that work on the one thread that also decodes (about 85 ms of CPU for a
 * 55 MB scan, BENCHMARKS.md); in a worker it runs beside the decoding. The answer has what
 * the reader uses: `status`, `statusText`, `headers` and `arrayBuffer()`. The worker is
 * started on first use and holds the process open only while requests are in flight; where it
 * cannot run, requests fall back to this thread's `fetch`.
 */
export function workerFetch (request) {
  if (workerFailed) return fetch(request)
  if (!worker) {
    try {
      worker = new Worker(new URL('./fetch-worker.js', import.meta.url), { execArgv: workerArgv() })
    } catch {
      workerFailed = true
      return fetch(request)
    }
    worker.unref()
    worker.on('message', (m) => {
      const p = pending.get(m.id)
      if (!p) return
      pending.delete(m.id)
      if (pending.size === 0) worker.unref()
      if (m.error !== undefined) {
        p.reject(new TypeError(`fetch failed: ${m.error}`))
        return
      }
      p.resolve({
        status: m.status,
        statusText: m.statusText,
        ok: m.status >= 200 && m.status < 300,
        headers: new Headers(m.headers),
        arrayBuffer: async () => m.body
      })
    })
    worker.on('error', () => {
      // The worker could not start or died (a bundle without fetch-worker.js, say): the
      // requests in flight and all later ones go through this thread's fetch instead.
      workerFailed = true
      const waiting = pending
      pending = new Map()
      worker = null
      for (const p of waiting.values()) p.resolve(fetch(p.request))
    })
  }
  const id = nextId++
  return new Promise((resolve, reject) => {
    if (pending.size === 0) worker.ref()
    pending.set(id, { resolve, reject, request })
    worker.postMessage({
      id,
      url: request.url,
      method: request.method,
      headers: [...request.headers],
      cache: request.cache
    })
  })
}

/**
 * Opens a table: an `http(s)://` URL, an `s3://` location (requests signed with the
 * credentials of `options.s3`, the `AWS_*` environment, the AWS shared files' profile, a
 * container's credentials endpoint or the EC2 instance's role: see `nodeS3`), a local directory (path or `file:` URL), or an
 * object with an async `read(path, start?, end?)` (and optional `head`, `exists`, `list`).
 */
export async function openTable (source, options = {}) {
  checkLocation(source)
  const wasm = await load()
  // Over HTTP(S), requests run in a worker thread unless the caller brings a `fetch`.
  const s3 = await s3Source(source, options, (given) => nodeS3(given, process.env), options.fetch ?? workerFetch)
  if (source instanceof URL) source = source.protocol === 'file:' ? fileURLToPath(source) : source.href
  // What a scan worker needs to open the same table: a path, or a URL read with the
  // global fetch (a reader object or a caller's fetch cannot cross to another thread).
  let shared
  let label
  if (s3) {
    label = source
    if (options.fetch === undefined) {
      shared = { url: s3.url, headers: options.headers ? JSON.stringify(options.headers) : '', signed: s3.sign !== null }
    }
    source = s3.url
    options = { ...options, fetch: s3.fetch }
  } else if (typeof source === 'string' && !/^https?:\/\//i.test(source)) {
    if (source.startsWith('file:')) {
      try {
        source = fileURLToPath(source)
      } catch (e) {
        throw strataError('INVALID_ARGUMENT', `${source}: not a file URL of this machine (${e.message})`)
      }
    }
    label = resolve(source)
    shared = { path: label }
    source = fileReader(source)
  } else if (typeof source === 'string' && options.fetch === undefined) {
    shared = { url: source, headers: options.headers ? JSON.stringify(options.headers) : '' }
  }
  const workers = shared && {
    parallelism: () => availableParallelism(),
    scanParts: (scanOptions, n) => scans.scanParts(shared, scanOptions, n, s3?.sign ?? undefined)
  }
  return openWith(wasm, poison, source, { fetch: workerFetch, ...options }, workers, label, s3?.hint)
}

export { Table, filterText }
