// jsonRows (Arrow rows as JSON-safe objects) and the errors users see first: unsupported
// schemes, missing tables named by their location, bad scan options in words.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import {
  makeData, makeVector, vectorFromArray, Decimal, Int64, Float64, TimestampMicrosecond,
  DateDay, Binary, Utf8, List, Field, Table as ArrowTable
} from 'apache-arrow'
import { openTable, jsonRows } from 'strata-reader'
import { fixtures } from './support/native.js'
import { serve } from './support/server.js'

function decimals (type, words) {
  return makeVector(makeData({ type, length: words.length / 4, data: new Uint32Array(words) }))
}

test('jsonRows writes decimals, 64-bit integers, times and binaries exactly', () => {
  const neg = (n) => [(0x100000000 - n) >>> 0, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF]
  const table = new ArrowTable({
    amount: decimals(new Decimal(2, 10, 128), [5010, 0, 0, 0, ...neg(5), 0, 0, 0, 0]),
    big: vectorFromArray([5n, 2n ** 60n, -(2n ** 53n)], new Int64()),
    ts: makeVector(makeData({ type: new TimestampMicrosecond(), length: 3, data: new BigInt64Array([1795773841123456n, 0n, 1795773841000000n]) })),
    ltz: makeVector(makeData({ type: new TimestampMicrosecond('UTC'), length: 3, data: new BigInt64Array([1795773841123000n, 0n, 0n]) })),
    d: makeVector(makeData({ type: new DateDay(), length: 3, data: new Int32Array([20784, 0, -1]) })),
    f: vectorFromArray([1.5, NaN, -Infinity], new Float64()),
    b: vectorFromArray([new Uint8Array([0, 255, 1]), null, new Uint8Array([])], new Binary()),
    l: vectorFromArray([[1n, 2n ** 62n], [], null], new List(new Field('item', new Int64(), true)))
  })
  const rows = jsonRows(table)
  assert.deepEqual(rows[0], {
    amount: '50.10',
    big: 5,
    ts: '2026-11-27T10:04:01.123456',
    ltz: '2026-11-27T10:04:01.123Z',
    d: '2026-11-27',
    f: 1.5,
    b: 'AP8B',
    l: [1, '4611686018427387904']
  })
  assert.deepEqual(rows[1], {
    amount: '-0.05', big: '1152921504606846976', ts: '1970-01-01T00:00:00.000', ltz: '1970-01-01T00:00:00.000Z', d: '1970-01-01', f: 'NaN', b: null, l: []
  })
  assert.equal(rows[2].amount, '0.00')
  assert.equal(rows[2].big, '-9007199254740992')
  assert.equal(rows[2].d, '1969-12-31')
  assert.equal(rows[2].f, '-Infinity')
  assert.equal(rows[2].l, null)
  // The whole result survives JSON, which Arrow's own rows do not (BigInt throws).
  assert.deepEqual(JSON.parse(JSON.stringify(rows)), rows)
  assert.throws(() => JSON.stringify(table.toArray().map((r) => r.toJSON())), TypeError)
  assert.throws(() => jsonRows([{ a: 1 }]), /Arrow Table or RecordBatch/)
  const strings = new ArrowTable({ s: vectorFromArray(['x', null], new Utf8()) })
  assert.deepEqual(jsonRows(strings.batches[0]), [{ s: 'x' }, { s: null }])
})

test('jsonRows of a real scan: decimals with their scale, big ids as strings', async () => {
  const t = fixtures().tables.find((x) => x.name === 's_pk')
  const table = await openTable(t.path)
  const rows = jsonRows(await table.scan({ filter: "(id = 6 AND dt = 'b') OR id = 41", columns: ['id', 'amount', 'big', 'd', 'ts'] }))
  rows.sort((a, b) => a.id - b.id)
  assert.deepEqual(rows, [
    { id: 6, amount: '-0.50', big: 6000000042, d: '2026-11-26', ts: '2026-11-27T10:06:01.123456' },
    { id: 41, amount: '41.41', big: '9007199254740992', d: '2026-11-25', ts: '2026-11-27T10:41:01.123456' }
  ])
  table.close()
})

test('errors name the table and say what is wrong, in words', async () => {
  const rejects = (p, code, ...needles) => assert.rejects(p, (e) => {
    assert.equal(e.name, 'StrataError')
    assert.equal(e.code, code, e.message)
    for (const n of needles) assert.ok(e.message.includes(n), `${JSON.stringify(n)} in ${e.message}`)
    assert.doesNotMatch(e.message, /usize|line \d+ column|expected one of|invalid type:/)
    return true
  })
  await rejects(openTable('gs://bucket/wh/db.db/t'), 'UNSUPPORTED', 'gs://bucket/wh/db.db/t', 'HTTP', 's3://')
  await rejects(openTable(new URL('oss://bucket/t')), 'UNSUPPORTED', 'oss://')
  await rejects(openTable('s3://x/t'), 'INVALID_ARGUMENT', 's3://x/t', 'bucket name')
  await rejects(openTable('s3://bucket/t', { s3: { secretKey: 'k' } }), 'INVALID_ARGUMENT', 'unknown s3 setting "secretKey"')
  await rejects(openTable('s3://bucket/t', { s3: { accessKeyId: 'AKIA', endpoint: 'http://127.0.0.1:9' } }), 'INVALID_ARGUMENT', 'secretAccessKey')
  await rejects(openTable('s3://bucket/t', { s3: { endpoint: 'http://127.0.0.1:9/path' } }), 'INVALID_ARGUMENT', 's3.endpoint')
  const missing = join(tmpdir(), 'no-such-strata-table')
  await rejects(openTable(missing), 'NOT_FOUND', missing)
  const server = await serve(fixtures().root)
  try {
    await rejects(openTable(`${server.url}/nope/t`), 'NOT_FOUND', `${server.url}/nope/t`)
  } finally {
    await server.close()
  }
  const t = fixtures().tables.find((x) => x.name === 's_pk')
  const table = await openTable(t.path)
  await rejects(table.scan({ limit: -1 }), 'INVALID_ARGUMENT', 'limit must be an integer of at least 0, got -1')
  await rejects(table.scan({ limit: 1.5 }), 'INVALID_ARGUMENT', 'limit')
  await rejects(table.scan({ snapshotId: 'three' }), 'INVALID_ARGUMENT', 'snapshotId')
  await rejects(table.scan({ columns: 'id' }), 'INVALID_ARGUMENT', 'columns must be an array')
  await rejects(table.scan({ concurrency: 0 }), 'INVALID_ARGUMENT', 'concurrency')
  await rejects(table.scan({ snapshotId: 999 }), 'NOT_FOUND', t.path)
  table.close()
})
