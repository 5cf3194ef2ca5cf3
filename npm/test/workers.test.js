// Scans in worker threads (`scan({ workers })`) equal `strata scan` of the same snapshot: from
// local files and over HTTP, with every read option; their failures are the same typed errors.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { openTable, fileReader } from 'strata-reader'
import { fixtures, native, snapshotIds, snapshotJson } from './support/native.js'
import { jsonRows, sorted } from './support/rows.js'
import { serve } from './support/server.js'
import { runScript } from './support/process.js'

const fx = fixtures()
const byName = (name) => fx.tables.find((x) => x.name === name)
let server

before(async () => { server = await serve(fx.root) })
after(async () => { await server.close() })

const urlOf = (t) => `${server.url}/${relative(fx.root, t.path).split('\\').join('/')}`

async function check (table, nativeArgs, options, what) {
  const got = await table.scan(options)
  const want = sorted(native('scan', ...nativeArgs))
  assert.deepEqual(sorted(jsonRows(got)), want, what)
  return got.numRows
}

test('every table with 2 and 3 workers from local files equals strata scan', async () => {
  let rows = 0
  for (const t of fx.tables) {
    const table = await openTable(t.path)
    for (const workers of [2, 3]) rows += await check(table, [t.path], { workers }, `${t.name} with ${workers} workers`)
    const ids = snapshotIds(t.path)
    if (ids.length > 1) {
      rows += await check(table, [t.path, '--snapshot', String(ids[0])], { snapshotId: ids[0], workers: 2 }, `${t.name} @${ids[0]}`)
    }
    table.close()
  }
  assert.ok(rows > 500, `only ${rows} rows compared`)
})

test('every table with workers over HTTP equals strata scan, with the caller\'s headers', async () => {
  for (const t of fx.tables) {
    const from = server.log.length
    const table = await openTable(urlOf(t), { headers: { authorization: 'Bearer w' } })
    await check(table, [t.path], { workers: 2 }, `${t.name} over HTTP`)
    const own = table.fetchLog().filter((r) => r.path.endsWith('.parquet'))
    assert.deepEqual(own, [], `${t.name}: the calling thread read data files itself`)
    const gets = server.log.slice(from).filter((e) => e.path.endsWith('.parquet'))
    assert.ok(gets.every((e) => e.authorization === 'Bearer w'), `${t.name}: a worker's request lost the headers`)
    table.close()
  }
})

test('columns, filters, tags, timestamps and limits through workers', async () => {
  const t = byName('s_pk')
  const table = await openTable(t.path)
  await check(table, [t.path, '--columns', 'name,id'], { columns: ['name', 'id'], workers: 2 }, 'columns')
  const filter = "id > 10 AND (dt = 'a' OR name IS NULL)"
  await check(table, [t.path, '--filter', filter], { filter, workers: 2 }, 'filter')
  await check(table, [t.path, '--tag', 'second'], { tag: 'second', workers: 2 }, 'tag')
  for (const id of snapshotIds(t.path)) {
    const ms = snapshotJson(t.path, id).timeMillis
    await check(table, [t.path, '--timestamp', String(ms)], { timestampMs: ms, workers: 'auto' }, `timestamp of ${id}`)
  }
  // A limit reads splits in turn on this thread, so the first rows are the native ones.
  const limited = await table.scan({ limit: 3, workers: 2 })
  assert.deepEqual(jsonRows(limited), native('scan', t.path, '--limit', '3'))
})

test('worker counts and sources that cannot run in workers are typed errors', async () => {
  const t = byName('s_pk')
  const table = await openTable(t.path)
  for (const workers of [0, -1, 1.5, 'many']) {
    await assert.rejects(table.scan({ workers }), (e) => e.code === 'INVALID_ARGUMENT', `workers: ${workers}`)
  }
  assert.equal((await table.scan({ workers: 1 })).numRows, native('scan', t.path).length)
  const viaReader = await openTable(fileReader(t.path))
  await assert.rejects(viaReader.scan({ workers: 2 }), (e) => e.code === 'INVALID_ARGUMENT' && /worker/.test(e.message))
  const viaFetch = await openTable(urlOf(t), { fetch: (r) => fetch(r) })
  await assert.rejects(viaFetch.scan({ workers: 2 }), (e) => e.code === 'INVALID_ARGUMENT')
})

test('a failure inside a worker is the error a one-thread scan gives', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-workers-'))
  try {
    const t = byName('s_pk')
    const copy = join(dir, 't')
    cpSync(t.path, copy, { recursive: true })
    for (const f of readdirSync(copy, { recursive: true }).map(String)) {
      if (f.endsWith('.parquet')) rmSync(join(copy, f))
    }
    const table = await openTable(copy)
    let single
    await assert.rejects(table.scan(), (e) => { single = e; return true })
    await assert.rejects(table.scan({ workers: 2 }), (e) => {
      assert.equal(e.name, 'StrataError')
      assert.equal(e.code, single.code, e.message)
      assert.match(e.message, /data-[^ ]*\.parquet/)
      return true
    })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a Node process exits as soon as its scan in workers is done', async () => {
  const t = byName('demo_orders')
  const script = `import { openTable } from 'strata-reader'
const t = await openTable(${JSON.stringify(t.path)})
console.log((await t.scan({ workers: 2 })).numRows)`
  const { code, out, ms } = await runScript(script)
  assert.equal(code, 0, out)
  assert.equal(Number(out.trim()), native('scan', t.path).length, out)
  assert.ok(ms < 15_000, `took ${ms} ms`)
})
