// A Node scan worker (see scan-pool.js and scan-part.js).

import { parentPort } from 'node:worker_threads'
import { fileReader } from './files.js'
import { load, useModule } from './node-wasm.js'
import { answer, signed } from './scan-part.js'

const openPath = (wasm, path) => wasm.openReader(fileReader(path))

parentPort.on('message', async (m) => {
  if (signed(m)) return
  if (m.module) useModule(m.module)
  let wasm
  try {
    wasm = await load()
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: { code: 'INTERNAL', message: String(e?.message ?? e) } })
    return
  }
  await answer(wasm, m, (msg, transfer) => parentPort.postMessage(msg, transfer), openPath)
})
