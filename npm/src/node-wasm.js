// Node: the Wasm module, compiled once per thread and instantiated on first use. Scan workers
// get the compiled module from the thread that starts them instead of compiling it again.

import { readFile } from 'node:fs/promises'

const wasmPath = new URL('../pkg/strata_wasm_bg.wasm', import.meta.url)
let compiled = null
let loading = null
let generation = 0

/** The compiled `WebAssembly.Module` (compiled off this thread's critical path, once). */
export function compiledModule () {
  if (!compiled) {
    compiled = readFile(wasmPath).then((bytes) => WebAssembly.compile(bytes))
    compiled.catch(() => { compiled = null })
  }
  return compiled
}

/** Uses a module compiled elsewhere (a scan worker gets its parent's). */
export function useModule (module) {
  if (!compiled) compiled = Promise.resolve(module)
}

/** The instantiated bindings; after a trap (`poison`) the next call loads a fresh instance. */
export function load () {
  if (!loading) {
    const g = generation
    loading = (async () => {
      const glue = await import(`../pkg/strata_wasm.js${g ? `?instance=${g}` : ''}`)
      glue.initSync({ module: await compiledModule() })
      return glue
    })()
    loading.catch(() => { loading = null })
  }
  return loading
}

/** Drops the instance after a trap: its memory may be inconsistent. */
export function poison () {
  generation += 1
  loading = null
}
