// Tables in S3 buckets (`s3://BUCKET/path`, and Paimon's Hadoop spelling `s3a://`), read over
// HTTP with every request signed by AWS Signature Version 4 (through `aws4fetch`, loaded on
// first use so that pages which never open an `s3://` table need no import-map entry for it).

import { strataError } from './errors.js'

const KNOWN = new Set(['region', 'endpoint', 'accessKeyId', 'secretAccessKey', 'sessionToken', 'pathStyle'])

/** Whether `text` names an S3 location (`s3://` or `s3a://`). */
export function isS3 (text) {
  return typeof text === 'string' && /^s3a?:\/\//i.test(text)
}

function invalid (message) {
  return strataError('INVALID_ARGUMENT', message)
}

/**
 * The settings of an S3 table: `given` (the `s3` open option) over `env` (Node's
 * `process.env`, or `{}` in browsers): `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
 * `AWS_SESSION_TOKEN`, `AWS_REGION` (or `AWS_DEFAULT_REGION`), `AWS_ENDPOINT_URL_S3` (or
 * `AWS_ENDPOINT_URL`). Plain data, so that scan workers can be handed it.
 */
export function s3Settings (given = {}, env = {}) {
  if (given === null || typeof given !== 'object') throw invalid('s3 must be an object of settings')
  for (const k of Object.keys(given)) {
    if (!KNOWN.has(k)) throw invalid(`unknown s3 setting ${JSON.stringify(k)} (known: ${[...KNOWN].join(', ')})`)
  }
  const pick = (k, ...names) => {
    const v = given[k] ?? names.map((n) => env[n]).find((x) => x !== undefined && x !== '')
    if (v !== undefined && v !== null && typeof v !== 'string') throw invalid(`s3.${k} must be a string`)
    return v ?? undefined
  }
  const s = {
    region: pick('region', 'AWS_REGION', 'AWS_DEFAULT_REGION') ?? 'us-east-1',
    endpoint: pick('endpoint', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL'),
    accessKeyId: pick('accessKeyId', 'AWS_ACCESS_KEY_ID'),
    secretAccessKey: pick('secretAccessKey', 'AWS_SECRET_ACCESS_KEY'),
    sessionToken: pick('sessionToken', 'AWS_SESSION_TOKEN')
  }
  if (given.pathStyle !== undefined && typeof given.pathStyle !== 'boolean') throw invalid('s3.pathStyle must be a boolean')
  // Path style where an endpoint is given (MinIO, moto, R2 and most S3-compatible stores
  // have no per-bucket host names); virtual-hosted style on AWS itself.
  s.pathStyle = given.pathStyle ?? s.endpoint !== undefined
  if ((s.accessKeyId === undefined) !== (s.secretAccessKey === undefined)) {
    throw invalid('s3: give both accessKeyId and secretAccessKey (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or neither for a public bucket')
  }
  if (s.endpoint !== undefined && !/^https?:\/\/[^/?#]+\/?$/i.test(s.endpoint)) {
    throw invalid(`s3.endpoint must be an http(s) URL without a path, got ${JSON.stringify(s.endpoint)}`)
  }
  return s
}

/** The HTTP(S) URL of the table directory at `location` (`s3://BUCKET/path`). */
export function s3HttpUrl (location, s) {
  const m = /^s3a?:\/\/([^/?#]+)\/?([^?#]*)$/i.exec(location)
  if (!m || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(m[1])) {
    throw invalid(`${location}: not an S3 location (s3://BUCKET/path, with a valid bucket name)`)
  }
  const [, bucket, rest] = m
  const key = rest.split('/').filter((p) => p !== '').map(encodeURIComponent).join('/')
  const endpoint = (s.endpoint ?? `https://s3.${s.region}.amazonaws.com`).replace(/\/$/, '')
  if (s.pathStyle) return `${endpoint}/${bucket}/${key}`
  const u = new URL(endpoint)
  return `${u.protocol}//${bucket}.${u.host}/${key}`
}

let client = null

/**
 * `path` with every segment percent-encoded the way the signature encodes it (RFC 3986: all but
 * letters, digits and `-._~`), so that what is sent is what was signed: servers that sign the
 * path as it arrives (moto) would otherwise refuse `dt=a` or `a+b`. A `+` is a literal `+` in
 * an S3 key (the signer would read it as a space).
 */
function canonicalPath (path) {
  return path.split('/').map((seg) => {
    let raw = seg
    try { raw = decodeURIComponent(seg) } catch { /* a stray `%`: encode it as it is */ }
    return encodeURIComponent(raw).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
  }).join('/')
}

/**
 * A `fetch` that signs each request with the settings' credentials before `base` sends it;
 * `base` itself where there are none (a public bucket).
 */
export async function s3Fetch (s, base) {
  if (s.accessKeyId === undefined) return base
  if (!client) client = import('aws4fetch').then((m) => m.AwsClient)
  const AwsClient = await client
  const aws = new AwsClient({
    accessKeyId: s.accessKeyId,
    secretAccessKey: s.secretAccessKey,
    sessionToken: s.sessionToken,
    region: s.region,
    service: 's3',
    retries: 0
  })
  return async (request) => {
    const url = new URL(request.url)
    url.pathname = canonicalPath(url.pathname)
    const signed = await aws.sign(url.href, {
      method: request.method,
      headers: request.headers,
      cache: request.cache
    })
    return base(signed)
  }
}

/**
 * The hint for an S3 answer of 401 or 403 (in `message`): which settings to check. Never
 * names a secret.
 */
export function s3Hint (message, s) {
  if (!/HTTP 40[13]\b/.test(message) || message.includes('the store refused the request')) return message
  const who = s.accessKeyId === undefined
    ? 'no credentials were given (the bucket is not public): set s3.accessKeyId and s3.secretAccessKey, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY'
    : `check the credentials (access key ${s.accessKeyId}, its secret${s.sessionToken ? ' and session token' : ''}), the region (${s.region}) and the bucket's policy`
  return `${message}; the store refused the request: ${who}`
}

/** An error for a location this package cannot open: UNSUPPORTED with what to do instead. */
export function unsupportedScheme (text, scheme) {
  return strataError('UNSUPPORTED', `${text}: ${scheme}:// tables are not supported; ` +
    'read the table from s3:// (signed with credentials), over HTTP(S) (a public or presigned bucket URL, ' +
    'or a reader object that presigns), or from a local directory')
}
