// The work of a scan worker (scan-worker.js in Node, scan-worker-browser.js in browsers): read
// one part of a scan with this worker's instance of the module, as Arrow IPC bytes.

import { s3Fetch } from './s3.js'

/**
 * Answers one request `{ id, source, options }` through `post(message, transfer)`: the part's
 * IPC bytes, or the error (`code`, `message`, and `trapped` when the instance trapped: the
 * pool then ends the worker); `openPath(wasm, path)` opens local tables (Node).
 */
export async function answer (wasm, { id, source, options }, post, openPath) {
  try {
    const table = source.path !== undefined
      ? await openPath(wasm, source.path)
      : await wasm.openHttp(source.url, source.headers, source.s3 ? await s3Fetch(source.s3, fetch) : undefined)
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
