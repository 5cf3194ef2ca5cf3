// `s3://` tables with signed requests, against a real S3-protocol server that checks every
// signature (moto with its authentication on, test/support/moto.js): every test table reads
// like `strata scan` in Node (one thread and worker threads, credentials from the options and
// from the environment) and in Chromium (through a same-origin proxy, as a CDN would put the
// bucket; one thread and the Web Worker pool, whose requests the page signs); tags list through signed ListObjectsV2; wrong, missing and unknown settings fail
// with errors that say what to check and never show a secret.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openTable } from 'strata-reader'
import { fixtures, native } from './support/native.js'
import { jsonRows, sorted } from './support/rows.js'
import { motoWithAuth, putTables } from './support/moto.js'
import { serve } from './support/server.js'

const BUCKET = 'strata-auth'
const fx = fixtures()
const tables = fx.tables.filter((t) => readdirSync(t.path).includes('snapshot'))
const keyOf = (t) => `wh/${relative(fx.root, t.path).split('\\').join('/')}`
const s3Url = (t) => `s3://${BUCKET}/${keyOf(t)}`
let moto

before(async () => {
  moto = await motoWithAuth()
  await putTables(moto, BUCKET, tables, keyOf)
  // The server checks signatures: an unsigned read is refused.
  const anon = await fetch(`${moto.endpoint}/${BUCKET}/${keyOf(tables[0])}/snapshot/LATEST`)
  assert.equal(anon.status, 403, 'moto runs with its authentication on')
})

after(() => moto?.close())

const settings = () => ({ endpoint: moto.endpoint, accessKeyId: moto.accessKeyId, secretAccessKey: moto.secretAccessKey })

test('every table on an S3 bucket that checks signatures reads like strata scan (one thread and worker threads)', async () => {
  let rows = 0
  for (const t of tables) {
    const table = await openTable(s3Url(t), { s3: settings() })
    const want = sorted(native('scan', t.path))
    const got = sorted(jsonRows(await table.scan()))
    assert.deepEqual(got, want, t.name)
    assert.deepEqual(sorted(jsonRows(await table.scan({ workers: 2 }))), want, `${t.name} in workers`)
    rows += got.length
    table.close()
  }
  assert.ok(rows > 100, `only ${rows} rows compared`)
  const t = fx.tables.find((x) => x.name === 's_pk')
  const table = await openTable(s3Url(t).replace(/^s3:/, 's3a:'), { s3: settings() })
  const tags = await table.tags()
  assert.deepEqual(tags.map((x) => x.name), ['second'])
  assert.deepEqual(sorted(jsonRows(await table.scan({ tag: 'second' }))), sorted(native('scan', t.path, '--tag', 'second')))
  table.close()
})

