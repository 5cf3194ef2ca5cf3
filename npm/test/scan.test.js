// Every test table read through the package equals `strata scan` of the same snapshot: from
// local files (every snapshot), over HTTP with Range support and over HTTP without it.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { relative } from 'node:path'
import { createServer } from 'node:net'
import { openTable } from 'strata-reader'
import { fixtures, native, snapshotIds, snapshotJson } from './support/native.js'
import { jsonRows, sorted } from './support/rows.js'
import { serve } from './support/server.js'
import { runScript } from './support/process.js'

const fx = fixtures()
let ranged, plain

before(async () => {
  ranged = await serve(fx.root)
  plain = await serve(fx.root, { ranges: false })
})
after(async () => {
  await ranged.close()
  await plain.close()
})

const urlOf = (server, t) => `${server.url}/${relative(fx.root, t.path).split('\\').join('/')}`

async function check (table, nativeArgs, options, what) {
  const got = sorted(jsonRows(await table.scan(options)))
  const want = sorted(native('scan', ...nativeArgs))
  assert.deepEqual(got, want, what)
  return got.length
}

test('every table and snapshot from local files equals strata scan', async () => {
  let rows = 0
  let reads = 0
  for (const t of fx.tables) {
    const table = await openTable(t.path)
    for (const id of snapshotIds(t.path)) {
      rows += await check(table, [t.path, '--snapshot', String(id)], { snapshotId: id }, `${t.name} @${id}`)
      reads++
    }
    rows += await check(table, [t.path], {}, `${t.name} latest`)
    table.close()
  }
  assert.ok(fx.tables.length >= 20, `only ${fx.tables.length} tables`)
  assert.ok(rows > 500, `only ${rows} rows compared over ${reads} reads`)
})

for (const [kind, server] of [['with Range support', () => ranged], ['ignoring Range', () => plain]]) {
  test(`every table over HTTP ${kind} equals strata scan`, async () => {
    for (const t of fx.tables) {
      const table = await openTable(urlOf(server(), t))
      await check(table, [t.path], {}, `${t.name} over HTTP ${kind}`)
      const ids = snapshotIds(t.path)
      if (ids.length > 1) {
        await check(table, [t.path, '--snapshot', String(ids[0])], { snapshotId: ids[0] }, `${t.name} @${ids[0]} over HTTP ${kind}`)
      }
      table.close()
    }
  })
}

test('a server without Range support sends each file once', async () => {
  const t = fx.tables.find((x) => x.name === 's_pk')
  const from = plain.log.length
  const table = await openTable(urlOf(plain, t))
  await table.scan()
  const gets = plain.log.slice(from).filter((e) => e.method === 'GET' && e.path.endsWith('.parquet'))
  const paths = new Set(gets.map((e) => e.path))
  assert.ok(paths.size > 0)
  assert.equal(gets.length, paths.size, 'a Parquet file was downloaded twice')
})

test('columns, filters (text and objects) and limits push down as natively', async () => {
  const t = fx.tables.find((x) => x.name === 's_pk')
  const table = await openTable(t.path)
  await check(table, [t.path, '--columns', 'name,id'], { columns: ['name', 'id'] }, 'columns')
  const filter = "id > 10 AND (dt = 'a' OR name IS NULL)"
  await check(table, [t.path, '--filter', filter], { filter }, 'text filter')
  await check(table, [t.path, '--filter', filter], {
    filter: { and: [{ column: 'id', op: '>', value: 10 }, { or: [{ column: 'dt', op: '=', value: 'a' }, { column: 'name', isNull: true }] }] }
  }, 'object filter')
  await check(table, [t.path, '--filter', 'id IN (1, 2, 3, 41)'], { filter: { column: 'id', in: [1, 2, 3n, 41] } }, 'IN')
  await check(table, [t.path, '--filter', "NOT name = 'n7'"], { filter: { not: { column: 'name', op: '=', value: 'n7' } } }, 'NOT')
  const limited = await table.scan({ limit: 5 })
  assert.equal(limited.numRows, 5)
  const want = native('scan', t.path, '--limit', '5')
  assert.deepEqual(jsonRows(limited), want, 'limit reads the same first rows')
})

test('time travel by tag and by timestamp', async () => {
  const t = fx.tables.find((x) => x.name === 's_pk')
  const table = await openTable(t.path)
  await check(table, [t.path, '--tag', 'second'], { tag: 'second' }, 'tag')
  for (const id of snapshotIds(t.path)) {
    const ms = snapshotJson(t.path, id).timeMillis
    await check(table, [t.path, '--timestamp', String(ms)], { timestampMs: ms }, `timestamp of ${id}`)
  }
  const tags = await table.tags()
  assert.deepEqual(tags.map((x) => x.name), ['second'])
  assert.equal(tags[0].id, 2)
})

test('rows come back as Arrow tables with .toArray()', async () => {
  const t = fx.tables.find((x) => x.name === 'demo_orders')
  const table = await openTable(t.path)
  const result = await table.scan({ columns: ['id', 'customer'], filter: 'id = 2' })
  const rows = result.toArray().map((r) => r.toJSON())
  assert.deepEqual(rows, [{ id: 2n, customer: 'grace' }])
  const batches = []
  for await (const b of table.batches()) batches.push(b)
  assert.equal(batches.reduce((n, b) => n + b.numRows, 0), (await table.scan()).numRows)
})

test('a caller\'s fetch carries every request; Node\'s default runs them in a worker', async () => {
  const t = fx.tables.find((x) => x.name === 'demo_orders')
  const url = `${ranged.url}/${relative(fx.root, t.path)}`
  const want = sorted(native('scan', t.path))
  const seen = []
  const fetch = (request) => {
    seen.push(new URL(request.url).pathname)
    return globalThis.fetch(request)
  }
  const mine = await openTable(url, { fetch })
  assert.deepEqual(sorted(jsonRows(await mine.scan())), want)
  assert.ok(seen.some((p) => p.endsWith('.parquet')), seen.join('\n'))
  assert.ok(seen.every((p) => p.startsWith(new URL(url).pathname)), seen.join('\n'))
  // The default (workerFetch) reads the same.
  assert.deepEqual(sorted(jsonRows(await (await openTable(url)).scan())), want)
  await assert.rejects(openTable(url, { fetch: 42 }), (e) => e.code === 'INVALID_ARGUMENT')
})

test('a refused connection through the worker is a STORAGE error naming the URL', async () => {
  const port = await new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
  await assert.rejects(openTable(`http://127.0.0.1:${port}/nowhere/t`), (e) => {
    assert.equal(e.code, 'STORAGE', e.message)
    assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port}`))
    return true
  })
})

test('a Node process exits as soon as its HTTP scan is done (the worker holds nothing open)', async () => {
  const t = fx.tables.find((x) => x.name === 'demo_orders')
  const url = `${ranged.url}/${relative(fx.root, t.path)}`
  const script = `import { openTable } from 'strata-reader'
const t = await openTable(${JSON.stringify(url)})
console.log((await t.scan()).numRows)`
  const { code, out, ms } = await runScript(script)
  assert.equal(code, 0, out)
  assert.equal(Number(out.trim()), native('scan', t.path).length, out)
  assert.ok(ms < 15_000, `took ${ms} ms`)
})
