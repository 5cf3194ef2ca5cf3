// End to end in a real browser: headless Chromium (playwright-core driving /usr/bin/chromium)
// loads examples/browser.html, which reads a table over HTTP; the page must show the rows that
// `strata scan` prints. Then every test table is read inside the page and compared, and diffs
// and a stream are read in the page and compared with `strata diff` and `strata stream`.
// Skipped (with a message) where no Chromium is installed.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, symlinkSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve, dirname, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { fixtures, native, snapshotIds, snapshotJson } from './support/native.js'
import { sorted } from './support/rows.js'
import { serve } from './support/server.js'

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium'
const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const fx = fixtures()
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}`
let root, server, browser

before(async () => {
  if (skip) return
  // One origin for the page, the package and the tables.
  root = mkdtempSync(join(tmpdir(), 'strata-e2e-'))
  symlinkSync(pkgDir, join(root, 'npm'))
  symlinkSync(fx.root, join(root, 'tables'))
  server = await serve(root)
  const { chromium } = await import('playwright-core')
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run']
  })
})

after(async () => {
  await browser?.close()
  await server?.close()
  if (root) rmSync(root, { recursive: true, force: true })
})

const tableUrl = (t) => '/tables/' + relative(fx.root, t.path).split('\\').join('/')

test('the example page shows the rows of a table read over HTTP', { skip }, async () => {
  const t = fx.tables.find((x) => x.name === 'demo_orders')
  const page = await browser.newPage()
  const errors = []
  page.on('pageerror', (e) => errors.push(e.message))
  await page.goto(`${server.url}/npm/examples/browser.html?table=${encodeURIComponent(tableUrl(t))}`)
  await page.waitForFunction(() => !document.getElementById('status').textContent.startsWith('loading'))
  const status = await page.textContent('#status')
  const want = native('scan', t.path)
  assert.equal(status, `${want.length} rows of snapshot 2`, errors.join('\n'))
  const headers = await page.$$eval('#rows thead th', (ths) => ths.map((th) => th.textContent))
  assert.deepEqual(headers, Object.keys(want[0]))
  const cells = await page.$$eval('#rows tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)))
  // The page shows decimals with their scale (12.50), jsonl as numbers where exact (12.5).
  const same = (cell, v) => (v === null ? cell === '' : typeof v === 'number' ? Number(cell) === v : cell === String(v))
  const key = (r) => r[0]
  const wantRows = want.map((r) => Object.values(r)).sort((a, b) => String(key(a)).localeCompare(String(key(b))))
  cells.sort((a, b) => key(a).localeCompare(key(b)))
  assert.equal(cells.length, wantRows.length)
  cells.forEach((row, i) => row.forEach((cell, k) => assert.ok(same(cell, wantRows[i][k]), `${cell} vs ${wantRows[i][k]}`)))
  assert.ok(cells.some((row) => row.includes('12.50')), 'decimals show their scale')
  await page.close()
})

test('the example page reports a missing table with its error code', { skip }, async () => {
  const page = await browser.newPage()
  await page.goto(`${server.url}/npm/examples/browser.html?table=/tables/nowhere`)
  await page.waitForFunction(() => !document.getElementById('status').textContent.startsWith('loading'))
  assert.match(await page.textContent('#status'), /^error NOT_FOUND: /)
  await page.close()
})

test('every test table read in the browser equals strata scan', { skip }, async () => {
  const page = await browser.newPage()
  await page.goto(`${server.url}/npm/examples/browser.html?table=${encodeURIComponent(tableUrl(fx.tables[0]))}`)
  await page.waitForFunction(() => !document.getElementById('status').textContent.startsWith('loading'))
  for (const t of fx.tables) {
    const got = await page.evaluate(async (url) => {
      const { openTable } = await import('/npm/src/browser.js')
      const { jsonRows } = await import('/npm/test/support/rows.js')
      const table = await openTable(url)
      const rows = jsonRows(await table.scan())
      const snaps = (await table.snapshots()).map((s) => s.id)
      let first = null
      if (snaps.length > 1) first = jsonRows(await table.scan({ snapshotId: snaps[0] }))
      return { rows, snaps, first }
    }, tableUrl(t))
    assert.deepEqual(sorted(got.rows), sorted(native('scan', t.path)), t.name)
    if (got.first) {
      assert.deepEqual(sorted(got.first), sorted(native('scan', t.path, '--snapshot', String(got.snaps[0]))), `${t.name} @${got.snaps[0]}`)
    }
  }
  await page.close()
})

test('scans in Web Workers in the browser equal strata scan', { skip }, async () => {
  const page = await browser.newPage()
  const errors = []
  page.on('pageerror', (e) => errors.push(e.message))
  await page.goto(`${server.url}/npm/examples/browser.html?table=${encodeURIComponent(tableUrl(fx.tables[0]))}`)
  await page.waitForFunction(() => !document.getElementById('status').textContent.startsWith('loading'))
  const from = server.log.length
  for (const t of fx.tables) {
    const got = await page.evaluate(async (url) => {
      const { openTable } = await import('/npm/src/browser.js')
      const { jsonRows } = await import('/npm/test/support/rows.js')
      const table = await openTable(url)
      const rows = jsonRows(await table.scan({ workers: 2 }))
      // The workers fetch the data files; this page's instance only pins the snapshot.
      return { rows, pageRead: table.fetchLog().filter((r) => r.path.endsWith('.parquet')).length }
    }, tableUrl(t))
    assert.deepEqual(sorted(got.rows), sorted(native('scan', t.path)), `${t.name} in workers`)
    assert.equal(got.pageRead, 0, `${t.name}: the page read data files itself`)
  }
  const code = await page.evaluate(async (url) => {
    const { openTable } = await import('/npm/src/browser.js')
    const table = await openTable(url, { fetch: (r) => fetch(r) })
    try {
      await table.scan({ workers: 2 })
      return 'no error'
    } catch (e) {
      return e.code
    }
  }, tableUrl(fx.tables[0]))
  assert.equal(code, 'INVALID_ARGUMENT')
  const workerScripts = server.log.slice(from).filter((e) => e.path.endsWith('/src/scan-worker-browser.js'))
  assert.ok(workerScripts.length >= 1, 'the page started scan workers')
  assert.deepEqual(errors, [])
  await page.close()
})

test('time travel by tag and by timestamp in the browser equals strata scan', { skip }, async () => {
  const t = fx.tables.find((x) => x.name === 's_pk')
  const times = snapshotIds(t.path).map((id) => snapshotJson(t.path, id).timeMillis)
  const page = await browser.newPage()
  await page.goto(`${server.url}/npm/examples/browser.html?table=${encodeURIComponent(tableUrl(t))}`)
  await page.waitForFunction(() => !document.getElementById('status').textContent.startsWith('loading'))
  const got = await page.evaluate(async ([url, times]) => {
    const { openTable } = await import('/npm/src/browser.js')
    const { jsonRows } = await import('/npm/test/support/rows.js')
    const table = await openTable(url)
    const byTime = []
    for (const ms of times) byTime.push(jsonRows(await table.scan({ timestampMs: ms })))
    return { tag: jsonRows(await table.scan({ tag: 'second' })), byTime }
  }, [tableUrl(t), times])
  assert.deepEqual(sorted(got.tag), sorted(native('scan', t.path, '--tag', 'second')), 'tag')
  times.forEach((ms, i) => {
    assert.deepEqual(sorted(got.byTime[i]), sorted(native('scan', t.path, '--timestamp', String(ms))), `timestamp ${ms}`)
  })
  await page.close()
})

test('diffs of every table and full streams in the browser equal strata diff and strata stream', { skip }, async () => {
  const page = await browser.newPage()
  await page.goto(`${server.url}/npm/examples/browser.html?table=${encodeURIComponent(tableUrl(fx.tables[0]))}`)
  await page.waitForFunction(() => !document.getElementById('status').textContent.startsWith('loading'))
  for (const t of fx.tables) {
    const name = t.name
    const ids = snapshotIds(t.path)
    // A stream only for the Strata-written tables (the Node suite streams more).
    const want = t.writer === 'strata' ? native('stream', t.path, '--from', 'earliest', '--full', '--idle-exit', '0') : []
    const got = await page.evaluate(async ([url, ids, expected]) => {
      const { openTable } = await import('/npm/src/browser.js')
      const { jsonRows } = await import('/npm/test/support/rows.js')
      const table = await openTable(url)
      const diffs = []
      for (let k = 1; k < ids.length; k++) diffs.push(jsonRows(await table.diff(ids[k - 1], ids[k])))
      const ac = new AbortController()
      const streamed = []
      if (expected === 0) return { diffs, streamed }
      for await (const b of table.stream({ from: 'earliest', full: true, pollIntervalMs: 10, signal: ac.signal })) {
        streamed.push(...jsonRows(b))
        if (streamed.length >= expected) ac.abort()
      }
      return { diffs, streamed }
    }, [tableUrl(t), ids, want.length])
    for (let k = 1; k < ids.length; k++) {
      const wantDiff = native('diff', t.path, '--from', String(ids[k - 1]), '--to', String(ids[k]))
      assert.deepEqual(sorted(got.diffs[k - 1]), sorted(wantDiff), `${name} ${ids[k - 1]}..${ids[k]}`)
    }
    assert.deepEqual(sorted(got.streamed), sorted(want), `${name} stream`)
  }
  await page.close()
})
