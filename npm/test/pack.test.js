// `npm pack` yields a package that a fresh project installs from the tarball and uses with the
// README's Node example, and over HTTP (its worker fetch loads from the installed package).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve, dirname, basename } from 'node:path'
import { fileURLToPath } from 'node:url'
import { fixtures, native } from './support/native.js'
import { serve } from './support/server.js'

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')

test('the packed tarball installs in a fresh project and runs the README example', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-pack-'))
  try {
    const out = execFileSync('npm', ['pack', '--pack-destination', dir, '--json'], { cwd: pkgDir, encoding: 'utf8' })
    const [info] = JSON.parse(out)
    const files = info.files.map((f) => f.path).sort()
    for (const f of ['pkg/strata_wasm.js', 'pkg/strata_wasm_bg.wasm', 'src/node.js', 'src/fetch-worker.js', 'src/scan-worker.js', 'src/browser.js', 'index.d.ts', 'README.md']) {
      assert.ok(files.includes(f), `${f} is packed (${files.join(', ')})`)
    }
    assert.ok(!files.some((f) => f.startsWith('test/') || f.startsWith('node_modules/')))

    const app = join(dir, 'app')
    execFileSync('mkdir', ['-p', app])
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }))
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', join(dir, info.filename)], { cwd: app, stdio: 'inherit' })

    const readme = readFileSync(join(pkgDir, 'README.md'), 'utf8')
    const example = /## Node\n\n```js\n([\s\S]*?)```/.exec(readme)[1]
    const table = fixtures().tables.find((t) => t.name === 'demo_orders').path
    writeFileSync(join(app, 'example.js'), example.replace('/data/warehouse/shop.db/orders', table))
    const printed = execFileSync('node', ['example.js'], { cwd: app, encoding: 'utf8' })
    assert.match(printed, /\[ 'id', 'customer', 'amount', 'dt' \]/)
    assert.match(printed, /^2 \[/m, printed)
    assert.match(printed, /customer: 'edsger'/)
    assert.match(printed, /customer: 'alan'/)

    // Scans in worker threads from the installed package, and, with the scan worker's file
    // removed (a careless bundle), on the calling thread.
    writeFileSync(join(app, 'workers.js'), "import { openTable } from 'strata-reader'\n" +
      "console.log((await (await openTable(process.argv[2])).scan({ workers: 2 })).numRows)\n")
    const viaWorkers = execFileSync('node', ['workers.js', table], { cwd: app, encoding: 'utf8' })
    assert.equal(Number(viaWorkers.trim()), native('scan', table).length, viaWorkers)
    rmSync(join(app, 'node_modules/strata-reader/src/scan-worker.js'))
    const withoutWorker = execFileSync('node', ['workers.js', table], { cwd: app, encoding: 'utf8' })
    assert.equal(Number(withoutWorker.trim()), native('scan', table).length, withoutWorker)

    // Over HTTP, through the installed package's worker fetch (async: the server is ours).
    const server = await serve(dirname(table))
    try {
      writeFileSync(join(app, 'http.js'), "import { openTable } from 'strata-reader'\n" +
        'console.log((await (await openTable(process.argv[2])).scan()).numRows)\n')
      const { stdout } = await promisify(execFile)('node', ['http.js', `${server.url}/${basename(table)}`], { cwd: app, encoding: 'utf8' })
      assert.equal(Number(stdout.trim()), native('scan', table).length, stdout)
      // A copy without the worker's file (a careless bundle) falls back to the main thread.
      rmSync(join(app, 'node_modules/strata-reader/src/fetch-worker.js'))
      const again = await promisify(execFile)('node', ['http.js', `${server.url}/${basename(table)}`], { cwd: app, encoding: 'utf8' })
      assert.equal(Number(again.stdout.trim()), native('scan', table).length, again.stdout + again.stderr)
    } finally {
      await server.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
