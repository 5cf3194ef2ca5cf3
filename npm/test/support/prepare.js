// Writes the test tables once into a directory: pypaimon's suite (tests/compat/py/gen_tables.py)
// under wh/, Strata-written tables under strata/ and Paimon Java's suite under java/, plus
// fixtures.json listing them.
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

// Tables Paimon Java (Apache Paimon 0.9) writes: the suite of tests/java/PaimonJava.java (the
// Rust suite tests/compat/java.rs checks `strata` against Java's model of them; here the
// package is checked against `strata`). Needs a JDK and $STRATA_PAIMON_JARS
// (scripts/paimon-java.sh); without them they are left out, unless STRATA_REQUIRE_ALL is set.
function javaTables (dir) {
  const jars = process.env.STRATA_PAIMON_JARS
  const names = ['paimon-python-java-bridge-0.9.0.jar', 'hadoop-client-api-3.4.1.jar',
    'hadoop-client-runtime-3.4.1.jar', 'jcl-over-slf4j-2.0.16.jar']
  if (!jars || names.some((n) => !existsSync(join(jars, n)))) {
    if (process.env.STRATA_REQUIRE_ALL) throw new Error('set STRATA_PAIMON_JARS (scripts/paimon-java.sh installs the jars)')
    console.error('no Paimon Java jars ($STRATA_PAIMON_JARS): the Java-written tables are left out')
    return []
  }
  const classes = join(dir, 'classes')
  const cp = names.map((n) => join(jars, n))
  execFileSync('javac', ['-Xlint:all,-try', '-d', classes, '-cp', cp.join(':'),
    join(repo, 'tests/java/PaimonJava.java')], { stdio: ['ignore', 'ignore', 'inherit'] })
  const wh = join(dir, 'wh')
  const tmp = join(dir, 'tmp')
  mkdirSync(tmp, { recursive: true })
  execFileSync('java', ['-Duser.timezone=UTC', `-Djava.io.tmpdir=${tmp}`, '-cp', [...cp, classes].join(':'),
    'PaimonJava', 'suite', wh, join(dir, 'model.json')], { stdio: ['ignore', 'ignore', 'ignore'] })
  const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'))
  return Object.entries(model.tables)
    .map(([name, t]) => ({ name: `java_${name}`, path: join(wh, t.path), writer: 'java' }))
    .filter((t) => !wasmLacksFormat(t.path))
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
    ...strataTables(join(dir, 'strata')).map((t) => ({ ...t, writer: 'strata' })),
    ...javaTables(join(dir, 'java'))
  ]
  writeFileSync(join(dir, 'fixtures.json'), JSON.stringify({ root: dir, tables }, null, 1))
  return tables
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = resolve(process.argv[2] ?? 'fixtures')
  const tables = prepare(dir)
  console.log(`wrote ${tables.length} tables under ${dir}`)
}
