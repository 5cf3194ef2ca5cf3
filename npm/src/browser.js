// Browser (and bundler) entry point: tables over HTTP(S) or any reader object.

import init, * as glue from '../pkg/strata_wasm.js'
import { checkLocation, openWith, s3Source, Table } from './table.js'
import { optionS3 } from './s3.js'
import { filterText } from './filter.js'
import { jsonRows } from './json.js'
import { scanPool } from './scan-pool.js'
import { strataError } from './errors.js'

const wasmUrl = new URL('../pkg/strata_wasm_bg.wasm', import.meta.url)
let compiled = null
let loading = null
let broken = false

// The module compiled once, streaming where the server sends `application/wasm`; the page's
// instance and every scan worker's are made from it.
function compiledModule () {
  if (!compiled) {
    compiled = (async () => {
      try {
        return await WebAssembly.compileStreaming(fetch(wasmUrl))
      } catch {
        const res = await fetch(wasmUrl)
        if (!res.ok) throw new Error(`strata-reader: fetching ${wasmUrl} failed: ${res.status}`)
        return WebAssembly.compile(await res.arrayBuffer())
      }
    })()
    compiled.catch(() => { compiled = null })
  }
  return compiled
}

// Scan workers: module Web Workers.
const scans = scanPool((onMessage, onLost) => {
  const w = new Worker(new URL('./scan-worker-browser.js', import.meta.url), { type: 'module' })
  w.onmessage = (e) => onMessage(e.data)
  w.onerror = (e) => {
    e.preventDefault()
    onLost(e.message || 'the worker failed to load')
  }
  return { post: (m, transfer) => w.postMessage(m, transfer), hold: () => {}, terminate: () => w.terminate() }
}, compiledModule)

// Instantiated on first use from the module beside this file. (A static import of the glue,
// so bundlers see the .wasm asset.)
function load () {
  if (broken) {
    return Promise.reject(strataError('INTERNAL', 'strata-reader: the Wasm module trapped earlier; reload the page'))
  }
  if (!loading) {
    loading = compiledModule()
      .then((module) => init({ module_or_path: module }))
      .then(() => glue)
    loading.catch(() => { loading = null })
  }
  return loading
}

function poison () {
  broken = true
}

/**
 * Opens a table: an `http(s)://` URL (relative URLs resolve against the page), an `s3://`
 * location (requests signed with `options.s3`; the page's import map or bundler must resolve
 * `aws4fetch`), or an object with an async `read(path, start?, end?)` (and optional `head`,
 * `exists`, `list`).
 */
export async function openTable (source, options = {}) {
  checkLocation(source)
  const wasm = await load()
  const custom = options.fetch !== undefined
  const s3 = await s3Source(source, options, optionS3, custom ? options.fetch : (r) => fetch(r))
  const label = s3 ? String(source) : undefined
  if (s3) {
    source = s3.url
    options = { ...options, fetch: s3.fetch }
  } else if (typeof source === 'string' && !/^https?:\/\//i.test(source) && typeof location !== 'undefined') {
    source = new URL(source, location.href).href
  }
  // What a scan worker needs to open the same table: a URL read with the global fetch, its
  // requests signed by this page where the table is in S3 (the page holds the credentials).
  const url = source instanceof URL ? source.href : source
  const workers = typeof url === 'string' && !custom && typeof Worker !== 'undefined'
    ? {
        parallelism: () => navigator.hardwareConcurrency || 1,
        scanParts: (scanOptions, n) => scans.scanParts({
          url,
          headers: options.headers ? JSON.stringify(options.headers) : '',
          signed: Boolean(s3?.sign)
        }, scanOptions, n, s3?.sign ?? undefined)
      }
    : undefined
  return openWith(wasm, poison, source, options, workers, label, s3?.hint)
}

export { Table, filterText, jsonRows }
