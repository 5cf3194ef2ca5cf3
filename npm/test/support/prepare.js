// Writes the test tables once into a directory: pypaimon's suite (tests/compat/py/gen_tables.py)
// under wh/ and Strata-written tables under strata/, plus fixtures.json listing them.
//
//   node test/support/prepare.js DIR      (needs STRATA_BIN and STRATA_PYTHON)

import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync, readdirSync, readFileSync, existsSync, rmSync } from 'node:fs'
import { join, resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

export function strataBin () {
  const bin = process.env.STRATA_BIN
  if (!bin || !existsSync(bin)) throw new Error('set STRATA_BIN to the strata binary (scripts/wasm.sh does)')
  return bin
}

function strata (...args) {
  return execFileSync(strataBin(), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}

function jsonl (rows) {
  return rows.map((r) => JSON.stringify(r)).join('\n') + '\n'
}

// A primary-key table over three commits (inserts, updates and deletes), a tag on the
// second, then a full compaction; an append table over two commits.
function strataTables (dir) {
  const out = []
  strata('demo', join(dir, 'demo'))
  out.push({ name: 'demo_orders', path: join(dir, 'demo/default.db/orders') })

  const pk = join(dir, 'db/s_pk')
  strata('create', pk, '--columns',
    'id BIGINT NOT NULL, name STRING, amount DECIMAL(10,2), big BIGINT, ratio FLOAT, d DATE, ts TIMESTAMP(6), flag BOOLEAN, dt STRING NOT NULL',
    '--primary-key', 'id,dt', '--partition', 'dt', '--bucket', '2')
  const row = (id, dt, op, extra = {}) => ({
    id, dt, op, name: `n${id}`, amount: `${id}.${String(id % 100).padStart(2, '0')}`,
    big: id * 1_000_000_007, ratio: id / 8, d: '2026-11-2' + (id % 9), ts: `2026-11-27T10:${String(id % 60).padStart(2, '0')}:01.123456`,
    flag: id % 2 === 0, ...extra
  })
  const writes = [
    Array.from({ length: 40 }, (_, i) => row(i + 1, i % 2 ? 'a' : 'b', '+I')),
    [row(3, 'a', '+U', { name: 'three' }), row(4, 'b', '-D'), row(41, 'a', '+I', { name: null, big: 9007199254740993 })],
    [row(5, 'a', '-D'), row(6, 'b', '+U', { amount: '-0.50' }), row(42, 'b', '+I', { ratio: null })]
  ]
  writes.forEach((rows, i) => {
    const f = join(dir, `pk-${i}.jsonl`)
    writeFileSync(f, jsonl(rows))
    strata('write', pk, f, '--row-kind-column', 'op')
    if (i === 1) strata('tag', pk, 'create', 'second')
  })
  strata('compact', pk, '--full')
  out.push({ name: 's_pk', path: pk })

  const ap = join(dir, 'db/s_append')
  strata('create', ap, '--columns', 'k INT, v DOUBLE, s STRING', '--bucket', '-1')
  for (let i = 0; i < 2; i++) {
    const f = join(dir, `ap-${i}.jsonl`)
    writeFileSync(f, jsonl(Array.from({ length: 25 }, (_, j) => ({ k: i * 100 + j, v: j * 0.25, s: j % 5 ? `s${j}` : null }))))
    strata('write', ap, f)
  }
  out.push({ name: 's_append', path: ap })
  return out
}

function pypaimonTables (dir) {
  const py = process.env.STRATA_PYTHON
  if (!py) throw new Error('set STRATA_PYTHON to the pypaimon venv python (scripts/test.sh does)')
  const wh = join(dir, 'wh')
  execFileSync(py, [join(repo, 'tests/compat/py/gen_tables.py'), wh], { stdio: ['ignore', 'ignore', 'inherit'] })
  const db = join(wh, 'db.db')
  return readdirSync(db, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(db, d.name, 'schema')))
    // The shipped Wasm module reads Parquet data files only (ORC and Avro are opt-in features
    // of reader-wasm, BENCHMARKS.md), so the ORC and Avro tables stay with the native suites.
    .filter((d) => !wasmLacksFormat(join(db, d.name)))
    .map((d) => ({ name: d.name, path: join(db, d.name), writer: 'pypaimon' }))
}

function wasmLacksFormat (table) {
  const schema = JSON.parse(readFileSync(join(table, 'schema', 'schema-0'), 'utf8'))
  return /^(orc|avro)$/i.test(schema.options?.['file.format'] ?? '')
}

export function prepare (dir) {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(join(dir, 'strata'), { recursive: true })
  const tables = [
    ...pypaimonTables(dir),
    ...strataTables(join(dir, 'strata')).map((t) => ({ ...t, writer: 'strata' }))
  ]
  writeFileSync(join(dir, 'fixtures.json'), JSON.stringify({ root: dir, tables }, null, 1))
  return tables
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = resolve(process.argv[2] ?? 'fixtures')
  const tables = prepare(dir)
  console.log(`wrote ${tables.length} tables under ${dir}`)
}
