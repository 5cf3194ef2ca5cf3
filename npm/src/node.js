// Node entry point: tables over HTTP(S), local directories, or any reader object.

import { readFile, open, stat, readdir } from 'node:fs/promises'
import { join, relative, sep, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openWith, Table } from './table.js'
import { filterText } from './filter.js'

const wasmPath = new URL('../pkg/strata_wasm_bg.wasm', import.meta.url)
let loading = null
let generation = 0

// Instantiated on first use; after a trap the next open loads a fresh instance.
function load () {
  if (!loading) {
    const g = generation
    loading = (async () => {
      const glue = await import(`../pkg/strata_wasm.js${g ? `?instance=${g}` : ''}`)
      glue.initSync({ module: await readFile(wasmPath) })
      return glue
    })()
    loading.catch(() => { loading = null })
  }
  return loading
}

function poison () {
  generation += 1
  loading = null
}

/** A reader over a local table directory, built on `fs/promises`. */
export function fileReader (root) {
  const base = resolve(root)
  const full = (path) => join(base, ...path.split('/'))
  const absent = (e) => e && (e.code === 'ENOENT' || e.code === 'ENOTDIR')
  return {
    async read (path, start, end) {
      try {
        if (start === undefined) return await readFile(full(path))
        const fh = await open(full(path), 'r')
        try {
          const buf = Buffer.allocUnsafe(end - start)
          let got = 0
          while (got < buf.length) {
            const { bytesRead } = await fh.read(buf, got, buf.length - got, start + got)
            if (bytesRead === 0) break
            got += bytesRead
          }
          return got === buf.length ? buf : buf.subarray(0, got)
        } finally {
          await fh.close()
        }
      } catch (e) {
        if (absent(e)) return null
        throw e
      }
    },
    async head (path) {
      try {
        const s = await stat(full(path))
        return s.isFile() ? { size: s.size } : null
      } catch (e) {
        if (absent(e)) return null
        throw e
      }
    },
    async list (prefix) {
      let entries
      try {
        entries = await readdir(full(prefix), { recursive: true, withFileTypes: true })
      } catch (e) {
        if (absent(e)) return []
        throw e
      }
      return entries
        .filter((d) => d.isFile())
        .map((d) => relative(base, join(d.path ?? d.parentPath, d.name)).split(sep).join('/'))
    }
  }
}

/**
 * Opens a table: an `http(s)://` URL, a local directory (path or `file:` URL), or an object
 * with an async `read(path, start?, end?)` (and optional `head`, `exists`, `list`).
 */
export async function openTable (source, options = {}) {
  const wasm = await load()
  if (source instanceof URL && source.protocol === 'file:') source = fileURLToPath(source)
  if (typeof source === 'string' && !/^https?:\/\//i.test(source)) {
    if (source.startsWith('file:')) source = fileURLToPath(source)
    source = fileReader(source)
  }
  return openWith(wasm, poison, source, options)
}

export { Table, filterText }
