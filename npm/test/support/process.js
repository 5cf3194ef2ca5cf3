// Processes for the tests: a module script in a fresh Node process, as an application would
// run it, and free ports for the servers they start.

import { spawn } from 'node:child_process'
import { createServer } from 'node:net'

/** Runs `script` (ESM) with `node -e`; resolves to its exit code, output and duration. */
export async function runScript (script) {
  const started = Date.now()
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd() })
  let out = ''
  child.stdout.on('data', (d) => { out += d })
  child.stderr.on('data', (d) => { out += d })
  const code = await new Promise((resolve) => child.on('exit', resolve))
  return { code, out, ms: Date.now() - started }
}

/** A free TCP port on 127.0.0.1 (for a server a test starts). */
export function freePort () {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}
