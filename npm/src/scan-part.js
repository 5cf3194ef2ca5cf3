// The work of a scan worker (scan-worker.js in Node, scan-worker-browser.js in browsers): read
// one part of a scan with this worker's instance of the module, as Arrow IPC bytes.

import { strataError } from './errors.js'

const asked = new Map() // sign request number -> { resolve, reject }
let nextSign = 0

/**
 * A `fetch` whose requests the calling thread signs first (scan-pool.js): the worker posts
 * `{ id, sign, request }` and `signed` delivers the answer. The keys never reach the worker.
 */
function signedFetch (id, post) {
  return async (request) => {
    const sign = nextSign++
    const answer = new Promise((resolve, reject) => asked.set(sign, { resolve, reject }))
    post({ id, sign, request: { url: request.url, method: request.method, headers: [...request.headers] } })
    const { url, headers } = await answer
    return fetch(new Request(url, { method: request.method, headers, cache: request.cache }))
  }
}

/**
 * Delivers a message of the calling thread: a signed request (`{ signed, url, headers }` or
 * `{ signed, error }`), returning true; false for any other message.
 */
export function signed (m) {
  if (m.signed === undefined) return false
  const p = asked.get(m.signed)
  if (p) {
    asked.delete(m.signed)
    if (m.error) p.reject(strataError(m.error.code, m.error.message))
    else p.resolve(m)
  }
  return true
}

/**
 * Answers one request `{ id, source, options }` through `post(message, transfer)`: the part's
 * IPC bytes, or the error (`code`, `message`, and `trapped` when the instance trapped: the
 * pool then ends the worker); `openPath(wasm, path)` opens local tables (Node).
 */
export async function answer (wasm, { id, source, options }, post, openPath) {
  try {
    const table = source.path !== undefined
      ? await openPath(wasm, source.path)
      : await wasm.openHttp(source.url, source.headers, source.signed ? signedFetch(id, post) : undefined)
    let bytes
    try {
      const reader = await table.scan(options)
      try {
        bytes = await reader.readAll()
      } finally {
        reader.free()
      }
    } finally {
      table.free()
    }
    post({ id, bytes }, [bytes.buffer])
  } catch (e) {
    post({
      id,
      error: {
        code: typeof e?.code === 'string' ? e.code : 'INTERNAL',
        message: String(e?.message ?? e),
        trapped: e instanceof WebAssembly.RuntimeError
      }
    })
  }
}
