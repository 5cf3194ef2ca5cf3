// Where an `s3://` table's credentials come from in Node, in the order the AWS SDKs and CLI
// look: the `s3` option's keys (or the profile it names), the environment's keys, the shared
// files' profile (aws-profiles.js), a container's credentials endpoint (ECS, EKS Pod
// Identity), then the EC2 instance metadata service (IMDSv2). Temporary credentials are
// renewed before they expire. Messages name where credentials were looked for, never a
// secret, a token, or a container endpoint's path (its path is a capability).
// (Not @aws-sdk/credential-provider-node: dozens of packages for what is these two files, a
// lenient INI reader that skips bad lines, and errors that are not this package's.)

import { readFile } from 'node:fs/promises'
import { strataError } from './errors.js'
import { sharedProfile } from './aws-profiles.js'
import { fixedCredentials, givenCredentials, s3Settings } from './s3.js'

/** Temporary credentials are renewed this long before their `Expiration`. */
const RENEW_BEFORE_MS = 5 * 60_000
/** How long the instance metadata service may take to answer (each request). */
const IMDS_TIMEOUT_MS = 1000
const CONTAINER_TIMEOUT_MS = 2000
/** How long "no instance metadata service here" is remembered, so that opens stay fast. */
const ABSENT_MS = 5 * 60_000

function invalid (message) {
  return strataError('INVALID_ARGUMENT', message)
}

function storage (message) {
  return strataError('STORAGE', message)
}

/**
 * A provider of temporary credentials that `load()` fetches, renewed RENEW_BEFORE_MS before
 * their expiration (one renewal at a time); while a renewal fails, keys that have not expired
 * yet still serve. The shape is `fixedCredentials`'s: `{ source, get(), last }`.
 */
export function renewing (source, load, first = undefined) {
  let pending = null
  const provider = {
    source,
    last: first,
    async get () {
      const current = provider.last
      if (current && (current.expiration === undefined || Date.now() < current.expiration - RENEW_BEFORE_MS)) return current
      if (!pending) {
        pending = load().then((fresh) => {
          provider.last = fresh
          return fresh
        }).finally(() => { pending = null })
      }
      try {
        return await pending
      } catch (e) {
        if (current && Date.now() < current.expiration) return current
        throw e
      }
    }
  }
  return provider
}

// An HTTP request with a deadline: `{ status, body }`, or STORAGE naming `what` (with
// `unreachable` set where nothing answered). The error never carries the request's headers.
async function request (url, { method = 'GET', headers = {}, timeout, what }) {
  try {
    const r = await fetch(url, { method, headers, redirect: 'error', signal: AbortSignal.timeout(timeout) })
    return { status: r.status, body: await r.text() }
  } catch (e) {
    const why = e?.name === 'TimeoutError' || e?.name === 'AbortError'
      ? `no answer within ${timeout} ms`
      : e?.cause?.code ?? 'the request failed'
    return Promise.reject(Object.assign(storage(`${what}: ${why}`), { unreachable: true }))
  }
}

// Temporary credentials from a credentials endpoint's JSON (`AccessKeyId`, `SecretAccessKey`,
// `Token`, `Expiration`; the instance metadata service adds `Code`).
function temporary (body, what) {
  let j
  try {
    j = JSON.parse(body)
  } catch {
    throw storage(`${what} answered with something other than JSON`)
  }
  if (j === null || typeof j !== 'object') throw storage(`${what} answered with something other than a JSON object`)
  if (j.Code !== undefined && j.Code !== 'Success') throw storage(`${what} answered with Code ${JSON.stringify(String(j.Code))}`)
  if (typeof j.AccessKeyId !== 'string' || typeof j.SecretAccessKey !== 'string' || !j.AccessKeyId || !j.SecretAccessKey) {
    throw storage(`${what} answered without AccessKeyId and SecretAccessKey`)
  }
  let expiration
  if (j.Expiration !== undefined && j.Expiration !== null) {
    expiration = Date.parse(j.Expiration)
    if (Number.isNaN(expiration)) throw storage(`${what} answered with an Expiration that is not a date`)
  }
  return { accessKeyId: j.AccessKeyId, secretAccessKey: j.SecretAccessKey, sessionToken: j.Token || undefined, expiration }
}

