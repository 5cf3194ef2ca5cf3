// A browser scan worker, a module Web Worker (see scan-pool.js and scan-part.js). Tables are
// read over HTTP(S), `s3://` ones with requests the page signs.

import * as glue from '../pkg/strata_wasm.js'
import { answer, signed } from './scan-part.js'

const openPath = () => { throw new Error('browsers read tables over HTTP') }

self.onmessage = async ({ data: m }) => {
  if (signed(m)) return
  try {
    if (m.module) glue.initSync({ module: m.module })
  } catch (e) {
    self.postMessage({ id: m.id, error: { code: 'INTERNAL', message: String(e?.message ?? e) } })
    return
  }
  await answer(glue, m, (msg, transfer) => self.postMessage(msg, transfer), openPath)
}
