// Node: a reader object over a local table directory.

import { readFile, open, stat, readdir } from 'node:fs/promises'
import { join, relative, sep, resolve } from 'node:path'

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
