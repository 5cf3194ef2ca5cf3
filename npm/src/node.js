// Node entry point: tables over HTTP(S), local directories, or any reader object.

import { readFile, open, stat, readdir } from 'node:fs/promises'
import { join, relative, sep, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { openWith, Table } from './table.js'
import { filterText } from './filter.js'

const wasmPath = new URL('../pkg/strata_wasm_bg.wasm', import.meta.url)
let loading = null
let generation = 0

// Instantiated on first use; after a trap the next open loads a fresh instance.
function load () {
  if (!loading) {
    const g = generation
    loading = (async () => {
      const glue = await import(`../pkg/strata_wasm.js${g ? `?instance=${g}` : ''}`)
      glue.initSync({ module: await readFile(wasmPath) })
      return glue
    })()
    loading.catch(() => { loading = null })
  }
  return loading
}

function poison () {
  generation += 1
  loading = null
}

/** A reader over a local table directory, built on `fs/promises`. */
export function fileReader (root) {
  const base = resolve(root)
  const full = (path) => join(base, ...path.split('/'))
  const absent = (e) => e && (e.code === 'ENOENT' || e.code === 'ENOTDIR')
  return {
    async read (path, start, end) {
      try {
        if (start === undefined) return await readFile(full(path))
        const fh = await open(full(path), 'r')
        try {
          const buf = Buffer.allocUnsafe(end - start)
          let got = 0
          while (got < buf.length) {
            const { bytesRead } = await fh.read(buf, got, buf.length - got, start + got)
            if (bytesRead === 0) break
            got += bytesRead
          }
          return got === buf.length ? buf : buf.subarray(0, got)
        } finally {
          await fh.close()
        }
      } catch (e) {
        if (absent(e)) return null
        throw e
      }
    },
    async head (path) {
      try {
        const s = await stat(full(path))
        return s.isFile() ? { size: s.size } : null
      } catch (e) {
        if (absent(e)) return null
        throw e
      }
    },
    async list (prefix) {
      let entries
      try {
        entries = await readdir(full(prefix), { recursive: true, withFileTypes: true })
      } catch (e) {
        if (absent(e)) return []
        throw e
      }
      return entries
        .filter((d) => d.isFile())
        .map((d) => relative(base, join(d.path ?? d.parentPath, d.name)).split(sep).join('/'))
    }
  }
}

let worker = null
let workerFailed = false
let pending = new Map()
let nextId = 0

// The parent's Node options minus those that only make sense for the parent's own input
// (`node --input-type=module -e ...` would make the worker refuse its file).
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
 * Opens a table: an `http(s)://` URL, a local directory (path or `file:` URL), or an object
 * with an async `read(path, start?, end?)` (and optional `head`, `exists`, `list`).
 */
export async function openTable (source, options = {}) {
  const wasm = await load()
  if (source instanceof URL && source.protocol === 'file:') source = fileURLToPath(source)
  if (typeof source === 'string' && !/^https?:\/\//i.test(source)) {
    if (source.startsWith('file:')) source = fileURLToPath(source)
    source = fileReader(source)
  }
  // Over HTTP(S), requests run in a worker thread unless the caller brings a `fetch`.
  return openWith(wasm, poison, source, { fetch: workerFetch, ...options })
}

export { Table, filterText }