// The container agent's addresses (ECS, EKS Pod Identity), which may be plain http.
const CONTAINER_HOSTS = new Set(['169.254.170.2', '169.254.170.23', '[fd00:ec2::23]', 'localhost', '[::1]'])

/** The container credentials endpoint `env` configures, or null. */
export function containerEndpoint (env) {
  const relative = env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
  if (relative) {
    return { url: `http://169.254.170.2${relative.startsWith('/') ? '' : '/'}${relative}`, by: 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI' }
  }
  const full = env.AWS_CONTAINER_CREDENTIALS_FULL_URI
  if (!full) return null
  let u
  try {
    u = new URL(full)
  } catch {
    throw invalid('AWS_CONTAINER_CREDENTIALS_FULL_URI is not a URL')
  }
  const local = CONTAINER_HOSTS.has(u.hostname) || /^127(\.\d{1,3}){3}$/.test(u.hostname)
  if (!(u.protocol === 'https:' || (u.protocol === 'http:' && local))) {
    throw invalid(`AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to a loopback address or the container agent (169.254.170.2, 169.254.170.23, fd00:ec2::23); got ${u.protocol}//${u.host}`)
  }
  return { url: full, by: 'AWS_CONTAINER_CREDENTIALS_FULL_URI' }
}

async function containerKeys ({ url, by }, env) {
  const headers = {}
  let token = env.AWS_CONTAINER_AUTHORIZATION_TOKEN
  let tokenFrom = 'AWS_CONTAINER_AUTHORIZATION_TOKEN'
  if (env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) {
    tokenFrom = `the file AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE names (${env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE})`
    try {
      token = (await readFile(env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, 'utf8')).trim()
    } catch (e) {
      throw invalid(`cannot read ${tokenFrom}: ${e.code ?? 'unreadable'}`)
    }
  }
  if (token) {
    if (/[\r\n]/.test(token)) throw invalid(`the container authorization token in ${tokenFrom} has a line break`)
    headers.authorization = token
  }
  const what = `the container credentials endpoint (${by})`
  let failure
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const r = await request(url, { headers, timeout: CONTAINER_TIMEOUT_MS, what })
      if (r.status === 200) return temporary(r.body, what)
      failure = storage(`${what} answered HTTP ${r.status}${r.status === 401 || r.status === 403 ? ` (check ${tokenFrom})` : ''}`)
      if (r.status < 500) break
    } catch (e) {
      failure = e
    }
  }
  throw failure
}

/** The instance metadata service's base URL under `env`. */
export function instanceEndpoint (env) {
  const ipv6 = /^ipv6$/i.test((env.AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE ?? '').trim())
  const base = env.AWS_EC2_METADATA_SERVICE_ENDPOINT || (ipv6 ? 'http://[fd00:ec2::254]' : 'http://169.254.169.254')
  if (!/^https?:\/\/[^/?#]+\/?$/i.test(base)) {
    throw invalid(`AWS_EC2_METADATA_SERVICE_ENDPOINT must be an http(s) URL without a path, got ${JSON.stringify(base)}`)
  }
  return base.replace(/\/$/, '')
}

// The role's keys through IMDSv2 (a session token, the role's name, its credentials); null
// where the instance has no role. A service that cannot be reached is STORAGE with
// `unreachable`, as is one that refuses the session token (IMDSv1 only, or disabled).
async function instanceKeys (base) {
  const what = `the instance metadata service (${base})`
  const opts = (extra) => ({ timeout: IMDS_TIMEOUT_MS, what, ...extra })
  const t = await request(`${base}/latest/api/token`, opts({ method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '21600' } }))
  if (t.status !== 200 || !t.body) throw Object.assign(storage(`${what} refused an IMDSv2 session token: HTTP ${t.status}`), { unreachable: true })
  const headers = { 'x-aws-ec2-metadata-token': t.body.trim() }
  const roles = await request(`${base}/latest/meta-data/iam/security-credentials/`, opts({ headers }))
  if (roles.status === 404) return null
  if (roles.status !== 200) throw storage(`${what} answered HTTP ${roles.status} for the instance's role`)
  const role = roles.body.split('\n').map((l) => l.trim()).find((l) => l !== '')
  if (!role) return null
  const keys = await request(`${base}/latest/meta-data/iam/security-credentials/${encodeURIComponent(role)}`, opts({ headers }))
  if (keys.status !== 200) throw storage(`${what} answered HTTP ${keys.status} for the credentials of role ${role}`)
  return { role, keys: temporary(keys.body, `${what} for role ${role}`) }
}

