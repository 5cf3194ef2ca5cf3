// The test server in a process of its own (so the reader's CPU work cannot delay its answers
// or its clock): prints its URL; GET /__log returns the request log as JSON.
//
//   node test/support/serve-cli.js ROOT [--no-ranges]

import { serve } from './server.js'

const root = process.argv[2]
const s = await serve(root, { ranges: !process.argv.includes('--no-ranges'), logPath: '/__log' })
console.log(s.url)