test('credentials and the endpoint come from the AWS environment in Node', async () => {
  const set = {
    AWS_ACCESS_KEY_ID: moto.accessKeyId,
    AWS_SECRET_ACCESS_KEY: moto.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: moto.endpoint
  }
  const saved = Object.fromEntries(Object.keys(set).map((k) => [k, process.env[k]]))
  Object.assign(process.env, set)
  try {
    const t = fx.tables.find((x) => x.name === 's_pk')
    const table = await openTable(s3Url(t))
    assert.deepEqual(sorted(jsonRows(await table.scan())), sorted(native('scan', t.path)))
    table.close()
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
})

test('a wrong secret or no credentials: STORAGE errors naming the table and what to check, never the secret', async () => {
  const t = tables[0]
  const wrong = 'not-the-secret-0123456789'
  await assert.rejects(openTable(s3Url(t), { s3: { ...settings(), secretAccessKey: wrong } }), (e) => {
    assert.equal(e.code, 'STORAGE', e.message)
    assert.ok(e.message.startsWith(s3Url(t)), e.message)
    assert.match(e.message, /HTTP 403/)
    assert.ok(e.message.includes(`check the credentials (access key ${moto.accessKeyId}`), e.message)
    assert.ok(!e.message.includes(wrong) && !e.message.includes(moto.secretAccessKey), 'no secret in the message')
    return true
  })
  // No credentials anywhere: not in this machine's ~/.aws files nor from its instance role.
  const none = {
    AWS_SHARED_CREDENTIALS_FILE: join(tmpdir(), 'strata-no-such-credentials'),
    AWS_CONFIG_FILE: join(tmpdir(), 'strata-no-such-config'),
    AWS_EC2_METADATA_DISABLED: 'true'
  }
  const saved = Object.fromEntries(Object.keys(none).map((k) => [k, process.env[k]]))
  Object.assign(process.env, none)
  try {
    await assert.rejects(openTable(s3Url(t), { s3: { endpoint: moto.endpoint } }), (e) => {
      assert.equal(e.code, 'STORAGE', e.message)
      assert.match(e.message, /no credentials were given/)
      return true
    })
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
})

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium'
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}`

test('Chromium reads the tables with signed requests', { skip }, async () => {
  const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')
  const root = mkdtempSync(join(tmpdir(), 'strata-s3-e2e-'))
  symlinkSync(pkgDir, join(root, 'npm'))
  const server = await serve(root, { proxy: { prefix: `/${BUCKET}`, target: moto.endpoint } })
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run']
  })
  try {
    const page = await browser.newPage()
    const errors = []
    page.on('pageerror', (e) => errors.push(e.message))
    // The example page brings the import map (apache-arrow, aws4fetch).
    await page.goto(`${server.url}/npm/examples/browser.html?table=/nowhere`)
    await page.waitForFunction(() => !document.getElementById('status').textContent.startsWith('loading'))
    const from = server.log.length
    for (const t of tables) {
      const got = await page.evaluate(async ([url, s3]) => {
        const { openTable } = await import('/npm/src/browser.js')
        const { jsonRows } = await import('/npm/test/support/rows.js')
        const table = await openTable(url, { s3 })
        const rows = jsonRows(await table.scan())
        const tags = (x) => x.tags().then((x) => x.map((y) => y.name), (e) => e.code)
        // On the worker pool: the workers fetch the data files (this page's instance only
        // pins the snapshot), with requests this page signs.
        const parquet = () => table.fetchLog().filter((r) => r.path.endsWith('.parquet')).length
        const before = parquet()
        const inWorkers = jsonRows(await table.scan({ workers: 3 }))
        return { rows, inWorkers, pageRead: parquet() - before, tags: await tags(table) }
      }, [s3Url(t), { ...settings(), endpoint: server.url }])
      const want = sorted(native('scan', t.path))
      assert.deepEqual(sorted(got.rows), want, `${t.name} in Chromium`)
      assert.deepEqual(sorted(got.inWorkers), want, `${t.name} in Chromium's scan workers`)
      assert.equal(got.pageRead, 0, `${t.name}: the page read data files itself in a scan on workers`)
      if (t.name === 's_pk') assert.deepEqual(got.tags, ['second'])
    }
    const log = server.log.slice(from)
    assert.ok(log.some((e) => e.path?.endsWith('/src/scan-worker-browser.js')), 'the page started scan workers')
    const proxied = log.filter((e) => e.proxied)
    assert.ok(proxied.filter((e) => /\.parquet$/.test(e.url)).length >= tables.length, 'data files were read through the proxy')
    assert.ok(proxied.every((e) => e.authorization?.startsWith('AWS4-HMAC-SHA256 ')), 'every request to the bucket is signed')
    assert.ok(proxied.every((e) => !/x-amz-/i.test(e.url) && !e.url.includes(moto.secretAccessKey)), 'no signature or secret in a URL')
    const refused = await page.evaluate(async ([url, s3]) => {
      const { openTable } = await import('/npm/src/browser.js')
      try {
        await openTable(url, { s3 })
        return 'opened'
      } catch (e) {
        return `${e.code} ${e.message}`
      }
    }, [s3Url(tables[0]), { ...settings(), endpoint: server.url, secretAccessKey: 'wrong-secret-value' }])
    assert.match(refused, /^STORAGE .*check the credentials/)
    assert.ok(!refused.includes('wrong-secret-value'))
    assert.deepEqual(errors, [])
  } finally {
    await browser.close()
    await server.close()
    rmSync(root, { recursive: true, force: true })
  }
})
