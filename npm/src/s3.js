// Tables in S3 buckets (`s3://BUCKET/path`, and Paimon's Hadoop spelling `s3a://`), read over
// HTTP with every request signed by AWS Signature Version 4 (through `aws4fetch`, loaded on
// first use so that pages which never open an `s3://` table need no import-map entry for it).

import { strataError } from './errors.js'

const KNOWN = new Set(['region', 'endpoint', 'accessKeyId', 'secretAccessKey', 'sessionToken', 'pathStyle', 'profile'])

/** Whether `text` names an S3 location (`s3://` or `s3a://`). */
export function isS3 (text) {
  return typeof text === 'string' && /^s3a?:\/\//i.test(text)
}

function invalid (message) {
  return strataError('INVALID_ARGUMENT', message)
}

const given = (v) => v !== undefined && v !== null && v !== ''

/**
 * Where an S3 table is: `{ region, endpoint, pathStyle }` from `options` (the `s3` open
 * option) over `env` (Node's `process.env`, or `{}` in browsers: `AWS_REGION` or
 * `AWS_DEFAULT_REGION`, `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL`) over `shared` (what the
 * AWS config file's profile says, in Node). Checks every setting of `options`, the
 * credentials' too.
 */
export function s3Settings (options = {}, env = {}, shared = {}) {
  if (options === null || typeof options !== 'object') throw invalid('s3 must be an object of settings')
  for (const k of Object.keys(options)) {
    if (!KNOWN.has(k)) throw invalid(`unknown s3 setting ${JSON.stringify(k)} (known: ${[...KNOWN].join(', ')})`)
  }
  for (const k of ['region', 'endpoint', 'accessKeyId', 'secretAccessKey', 'sessionToken', 'profile']) {
    if (options[k] !== undefined && options[k] !== null && typeof options[k] !== 'string') throw invalid(`s3.${k} must be a string`)
  }
  if (options.pathStyle !== undefined && typeof options.pathStyle !== 'boolean') throw invalid('s3.pathStyle must be a boolean')
  if (given(options.profile) && (given(options.accessKeyId) || given(options.secretAccessKey))) {
    throw invalid('s3: give either profile or accessKeyId and secretAccessKey, not both')
  }
  const pick = (k, ...names) => [options[k], ...names.map((n) => env[n]), shared[k]].find(given) ?? undefined
  const s = {
    region: pick('region', 'AWS_REGION', 'AWS_DEFAULT_REGION') ?? 'us-east-1',
    endpoint: pick('endpoint', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL')
  }
  // Path style where an endpoint is given (MinIO, moto, R2 and most S3-compatible stores
  // have no per-bucket host names); virtual-hosted style on AWS itself.
  s.pathStyle = options.pathStyle ?? shared.pathStyle ?? s.endpoint !== undefined
  if (s.endpoint !== undefined && !/^https?:\/\/[^/?#]+\/?$/i.test(s.endpoint)) {
    throw invalid(`s3.endpoint must be an http(s) URL without a path, got ${JSON.stringify(s.endpoint)}`)
  }
  return s
}

/**
 * Credentials that never change: `{ source, get(), last }`, the shape of every credentials
 * provider here (`get` resolves to `{ accessKeyId, secretAccessKey, sessionToken? }`; `last`
 * is what it last gave, for messages; `source` says where they come from).
 */
export function fixedCredentials (keys, source) {
  const creds = { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey, sessionToken: keys.sessionToken || undefined }
  return { source, last: creds, get: async () => creds }
}

/**
 * The keys given in `options` (the `s3` open option), or else in `env` (`AWS_ACCESS_KEY_ID`,
 * `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`) unless `options.profile` names a profile, as
 * a credentials provider; `null` where neither has keys.
 */
export function givenCredentials (options = {}, env = {}) {
  const ownKeys = given(options.accessKeyId) || given(options.secretAccessKey)
  if (ownKeys) {
    if (!given(options.accessKeyId) || !given(options.secretAccessKey)) {
      throw invalid('s3: give both accessKeyId and secretAccessKey, or neither')
    }
    return fixedCredentials(options, 'the s3 option')
  }
  if (given(options.sessionToken)) throw invalid('s3.sessionToken needs accessKeyId and secretAccessKey')
  if (given(options.profile)) return null
  const id = env.AWS_ACCESS_KEY_ID
  const secret = env.AWS_SECRET_ACCESS_KEY
  if (!given(id) && !given(secret)) return null
  if (!given(id) || !given(secret)) {
    throw invalid('s3: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together (or neither)')
  }
  return fixedCredentials({ accessKeyId: id, secretAccessKey: secret, sessionToken: env.AWS_SESSION_TOKEN }, 'AWS_ACCESS_KEY_ID')
}

/**
 * An `s3://` table's settings and credentials in browsers: the `s3` option only (profiles,
 * instance roles and the environment are Node's).
 */
export async function optionS3 (options = {}) {
  const settings = s3Settings(options)
  if (given(options.profile)) {
    throw strataError('UNSUPPORTED', 's3.profile: AWS profiles are read from files, in Node only; give accessKeyId and secretAccessKey')
  }
  const credentials = givenCredentials(options)
  return { settings, credentials, looked: 'the s3 option' }
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
 * A signer for the settings' region (resolved once `aws4fetch` is loaded): `sign({ url,
 * method, headers })` resolves to the signed
 * `Request`, with the credentials the provider gives at that moment (temporary ones are
 * renewed by their provider); `null` without credentials (a public bucket). Scan workers send
 * their requests here to be signed, so the keys never leave this thread.
 */
export async function s3Signer (s, credentials) {
  if (!credentials) return null
  if (!client) {
    client = import('aws4fetch').then((m) => m.AwsClient)
    client.catch(() => { client = null })
  }
  const AwsClient = await client
  let signing = null
  let signingWith = null
  return async ({ url, method, headers, cache }) => {
    const keys = await credentials.get()
    if (signingWith !== keys) {
      signing = new AwsClient({ ...keys, region: s.region, service: 's3', retries: 0 })
      signingWith = keys
    }
    const u = new URL(url)
    u.pathname = canonicalPath(u.pathname)
    return signing.sign(u.href, { method, headers, cache })
  }
}

/** A `fetch` that signs each request with `sign` (see `s3Signer`) before `base` sends it. */
export function s3Fetch (sign, base) {
  if (!sign) return base
  return async (request) => base(await sign(request))
}

/**
 * The hint for an S3 answer of 401 or 403 (in `message`): which settings to check, with
 * `credentials` (a provider, or null) and where credentials were `looked` for. Never names a
 * secret.
 */
export function s3Hint (message, s, credentials, looked) {
  if (!/HTTP 40[13]\b/.test(message) || message.includes('the store refused the request')) return message
  const keys = credentials?.last
  const who = !credentials
    ? `no credentials were given (the bucket is not public; looked in ${looked}): set s3.accessKeyId and s3.secretAccessKey, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`
    : `check the credentials (access key ${keys?.accessKeyId ?? 'unknown'} from ${credentials.source}, its secret${keys?.sessionToken ? ' and session token' : ''}), the region (${s.region}) and the bucket's policy`
  return `${message}; the store refused the request: ${who}`
}

/** An error for a location this package cannot open: UNSUPPORTED with what to do instead. */
export function unsupportedScheme (text, scheme) {
  return strataError('UNSUPPORTED', `${text}: ${scheme}:// tables are not supported; ` +
    'read the table from s3:// (signed with credentials), over HTTP(S) (a public or presigned bucket URL, ' +
    'or a reader object that presigns), or from a local directory')
}
