// Node: scans in worker threads. Each worker runs its own instance of the Wasm module (all
// share the compiled code) and reads one part of a scan: `TableReader::partition`'s k-th of n,
// of the same pinned snapshot. The parts come back as Arrow IPC bytes, transferred.

import { Worker } from 'node:worker_threads'
import { compiledModule } from './node-wasm.js'

/** Idle workers end after this long (each holds its own Wasm memory). */
const IDLE_MS = 5000

const pool = []
let nextId = 0
let started = false
let unavailable = false

/**
 * The parent's Node options minus those that only make sense for the parent's own input
 * (`node --input-type=module -e ...` would make a worker refuse its file).
 */
export function workerArgv () {
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

function strataError (code, message) {
  const e = new Error(message)
  e.name = 'StrataError'
  e.code = code
  return e
}

function spawn () {
  const worker = new Worker(new URL('./scan-worker.js', import.meta.url), { execArgv: workerArgv() })
  const entry = { worker, pending: new Map(), hasModule: false, idle: null }
  worker.unref()
  worker.on('message', (m) => {
    started = true
    const p = entry.pending.get(m.id)
    if (!p) return
    entry.pending.delete(m.id)
    if (entry.pending.size === 0) rest(entry)
    if (m.error) p.reject(strataError(m.error.code, m.error.message))
    else p.resolve(m.bytes)
  })
  const lost = (why) => {
    const i = pool.indexOf(entry)
    if (i >= 0) pool.splice(i, 1)
    clearTimeout(entry.idle)
    // A worker that fails before any worker ever answered cannot run here (a bundle without
    // scan-worker.js, say): scans then read on the calling thread.
    if (!started) unavailable = true
    for (const p of entry.pending.values()) {
      const e = strataError('INTERNAL', `strata-reader: a scan worker failed: ${why}`)
      e.unavailable = unavailable
      p.reject(e)
    }
    entry.pending.clear()
  }
  worker.on('error', (e) => lost(e?.message ?? String(e)))
  worker.on('exit', (code) => lost(`it exited with code ${code}`))
  return entry
}

// An idle worker lets the process exit and ends after IDLE_MS.
function rest (entry) {
  entry.worker.unref()
  entry.idle = setTimeout(() => {
    const i = pool.indexOf(entry)
    if (i >= 0) pool.splice(i, 1)
    entry.worker.terminate()
  }, IDLE_MS)
  entry.idle.unref()
}

function run (entry, module, source, options) {
  const id = nextId++
  return new Promise((resolve, reject) => {
    clearTimeout(entry.idle)
    if (entry.pending.size === 0) entry.worker.ref()
    entry.pending.set(id, { resolve, reject })
    entry.worker.postMessage({ id, module: entry.hasModule ? undefined : module, source, options })
    entry.hasModule = true
  })
}

/**
 * Reads a scan in `n` parts on `n` workers: `options` (the binding's scan options, with a
 * pinned snapshot) plus `part: [k, n]` for worker k. Resolves to the parts' IPC bytes in
 * order; rejects with an error whose `unavailable` is true where workers cannot run.
 */
export async function scanParts (source, options, n) {
  if (unavailable) throw Object.assign(strataError('INTERNAL', 'scan workers cannot run here'), { unavailable })
  const module = await compiledModule()
  try {
    while (pool.length < n) pool.push(spawn())
  } catch (e) {
    unavailable = true
    throw Object.assign(strataError('INTERNAL', `scan workers cannot start: ${e.message}`), { unavailable })
  }
  const parts = pool.slice(0, n).map((entry, k) =>
    run(entry, module, source, JSON.stringify({ ...options, part: [k, n] })))
  return Promise.all(parts)
}
