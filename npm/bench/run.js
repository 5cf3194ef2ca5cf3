// Benchmarks of the package in Node, side by side on one table's files, printed as Markdown
// for BENCHMARKS.md:
// - rows/s of `table.scan()` (merge, then the hand-off to an Arrow JS table) from local files
//   and over loopback HTTP, on the calling thread and in worker threads, against the native `strata scan` and against parquet-wasm and
//   hyparquet decoding the same Parquet files without a merge;
// - time to the first batch over HTTP (module already loaded, and cold in a fresh process);
// - a point lookup by primary key over HTTP: requests, sequential round trips, bytes.
//
//   node bench/run.js TABLE_DIR      (STRATA_BIN: a release strata binary; RUNS, default 3)

import { execFileSync, execFile, spawn } from 'node:child_process'
import { promisify } from 'node:util'
import { readFileSync, readdirSync, statSync, mkdtempSync, rmSync, cpSync } from 'node:fs'
import { tmpdir, availableParallelism } from 'node:os'
import { join, relative, dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { tableFromIPC } from 'apache-arrow'
import { openTable } from 'strata-reader'
import { roundTrips } from '../test/support/server.js'

const tableDir = resolve(process.argv[2] ?? '')
const RUNS = Number(process.env.RUNS ?? 3)
const STRATA = process.env.STRATA_BIN
const here = dirname(fileURLToPath(import.meta.url))

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
// One untimed run first: V8 compiles the Wasm module in a baseline tier and optimises it
// while it runs, and the page cache warms for everyone.
async function timed (f) {
  const times = []
  let out = await f()
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now()
    out = await f()
    times.push((performance.now() - t) / 1000)
  }
  return { s: median(times), out }
}
const fmtRate = (n, s) => `${(n / s / 1e6).toFixed(2)} M`

function files (dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath ?? d.path, d.name))
}
const tableBytes = files(tableDir).reduce((n, f) => n + statSync(f).size, 0)

// The Parquet files of the latest snapshot (the benchmark table is never compacted or
// expired, so that is every data file).
const parquetFiles = files(tableDir).filter((f) => f.endsWith('.parquet'))

const rows = []
const out = (name, inputRows, outputRows, s, note = '') => rows.push({ name, inputRows, outputRows, s, note })

const table = await openTable(tableDir)
const inputRows = (await table.snapshots()).reduce((n, s) => n + (s.deltaRecordCount ?? 0), 0)

// 1. The package, local files.
let merged
{
  const { s, out: t } = await timed(() => table.scan())
  merged = t.numRows
  out('`strata-reader` scan, local files (merge + Arrow JS table)', inputRows, t.numRows, s)
}
// 2. The package, loopback HTTP with Range, from a server in its own process (sharing the
// reader's one thread, a server's own work would count as the reader's).
async function serveApart (root) {
  const child = spawn(process.execPath, [join(here, '../test/support/serve-cli.js'), root], { stdio: ['ignore', 'pipe', 'inherit'] })
  const base = await new Promise((resolve) => child.stdout.once('data', (d) => resolve(String(d).trim())))
  return { base, child }
}
const server = await serveApart(dirname(tableDir))
const url = `${server.base}/${relative(dirname(tableDir), tableDir)}`
{
  const { s, out: t } = await timed(async () => (await openTable(url)).scan())
  out('`strata-reader` scan over loopback HTTP (Range requests)', inputRows, t.numRows, s)
}
// 2b. The same in worker threads, one per core (the native reader uses every core too).
const cores = availableParallelism()
{
  const { s, out: t } = await timed(() => table.scan({ workers: 'auto' }))
  out(`\`strata-reader\` scan in ${cores} worker threads (\`workers: 'auto'\`), local files`, inputRows, t.numRows, s)
}
{
  const { s, out: t } = await timed(async () => (await openTable(url)).scan({ workers: 'auto' }))
  out(`\`strata-reader\` scan in ${cores} worker threads, loopback HTTP`, inputRows, t.numRows, s)
}
// 3. Native.
if (STRATA) {
  const dir = mkdtempSync(join(tmpdir(), 'strata-bench-'))
  const { s } = await timed(() => execFileSync(STRATA, ['scan', tableDir, '--output', 'parquet', '--out', join(dir, 'o.parquet')]))
  const n = merged
  out('native `strata scan --output parquet` (every core, incl. writing the output)', inputRows, n, s)
  rmSync(dir, { recursive: true, force: true })
}
// 4. parquet-wasm: decode each file to Arrow IPC and into Arrow JS, no merge.
{
  const pw = await import('parquet-wasm/esm')
  const wasm = readFileSync(join(here, '../node_modules/parquet-wasm/esm/parquet_wasm_bg.wasm'))
  pw.initSync({ module: wasm })
  const { s, out: n } = await timed(async () => {
    let n = 0
    for (const f of parquetFiles) {
      const t = pw.readParquet(readFileSync(f))
      n += tableFromIPC(t.intoIPCStream()).numRows
    }
    return n
  })
  out('parquet-wasm 0.8: decode the same files to Arrow JS, no merge', n, n, s)
}
// 5. hyparquet: decode each file to columns, no merge.
{
  const { parquetRead, parquetMetadata } = await import('hyparquet')
  const { compressors } = await import('hyparquet-compressors')
  const { s, out: n } = await timed(async () => {
    let n = 0
    for (const f of parquetFiles) {
      const b = readFileSync(f)
      const file = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)
      const meta = parquetMetadata(file)
      await parquetRead({ file, metadata: meta, compressors, rowFormat: 'array', columns: meta.schema.slice(1).map((c) => c.name), onChunk: () => {}, onComplete: (r) => { n += r.length } })
    }
    return n
  })
  out('hyparquet 1.33: decode the same files to JS rows, no merge', n, n, s)
}

