// Filters as objects, turned into the filter text that the core parses (the same text
// `strata scan --filter` takes), so both routes push down exactly alike.

import { strataError } from './errors.js'

const OPS = new Set(['=', '!=', '<>', '<', '<=', '>', '>='])

function ident (name) {
  if (typeof name !== 'string' || name === '') throw filterError('a column name must be a non-empty string')
  return '`' + name.replaceAll('`', '``') + '`'
}

function literal (v) {
  if (v === null || v === undefined) return 'NULL'
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE'
  if (typeof v === 'bigint') return v.toString()
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw filterError(`${v} is not a finite number`)
    return String(v)
  }
  if (typeof v === 'string') return "'" + v.replaceAll("'", "''") + "'"
  throw filterError(`unsupported filter value ${String(v)}`)
}

function filterError (message) {
  return strataError('INVALID_ARGUMENT', `filter: ${message}`)
}

/**
 * Filter text of a filter given as text or as an expression object:
 * `{ column, op, value }`, `{ column, in: [...] }`, `{ column, notIn: [...] }`,
 * `{ column, isNull: true|false }`, `{ and: [...] }`, `{ or: [...] }`, `{ not: expr }`.
 */
export function filterText (f) {
  if (f === undefined || f === null) return undefined
  if (typeof f === 'string') return f
  if (typeof f !== 'object') throw filterError('a filter is a string or an expression object')
  if (Array.isArray(f.and) || Array.isArray(f.or)) {
    const items = f.and ?? f.or
    if (items.length === 0) throw filterError('and/or needs at least one item')
    return '(' + items.map(filterText).join(f.and ? ' AND ' : ' OR ') + ')'
  }
  if (f.not !== undefined) return 'NOT (' + filterText(f.not) + ')'
  const col = ident(f.column)
  if (Array.isArray(f.in)) return `${col} IN (${f.in.map(literal).join(', ')})`
  if (Array.isArray(f.notIn)) return `${col} NOT IN (${f.notIn.map(literal).join(', ')})`
  if (typeof f.isNull === 'boolean') return `${col} IS ${f.isNull ? '' : 'NOT '}NULL`
  if (!OPS.has(f.op)) throw filterError(`unknown operator ${JSON.stringify(f.op)}`)
  return `${col} ${f.op} ${literal(f.value)}`
}
