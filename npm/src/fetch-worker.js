// The worker behind `workerFetch` (node.js): runs each request with the global `fetch` and
// posts the answer back with its body transferred, not copied.

import { parentPort } from 'node:worker_threads'

parentPort.on('message', async ({ id, url, method, headers, cache }) => {
  try {
    const res = await fetch(url, { method, headers, cache })
    const body = await res.arrayBuffer()
    parentPort.postMessage({
      id,
      status: res.status,
      statusText: res.statusText,
      headers: [...res.headers],
      body
    }, [body])
  } catch (e) {
    parentPort.postMessage({ id, error: String(e?.cause?.message ?? e?.message ?? e) })
  }
})
