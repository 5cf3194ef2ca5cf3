// A scan worker (scan-pool.js): reads its part of a scan with its own instance of the Wasm
// module and posts the part back as Arrow IPC bytes, transferred, not copied.

import { parentPort } from 'node:worker_threads'
import { fileReader } from './files.js'
import { load, poison, useModule } from './node-wasm.js'

async function scan (source, options) {
  const wasm = await load()
  const table = source.path !== undefined
    ? await wasm.openReader(fileReader(source.path))
    : await wasm.openHttp(source.url, source.headers, undefined)
  try {
    const reader = await table.scan(options)
    try {
      return await reader.readAll()
    } finally {
      reader.free()
    }
  } finally {
    table.free()
  }
}

parentPort.on('message', async ({ id, module, source, options }) => {
  if (module) useModule(module)
  try {
    const bytes = await scan(source, options)
    parentPort.postMessage({ id, bytes }, [bytes.buffer])
  } catch (e) {
    const trapped = e instanceof WebAssembly.RuntimeError
    if (trapped) poison()
    parentPort.postMessage({
      id,
      error: {
        code: typeof e?.code === 'string' ? e.code : 'INTERNAL',
        message: String(e?.message ?? e),
        trapped
      }
    })
  }
})