const instances = new Map() // base URL -> { provider: Promise<provider | null>, until }

/**
 * The instance role's credentials, renewed before they expire; null where `env` disables the
 * service (`AWS_EC2_METADATA_DISABLED=true`), where it does not answer within a second (not
 * an EC2 instance; remembered for a while, so later opens do not wait again), or where the
 * instance has no role. One provider per endpoint serves every table.
 */
export async function instanceCredentials (env) {
  if (/^true$/i.test((env.AWS_EC2_METADATA_DISABLED ?? '').trim())) return null
  const base = instanceEndpoint(env)
  const known = instances.get(base)
  if (known && (known.until === undefined || Date.now() < known.until)) return known.provider
  const entry = { until: undefined }
  entry.provider = (async () => {
    let found
    try {
      found = await instanceKeys(base)
    } catch (e) {
      if (!e.unreachable) {
        instances.delete(base)
        throw e
      }
      found = null
    }
    if (!found) {
      entry.until = Date.now() + ABSENT_MS
      return null
    }
    return renewing(`the instance metadata service (${base}, role ${found.role})`, async () => {
      const again = await instanceKeys(base)
      if (!again) throw storage(`the instance metadata service (${base}) no longer gives the instance a role`)
      return again.keys
    }, found.keys)
  })()
  instances.set(base, entry)
  return entry.provider
}

/**
 * An `s3://` table's settings and credentials in Node, from `options` (the `s3` open option)
 * and `env`: `{ settings, credentials, looked }`, where `credentials` is a provider (null: no
 * credentials anywhere, so requests go unsigned, for a public bucket) and `looked` says where
 * they were looked for. The order is the AWS SDKs': the option's keys (or the profile
 * `s3.profile` names) > `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN` >
 * the profile (`AWS_PROFILE`, or `default`) in the shared credentials and config files >
 * the container credentials endpoint > the EC2 instance metadata service. The region and the
 * endpoint come from the option, then the environment, then the config file's profile.
 */
export async function nodeS3 (options = {}, env = process.env) {
  s3Settings(options) // the option's own settings are checked before any file is read
  const name = options.profile || env.AWS_PROFILE || 'default'
  const shared = await sharedProfile(name, Boolean(options.profile || env.AWS_PROFILE), env)
  const settings = s3Settings(options, env, shared)
  const looked = [`the s3 option, AWS_ACCESS_KEY_ID, AWS profile "${name}" (${shared.looked})`]
  let credentials = givenCredentials(options, env)
  if (!credentials && shared.keys) credentials = fixedCredentials(shared.keys, `AWS profile "${name}" in ${shared.keys.file}`)
  if (!credentials) {
    const container = containerEndpoint(env)
    if (container) {
      const first = await containerKeys(container, env)
      credentials = renewing(`the container credentials endpoint (${container.by})`, () => containerKeys(container, env), first)
    } else {
      looked.push('the container credentials endpoint (not configured)')
      credentials = await instanceCredentials(env)
      if (!credentials) looked.push(/^true$/i.test((env.AWS_EC2_METADATA_DISABLED ?? '').trim()) ? 'the instance metadata service (disabled)' : `the instance metadata service (${instanceEndpoint(env)}: no answer, or no role)`)
    }
  }
  return { settings, credentials, looked: looked.join(', ') }
}
