// A static file server for the tests and benchmarks: GET (with or without honouring Range),
// HEAD, and a log of every request with its start and end times.

import { createServer, request as forward } from 'node:http'
import { open, stat } from 'node:fs/promises'
import { join, resolve, sep } from 'node:path'

/**
 * Serves `root` on 127.0.0.1. `ranges: false` answers every GET with the whole file (a server
 * that ignores Range). `proxy: { prefix, target }` forwards requests under `prefix` to the
 * server at `target` unchanged, `Host` included (an object store behind the page's origin, as
 * a CDN puts it, so signed requests still verify; logged as `{ method, url, proxied,
 * authorization }`). Resolves to `{ url, log, close }`.
 */
export async function serve (root, { ranges = true, cors = true, logPath = null, proxy = null } = {}) {
  const base = resolve(root)
  const log = []
  const server = createServer(async (req, res) => {
    if (proxy && req.url.startsWith(proxy.prefix)) {
      log.push({ method: req.method, url: req.url, proxied: true, authorization: req.headers.authorization ?? null })
      const target = new URL(proxy.target)
      const out = forward({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode, answer.headers)
        answer.pipe(res)
      })
      out.on('error', (e) => { res.writeHead(502); res.end(String(e)) })
      req.pipe(out)
      return
    }
    if (logPath && req.url === logPath) {
      res.writeHead(200, { 'content-type': 'application/json' })
      return res.end(JSON.stringify(log))
    }
    const entry = { method: req.method, path: decodeURIComponent(req.url.split('?')[0]), range: req.headers.range ?? null, authorization: req.headers.authorization ?? null, start: performance.now(), bytes: 0, status: 0 }
    log.push(entry)
    const done = (status, body, headers = {}) => {
      entry.status = status
      entry.bytes = body ? body.length : 0
      if (cors) {
        headers['access-control-allow-origin'] = '*'
        headers['access-control-allow-headers'] = '*'
        headers['access-control-expose-headers'] = 'content-length, content-range'
      }
      // A length, as static servers and object stores send (object_store's HTTP client needs it).
      if (body && !('content-length' in headers)) headers['content-length'] = body.length
      res.writeHead(status, headers)
      res.end(req.method === 'HEAD' ? undefined : body)
      entry.end = performance.now()
    }
    try {
      if (req.method === 'OPTIONS') return done(204, null)
      const file = resolve(join(base, entry.path))
      if (file !== base && !file.startsWith(base + sep)) return done(403, null)
      let st
      try { st = await stat(file) } catch { return done(404, Buffer.from('not found')) }
      if (!st.isFile()) return done(404, Buffer.from('not found'))
      const type = file.endsWith('.html') ? 'text/html' : /\.m?js$/.test(file) ? 'text/javascript' : file.endsWith('.wasm') ? 'application/wasm' : 'application/octet-stream'
      if (req.method === 'HEAD') {
        entry.status = 200
        res.writeHead(200, { 'content-length': st.size, 'content-type': type, ...(cors ? { 'access-control-allow-origin': '*' } : {}) })
        res.end()
        entry.end = performance.now()
        return
      }
      const m = ranges && entry.range && /^bytes=(\d+)-(\d*)$/.exec(entry.range)
      const fh = await open(file, 'r')
      try {
        if (m) {
          const a = Number(m[1])
          const b = m[2] === '' ? st.size - 1 : Math.min(Number(m[2]), st.size - 1)
          if (a >= st.size || b < a) return done(416, null, { 'content-range': `bytes */${st.size}` })
          const buf = Buffer.alloc(b - a + 1)
          await fh.read(buf, 0, buf.length, a)
          return done(206, buf, { 'content-type': type, 'content-range': `bytes ${a}-${b}/${st.size}` })
        }
        const buf = Buffer.alloc(st.size)
        await fh.read(buf, 0, st.size, 0)
        return done(200, buf, { 'content-type': type })
      } finally {
        await fh.close()
      }
    } catch (e) {
      done(500, Buffer.from(String(e)))
    }
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${server.address().port}`
  return { url, log, close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r) }) }
}

/**
 * The sequential round trips of a request log: the longest chain of requests each of which
 * started after the previous one had finished (independent requests in flight together count
 * once).
 */
export function roundTrips (log) {
  const done = log.filter((e) => e.end !== undefined).sort((a, b) => a.start - b.start)
  const depth = []
  for (let i = 0; i < done.length; i++) {
    let d = 1
    for (let j = 0; j < i; j++) if (done[j].end <= done[i].start) d = Math.max(d, depth[j] + 1)
    depth.push(d)
  }
  return depth.length ? Math.max(...depth) : 0
}
