// Scans in worker threads (Node) or Web Workers (browsers). Each worker runs its own instance
// of the Wasm module (all share the compiled code) and reads one part of a scan:
// `TableReader::partition`'s k-th of n, of the same pinned snapshot. The parts come back as
// Arrow IPC bytes, transferred, not copied. The entry points say how to start a worker.
// Requests to an `s3://` table are signed on this thread: a worker sends each one here
// (`{ id, sign, request }`) and gets back the signed URL and headers (`{ signed, url,
// headers }`), so the credentials, their renewal and `aws4fetch` stay with the caller.

import { strataError } from './errors.js'

/** Idle workers end after this long (each holds its own Wasm memory). */
const IDLE_MS = 5000

/**
 * A pool of scan workers. `spawn()` starts one and returns `{ post(message, transfer),
 * hold(busy), terminate() }`, taking `onMessage(m)` and `onLost(why)` callbacks;
 * `compiledModule()` resolves to the `WebAssembly.Module` each worker instantiates.
 */
export function scanPool (spawn, compiledModule) {
  const pool = []
  let nextId = 0
  let answered = false
  let unavailable = false

  const unavailableError = (why) =>
    Object.assign(strataError('INTERNAL', `strata-reader: scan workers cannot run here: ${why}`), { unavailable: true })

  function start () {
    const entry = { pending: new Map(), hasModule: false, idle: null }
    const onMessage = (m) => {
      answered = true
      const p = entry.pending.get(m.id)
      if (m.sign !== undefined) {
        signFor(entry, p, m)
        return
      }
      if (!p) return
      entry.pending.delete(m.id)
      if (m.error?.trapped) {
        // The worker's instance trapped: end the worker, and with it its other requests.
        p.reject(strataError('INTERNAL', `strata-reader: internal error in a scan worker's Wasm module (${m.error.message})`))
        entry.worker.terminate()
        onLost('its Wasm module trapped')
        return
      }
      if (entry.pending.size === 0) rest(entry)
      if (m.error) p.reject(strataError(m.error.code, m.error.message))
      else p.resolve(m.bytes)
    }
    const onLost = (why) => {
      const i = pool.indexOf(entry)
      if (i >= 0) pool.splice(i, 1)
      clearTimeout(entry.idle)
      // A worker that fails before any worker ever answered cannot run here (a bundle
      // without the worker's file, say): scans then read on the calling thread.
      if (!answered) unavailable = true
      for (const p of entry.pending.values()) {
        p.reject(unavailable ? unavailableError(why) : strataError('INTERNAL', `strata-reader: a scan worker failed: ${why}`))
      }
      entry.pending.clear()
    }
    entry.worker = spawn(onMessage, onLost)
    entry.worker.hold(false)
    return entry
  }

  // Signs a worker's request with its scan's signer, and answers with the signed URL and
  // headers (or the error: a renewal of the credentials may fail).
  function signFor (entry, p, { sign, request }) {
    const answer = p?.sign ? p.sign(request) : Promise.reject(strataError('INTERNAL', 'a scan worker asked to sign a request of a scan without credentials'))
    answer.then(
      (signed) => entry.worker.post({ signed: sign, url: signed.url, headers: [...signed.headers] }),
      (e) => entry.worker.post({ signed: sign, error: { code: typeof e?.code === 'string' ? e.code : 'STORAGE', message: String(e?.message ?? e) } })
    )
  }

  // An idle worker does not hold the process open, and ends after IDLE_MS.
  function rest (entry) {
    entry.worker.hold(false)
    entry.idle = setTimeout(() => {
      const i = pool.indexOf(entry)
      if (i >= 0) pool.splice(i, 1)
      entry.worker.terminate()
    }, IDLE_MS)
    entry.idle.unref?.()
  }

  function run (entry, module, source, options, sign) {
    const id = nextId++
    return new Promise((resolve, reject) => {
      clearTimeout(entry.idle)
      if (entry.pending.size === 0) entry.worker.hold(true)
      entry.pending.set(id, { resolve, reject, sign })
      entry.worker.post({ id, module: entry.hasModule ? undefined : module, source, options })
      entry.hasModule = true
    })
  }

  /**
   * Reads a scan in `n` parts on `n` workers: `options` (the binding's scan options, with a
   * pinned snapshot) plus `part: [k, n]` for worker k, of the table at `source` (`{ path }`
   * or `{ url, headers, signed }`; `signed`: the workers' requests are signed by `sign`, see
   * `s3Signer`). Resolves to the parts' IPC bytes in order; rejects with an error whose
   * `unavailable` is true where workers cannot run.
   */
  async function scanParts (source, options, n, sign = undefined) {
    if (unavailable) throw unavailableError('an earlier worker failed to start')
    const module = await compiledModule()
    try {
      while (pool.length < n) pool.push(start())
    } catch (e) {
      unavailable = true
      throw unavailableError(e?.message ?? String(e))
    }
    return Promise.all(pool.slice(0, n).map((entry, k) =>
      run(entry, module, source, JSON.stringify({ ...options, part: [k, n] }), sign)))
  }

  return { scanParts }
}
