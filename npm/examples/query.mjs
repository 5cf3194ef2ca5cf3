// Query a Paimon-format table from Node through the strata-reader package.
//
// Usage: node npm/examples/query.mjs TABLE_DIR_OR_URL
// (build the package first: scripts/wasm.sh build)
import { openTable } from '../src/node.js'

const location = process.argv[2]
if (!location) {
  console.error('usage: node query.mjs TABLE_DIR_OR_URL')
  process.exit(2)
}
const table = await openTable(location)
const snapshot = await table.latestSnapshot()
console.log(`table: ${table.schema().fields.map((f) => f.name).join(', ')}; snapshot ${snapshot.id} (${snapshot.commitKind})`)

const all = await table.scan({ columns: ['id'] })
console.log(`rows: ${all.numRows}`)

const big = await table.scan({ columns: ['id', 'customer', 'qty', 'price'], filter: 'qty >= 95' })
console.log(`orders with qty >= 95: ${big.numRows}`)
const json = (v) => JSON.stringify(v, (k, x) => (typeof x === 'bigint' ? Number(x) : x))
for (const row of big.toArray().slice(0, 5)) console.log('  ' + json(row.toJSON()))
