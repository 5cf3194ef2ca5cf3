// Metadata, diff and stream through the package against the native reader.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { cpSync, mkdtempSync, writeFileSync, rmSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
import { openTable } from 'strata-reader'
import { fixtures, native, snapshotIds, snapshotJson } from './support/native.js'
import { jsonRows, sorted } from './support/rows.js'
import { strataBin } from './support/prepare.js'

const fx = fixtures()
const byName = (n) => fx.tables.find((t) => t.name === n)

test('schema, snapshots and the latest snapshot match the files', async () => {
  for (const t of fx.tables) {
    const table = await openTable(t.path)
    const ids = snapshotIds(t.path)
    const snaps = await table.snapshots()
    assert.deepEqual(snaps.map((s) => s.id), ids, t.name)
    const latest = await table.latestSnapshot()
    if (ids.length === 0) {
      assert.equal(latest, null)
    } else {
      const want = snapshotJson(t.path, ids.at(-1))
      assert.equal(latest.id, want.id)
      assert.equal(latest.timeMillis, want.timeMillis)
      assert.equal(latest.baseManifestList, want.baseManifestList)
    }
    const schema = table.schema()
    const native = JSON.parse(execFileSync(strataBin(), ['schema', t.path], { encoding: 'utf8' }))
    assert.deepEqual(schema.fields, native.fields, t.name)
    assert.deepEqual(schema.primaryKeys, native.primaryKeys, t.name)
    table.close()
  }
})

test('64-bit snapshot counters keep every digit (BigInt beyond 2^53)', async () => {
  let big = 0
  for (const t of fx.tables) {
    const table = await openTable(t.path)
    for (const s of await table.snapshots()) {
      const text = readFileSync(join(t.path, 'snapshot', `snapshot-${s.id}`), 'utf8')
      for (const key of ['commitIdentifier', 'totalRecordCount', 'watermark']) {
        const m = text.match(new RegExp(`"${key}"\\s*:\\s*(-?\\d+)`))
        if (!m) continue
        const want = BigInt(m[1])
        const got = s[key]
        if (want > BigInt(Number.MAX_SAFE_INTEGER) || want < -BigInt(Number.MAX_SAFE_INTEGER)) {
          assert.equal(typeof got, 'bigint', `${t.name} ${s.id} ${key}`)
          big++
        } else {
          assert.equal(typeof got, 'number', `${t.name} ${s.id} ${key}`)
        }
        assert.equal(BigInt(got), want, `${t.name} ${s.id} ${key}`)
      }
    }
    table.close()
  }
  // pypaimon's batch commits carry commitIdentifier 2^63 - 1.
  assert.ok(big > 0, 'no snapshot with a 64-bit counter beyond 2^53 was checked')
})

test('diff of every pair of neighbouring snapshots equals strata diff', async () => {
  let compared = 0
  for (const t of fx.tables) {
    const ids = snapshotIds(t.path)
    const table = await openTable(t.path)
    for (let k = 1; k < ids.length; k++) {
      const [from, to] = [ids[k - 1], ids[k]]
      const got = sorted(jsonRows(await table.diff(from, to)))
      const want = sorted(native('diff', t.path, '--from', String(from), '--to', String(to)))
      assert.deepEqual(got, want, `${t.name} ${from}..${to}`)
      compared += got.length
    }
    if (ids.length > 2) {
      const got = sorted(jsonRows(await table.diff(ids[0], ids.at(-1), { columns: ids.length ? undefined : [] })))
      const want = sorted(native('diff', t.path, '--from', String(ids[0]), '--to', String(ids.at(-1))))
      assert.deepEqual(got, want, `${t.name} ${ids[0]}..${ids.at(-1)}`)
    }
  }
  assert.ok(compared > 50, `only ${compared} changed rows compared`)
})

async function collect (iter, until) {
  const rows = []
  for await (const b of iter) {
    rows.push(...jsonRows(b))
    if (until(rows)) break
  }
  return rows
}

