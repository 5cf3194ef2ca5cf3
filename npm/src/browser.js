// Browser (and bundler) entry point: tables over HTTP(S) or any reader object.

import init, * as glue from '../pkg/strata_wasm.js'
import { openWith, Table } from './table.js'
import { filterText } from './filter.js'

let loading = null
let broken = false

// Instantiated on first use, streaming the module from beside this file. (A static import of
// the glue, so bundlers see the .wasm asset.)
function load () {
  if (broken) {
    const e = new Error('strata-reader: the Wasm module trapped earlier; reload the page')
    e.name = 'StrataError'
    e.code = 'INTERNAL'
    return Promise.reject(e)
  }
  if (!loading) {
    loading = init({ module_or_path: new URL('../pkg/strata_wasm_bg.wasm', import.meta.url) })
      .then(() => glue)
    loading.catch(() => { loading = null })
  }
  return loading
}

function poison () {
  broken = true
}

/**
 * Opens a table: an `http(s)://` URL (relative URLs resolve against the page), or an object
 * with an async `read(path, start?, end?)` (and optional `head`, `exists`, `list`).
 */
export async function openTable (source, options = {}) {
  const wasm = await load()
  if (typeof source === 'string' && !/^https?:\/\//i.test(source) && typeof location !== 'undefined') {
    source = new URL(source, location.href).href
  }
  return openWith(wasm, poison, source, options)
}

export { Table, filterText }
