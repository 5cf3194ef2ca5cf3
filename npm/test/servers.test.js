// Tables served by real servers other than the suite's own: Python's `http.server` (no Range
// support, HTML directory indexes) and an S3-protocol server (moto: Range GETs,
// ListObjectsV2). Every table reads like `strata scan`; `tags()` lists through each server.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { freePort } from './support/process.js'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { openTable } from 'strata-reader'
import { fixtures, native } from './support/native.js'
import { jsonRows, sorted } from './support/rows.js'

const fx = fixtures()
const children = []

after(() => { for (const c of children) c.kill() })

/** Starts `cmd args` and resolves once `ready(outputSoFar)` returns a value (or fails after 20 s). */
function start (cmd, args, ready) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYTHONUNBUFFERED: '1' } })
  children.push(child)
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`${cmd} did not start: ${out}`)), 20_000)
    const seen = (d) => {
      out += d
      const v = ready(out)
      if (v) {
        clearTimeout(timer)
        resolve(v)
      }
    }
    child.stdout.on('data', seen)
    child.stderr.on('data', seen)
    child.on('exit', (code) => reject(new Error(`${cmd} exited with ${code}: ${out}`)))
  })
}

const tablesWithRows = fx.tables.filter((t) => readdirSync(t.path).includes('snapshot'))

async function readsLikeNative (urlOf) {
  let rows = 0
  for (const t of tablesWithRows) {
    const table = await openTable(urlOf(t))
    const got = sorted(jsonRows(await table.scan()))
    assert.deepEqual(got, sorted(native('scan', t.path)), t.name)
    rows += got.length
    table.close()
  }
  assert.ok(rows > 100, `only ${rows} rows compared`)
}

async function tagsLikeNative (url, t) {
  const table = await openTable(url)
  const tags = await table.tags()
  assert.deepEqual(tags.map((x) => x.name), ['second'])
  assert.equal(tags[0].id, 2)
  const got = sorted(jsonRows(await table.scan({ tag: 'second' })))
  assert.deepEqual(got, sorted(native('scan', t.path, '--tag', 'second')))
  table.close()
}

let python
before(async () => {
  const py = process.env.STRATA_PYTHON || 'python3'
  const port = await freePort()
  python = await start(py, ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', fx.root],
    (out) => out.includes('Serving HTTP') && `http://127.0.0.1:${port}`)
})

test('python -m http.server: whole-object reads, tags from its directory index', async () => {
  const urlOf = (t) => `${python}/${relative(fx.root, t.path).split('\\').join('/')}`
  await readsLikeNative(urlOf)
  const t = fx.tables.find((x) => x.name === 's_pk')
  await tagsLikeNative(urlOf(t), t)
  // The fetch log: every request, each answered after it was issued.
  const table = await openTable(urlOf(t))
  await table.scan()
  const log = table.fetchLog()
  assert.equal(log.length, table.fetchStats().requests)
  assert.ok(log.every((e) => e.done >= e.issued && typeof e.path === 'string'))
  assert.equal(log.reduce((n, e) => n + e.bytes, 0), table.fetchStats().bytes)
  table.close()
})

test('an S3 bucket (moto): every table reads like strata scan, tags through ListObjectsV2', async () => {
  const moto = process.env.STRATA_MOTO
  assert.ok(moto, 'set STRATA_MOTO to moto_server (scripts/wasm.sh installs it)')
  const port = await freePort()
  const s3 = await start(moto, ['-H', '127.0.0.1', '-p', String(port)],
    (out) => out.includes('Running on') && `http://127.0.0.1:${port}`)
  // Uploads as an (unchecked) signed-in owner, readable by anyone: the reader reads as an
  // anonymous client of a public bucket.
  const put = async (key, body) => {
    const headers = {
      authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0',
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      'x-amz-acl': 'public-read',
      'content-type': 'application/octet-stream'
    }
    const path = key.split('/').map(encodeURIComponent).join('/')
    const r = await fetch(`${s3}/${path}`, { method: 'PUT', body, headers })
    assert.ok(r.ok, `PUT ${key}: HTTP ${r.status}`)
  }
  await put('strata', undefined)
  const keyOf = (t) => `wh/${relative(fx.root, t.path).split('\\').join('/')}`
  for (const t of tablesWithRows) {
    for (const d of readdirSync(t.path, { recursive: true, withFileTypes: true })) {
      if (!d.isFile()) continue
      const file = join(d.parentPath ?? d.path, d.name)
      await put(`strata/${keyOf(t)}/${relative(t.path, file).split('\\').join('/')}`, readFileSync(file))
    }
  }
  await readsLikeNative((t) => `${s3}/strata/${keyOf(t)}`)
  const t = fx.tables.find((x) => x.name === 's_pk')
  await tagsLikeNative(`${s3}/strata/${keyOf(t)}`, t)
})
