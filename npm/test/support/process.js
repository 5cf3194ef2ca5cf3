// Runs a module script in a fresh Node process, as an application would.

import { spawn } from 'node:child_process'

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