test('a stream from the earliest snapshot, in full, equals strata stream', async () => {
  for (const name of ['s_pk', 'demo_orders', 's_append']) {
    const t = byName(name)
    const want = native('stream', t.path, '--from', 'earliest', '--full', '--idle-exit', '0')
    const table = await openTable(t.path)
    const ac = new AbortController()
    const got = await collect(table.stream({ from: 'earliest', full: true, pollIntervalMs: 10, signal: ac.signal }), (r) => r.length >= want.length)
    ac.abort()
    assert.deepEqual(sorted(got), sorted(want), name)
    assert.ok(got.every((r) => ['+I', '-U', '+U', '-D'].includes(r._kind)))
  }
})

test('a stream follows new commits and stops on abort', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-stream-'))
  try {
    const path = join(dir, 'copy')
    cpSync(byName('s_pk').path, path, { recursive: true })
    const table = await openTable(path)
    const ac = new AbortController()
    const it = table.stream({ from: 'latest', pollIntervalMs: 20, signal: ac.signal })
    const next = it.next()
    await new Promise((r) => setTimeout(r, 100))
    const f = join(dir, 'new.jsonl')
    writeFileSync(f, JSON.stringify({ id: 77, dt: 'a', name: 'new', amount: '1.00', op: '+I' }) + '\n')
    execFileSync(strataBin(), ['write', path, f, '--row-kind-column', 'op'])
    const { value } = await next
    const rows = jsonRows(value)
    assert.deepEqual(rows.map((r) => [r.id, r.name, r._kind]), [[77, 'new', '+I']])
    ac.abort()
    const end = await it.next()
    assert.equal(end.done, true)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('failures are Errors with stable codes naming the file', async () => {
  const code = async (p, c) => {
    await assert.rejects(p, (e) => {
      assert.ok(e instanceof Error)
      assert.equal(e.code, c, e.message)
      return true
    })
  }
  await code(openTable(join(tmpdir(), 'no-such-table-here')), 'NOT_FOUND')
  const t = byName('s_pk')
  const table = await openTable(t.path)
  await code(table.scan({ filter: 'id >' }), 'INVALID_ARGUMENT')
  await code(table.scan({ columns: ['nope'] }), 'INVALID_ARGUMENT')
  await code(table.scan({ snapshotId: 999 }), 'NOT_FOUND')
  await code(table.scan({ tag: 'nope' }), 'NOT_FOUND')
  await code(table.scan({ bogus: 1 }), 'INVALID_ARGUMENT')
  await code(table.diff(3, 1), 'INVALID_ARGUMENT')
  await code(table.diff(1.5, 2), 'INVALID_ARGUMENT')
  await code(openTable({}), 'INVALID_ARGUMENT')

  // A corrupt snapshot file: the error names it.
  const dir = mkdtempSync(join(tmpdir(), 'strata-corrupt-'))
  try {
    const path = join(dir, 'copy')
    cpSync(t.path, path, { recursive: true })
    const last = snapshotIds(path).at(-1)
    writeFileSync(join(path, 'snapshot', `snapshot-${last}`), '{"id": ')
    const broken = await openTable(path)
    await assert.rejects(broken.scan(), (e) => {
      assert.equal(e.code, 'INVALID_JSON')
      assert.equal(e.path, `snapshot/snapshot-${last}`)
      assert.match(e.message, new RegExp(`snapshot-${last}`))
      return true
    })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('any object with read(path, start, end) is a table source', async () => {
  const t = byName('demo_orders')
  const files = new Map()
  const { readdirSync, readFileSync } = await import('node:fs')
  for (const e of readdirSync(t.path, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) {
      const full = join(e.parentPath ?? e.path, e.name)
      files.set(full.slice(t.path.length + 1), readFileSync(full))
    }
  }
  const calls = []
  const reader = {
    async read (path, start, end) {
      calls.push([path, start, end])
      const b = files.get(path)
      if (!b) return null
      return start === undefined ? new Uint8Array(b) : new Uint8Array(b.subarray(start, end))
    }
  }
  const table = await openTable(reader)
  assert.deepEqual(sorted(jsonRows(await table.scan())), sorted(native('scan', t.path)))
  assert.ok(calls.some(([, s]) => s !== undefined), 'ranges were asked for')
  await assert.rejects(table.tags(), (e) => e.code === 'UNSUPPORTED')
  const listing = { ...reader, list: async (prefix) => [...files.keys()].filter((p) => p.startsWith(prefix + '/')) }
  assert.deepEqual(await (await openTable(listing)).tags(), [])
})
