// A browser scan worker, a module Web Worker (see scan-pool.js and scan-part.js). Tables are
// read over HTTP only.

import * as glue from '../pkg/strata_wasm.js'
import { answer } from './scan-part.js'

const openPath = () => { throw new Error('browsers read tables over HTTP') }

self.onmessage = async ({ data: m }) => {
  try {
    if (m.module) glue.initSync({ module: m.module })
  } catch (e) {
    self.postMessage({ id: m.id, error: { code: 'INTERNAL', message: String(e?.message ?? e) } })
    return
  }
  await answer(glue, m, (msg, transfer) => self.postMessage(msg, transfer), openPath)
}
