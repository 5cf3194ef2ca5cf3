// The native reader as the reference: `strata scan|diff|stream --output jsonl`, parsed.

import { execFileSync } from 'node:child_process'
import { readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { strataBin } from './prepare.js'

/** Runs `strata` with `args`; its JSON lines as rows. */
export function native (...args) {
  const out = execFileSync(strataBin(), [...args, '--output', 'jsonl'], { encoding: 'utf8', maxBuffer: 1 << 30 })
  return out.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l))
}

/** The fixtures written by prepare.js (the directory in $STRATA_FIXTURES). */
export function fixtures () {
  const dir = process.env.STRATA_FIXTURES
  if (!dir || !existsSync(join(dir, 'fixtures.json'))) {
    throw new Error('set STRATA_FIXTURES to a directory written by test/support/prepare.js (scripts/wasm.sh does)')
  }
  return JSON.parse(readFileSync(join(dir, 'fixtures.json'), 'utf8'))
}

/** Snapshot ids of a table directory, read from its hint files and snapshot files. */
export function snapshotIds (tableDir) {
  const hint = (name) => {
    const f = join(tableDir, 'snapshot', name)
    return existsSync(f) ? Number(readFileSync(f, 'utf8').trim()) : null
  }
  let latest = hint('LATEST')
  if (latest === null) return []
  while (existsSync(join(tableDir, 'snapshot', `snapshot-${latest + 1}`))) latest++
  let earliest = hint('EARLIEST') ?? 1
  while (earliest <= latest && !existsSync(join(tableDir, 'snapshot', `snapshot-${earliest}`))) earliest++
  const ids = []
  for (let i = earliest; i <= latest; i++) ids.push(i)
  return ids
}

/** A snapshot file's JSON. */
export function snapshotJson (tableDir, id) {
  return JSON.parse(readFileSync(join(tableDir, 'snapshot', `snapshot-${id}`), 'utf8'))
}