console.log(`Table: ${relative(process.cwd(), tableDir)}: ${inputRows.toLocaleString('en')} input rows in ${parquetFiles.length} Parquet files (${(tableBytes / 1e6).toFixed(1)} MB), ${merged.toLocaleString('en')} rows after the merge. Median of ${RUNS} runs after a warm-up run; input rows/s = input rows / seconds.\n`)
console.log('| reader | input rows/s | seconds | output rows |')
console.log('|---|---:|---:|---:|')
for (const r of rows) console.log(`| ${r.name} | ${fmtRate(r.inputRows, r.s)} | ${r.s.toFixed(2)} | ${r.outputRows} |`)

// 6. Time to the first batch over HTTP.
{
  const { s } = await timed(async () => {
    const t = await openTable(url)
    const it = t.batches()
    await it.next()
    await it.return()
  })
  // Asynchronously: the server answering the child runs on this process's event loop.
  const { stdout: cold } = await promisify(execFile)(process.execPath, ['-e', `
    const t0 = performance.now()
    const { openTable } = await import('strata-reader')
    const t = await openTable(${JSON.stringify(url)})
    const it = t.batches(); await it.next()
    console.log(performance.now() - t0)
    process.exit(0)`, '--input-type=module'], { cwd: join(here, '..'), encoding: 'utf8' })
  console.log(`\nTime to the first batch over loopback HTTP: ${(s * 1000).toFixed(0)} ms with the module loaded (open + plan + first batch), ${Number(cold).toFixed(0)} ms cold in a fresh Node process (import, compile and instantiate the module, then the same).`)
}

// 7. A point lookup by primary key, against a server in its own process: in this one, the
// reader's CPU work would delay the server's answers and its clock. On the table as written
// (pypaimon: one row group per file, no page index), then on a copy after `strata compact
// --full` (Strata's files carry a page index, and one-column keys have no dictionary).
async function lookup (dir, what) {
  const key = table.schema().primaryKeys[0]
  const { base, child } = await serveApart(dirname(dir))
  const t = await openTable(`${base}/${relative(dirname(dir), dir)}`)
  const hit = await t.scan({ filter: `${key} = 12345` })
  // The reader's own view: a request issued after another's answer was in came after it.
  const client = roundTrips(t.fetchLog().map((e) => ({ start: e.issued, end: e.done })))
  const log = await (await fetch(`${base}/__log`)).json()
  child.kill()
  const bytes = log.reduce((n, e) => n + e.bytes, 0)
  const total = files(dir).reduce((n, f) => n + statSync(f).size, 0)
  console.log(`\nPoint lookup \`${key} = 12345\` over HTTP, ${what} (open + plan + read, ${hit.numRows} row; server in another process): ${log.length} requests, ${client} sequential round trips as the reader issued them (${roundTrips(log)} as the server's log times them), ${(bytes / 1e6).toFixed(2)} MB fetched = ${(100 * bytes / total).toFixed(1)} % of the table's ${(total / 1e6).toFixed(1)} MB.`)
}
await lookup(tableDir, 'table as pypaimon wrote it')
if (STRATA) {
  const dir = mkdtempSync(join(tmpdir(), 'strata-bench-'))
  const copy = join(dir, 'db.db', 'merge')
  cpSync(tableDir, copy, { recursive: true })
  execFileSync(STRATA, ['compact', copy, '--full'])
  // Only the compacted files: what a reader of the latest snapshot can be served.
  execFileSync(STRATA, ['expire', copy, '--retain-max', '1', '--retain-min', '1', '--older-than', '0s'])
  execFileSync(STRATA, ['clean-orphans', copy, '--older-than', '0s'])
  await lookup(copy, 'after `strata compact --full`')
  rmSync(dir, { recursive: true, force: true })
}
server.child.kill()
process.exit(0)
