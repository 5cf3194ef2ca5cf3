// Where Node finds an `s3://` table's credentials, against moto with its authentication on
// (every read is a signed read moto checks): a profile of the AWS shared files (with the
// config file's region and endpoint), the order option > environment > files, the container
// credentials endpoint and the EC2 instance metadata service (IMDSv2) with temporary keys that
// are renewed before they expire, and the errors of missing profiles and malformed files.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { createServer as createTcpServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { openTable } from 'strata-reader'
import { fixtures, native } from './support/native.js'
import { jsonRows, sorted } from './support/rows.js'
import { motoWithAuth, putTables } from './support/moto.js'

const BUCKET = 'strata-creds'
const fx = fixtures()
const table = fx.tables.find((x) => x.name === 's_pk')
const s3Url = `s3://${BUCKET}/wh/${relative(fx.root, table.path).split('\\').join('/')}`
let moto
let dir
let want

before(async () => {
  moto = await motoWithAuth()
  await putTables(moto, BUCKET, [table], () => s3Url.slice(`s3://${BUCKET}/`.length))
  dir = mkdtempSync(join(tmpdir(), 'strata-aws-'))
  want = sorted(native('scan', table.path))
})

after(() => {
  moto?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

// Every variable the credentials chain reads, cleared (the shared files pointed at files
// that do not exist, the instance metadata service off) and then set as `vars` says, for
// the duration of `f`.
const CHAIN = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_REGION',
  'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE', 'AWS_EC2_METADATA_DISABLED', 'AWS_EC2_METADATA_SERVICE_ENDPOINT',
  'AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE']
async function withEnv (vars, f) {
  const saved = Object.fromEntries(CHAIN.map((k) => [k, process.env[k]]))
  for (const k of CHAIN) delete process.env[k]
  Object.assign(process.env, {
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
    AWS_CONFIG_FILE: join(dir, 'no-config'),
    AWS_EC2_METADATA_DISABLED: 'true'
  })
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
  }
  try {
    return await f()
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
}

let files = 0
function file (text) {
  const path = join(dir, `file-${files++}`)
  writeFileSync(path, text)
  return path
}

async function reads (options = {}) {
  const t = await openTable(s3Url, options)
  try {
    assert.deepEqual(sorted(jsonRows(await t.scan())), want)
    assert.deepEqual(sorted(jsonRows(await t.scan({ workers: 2 }))), want, 'in workers')
  } finally {
    t.close()
  }
}

// The STORAGE error of a refused read, checked for what it must say and what it must not.
async function refused (options, says, secrets) {
  await assert.rejects(openTable(s3Url, options), (e) => {
    assert.equal(e.code, 'STORAGE', e.message)
    assert.match(e.message, /HTTP 403/)
    for (const s of says) assert.ok(e.message.includes(s), `${JSON.stringify(s)} not in: ${e.message}`)
    for (const s of secrets) assert.ok(!e.message.includes(s), 'a secret in the message')
    return true
  })
}

test('a profile of the shared credentials file signs the reads; the config file gives its region and endpoint', async () => {
  const credentials = file(`# comments and blank lines are fine
; this too

[default]
aws_access_key_id = AKIADEFAULTNOTUSED00
aws_secret_access_key = default-secret-not-used

[reader]
aws_access_key_id=${moto.accessKeyId}
aws_secret_access_key =   ${moto.secretAccessKey}
`)
  const config = file(`[default]
region = us-east-1

[profile reader]
region = eu-west-3
endpoint_url = ${moto.endpoint}
s3 =
  addressing_style = path
`)
  await withEnv({ AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_CONFIG_FILE: config, AWS_PROFILE: 'reader' }, () => reads())
  // The s3 option names the profile: it wins over keys in the environment.
  await withEnv({
    AWS_SHARED_CREDENTIALS_FILE: credentials,
    AWS_CONFIG_FILE: config,
    AWS_ACCESS_KEY_ID: 'AKIAENVNOTUSED000000',
    AWS_SECRET_ACCESS_KEY: 'env-secret-not-used'
  }, () => reads({ s3: { profile: 'reader' } }))
  // AWS_PROFILE does not: the environment's keys come before the shared files (and the hint
  // names where the refused keys came from, and the region the config profile gave).
  await withEnv({
    AWS_SHARED_CREDENTIALS_FILE: credentials,
    AWS_CONFIG_FILE: config,
    AWS_PROFILE: 'reader',
    AWS_ACCESS_KEY_ID: moto.accessKeyId,
    AWS_SECRET_ACCESS_KEY: 'env-secret-wrong-0123'
  }, () => refused({}, [`access key ${moto.accessKeyId} from AWS_ACCESS_KEY_ID`, 'the region (eu-west-3)'], ['env-secret-wrong-0123', moto.secretAccessKey]))
  // The implicit default profile, with keys in the config file and the endpoint in a services
  // section (which comes before the profile's own endpoint_url).
  const services = file(`[default]
aws_access_key_id = ${moto.accessKeyId}
aws_secret_access_key = ${moto.secretAccessKey}
endpoint_url = http://127.0.0.1:9
services = local

[services local]
s3 =
  endpoint_url = ${moto.endpoint}
`)
  await withEnv({ AWS_CONFIG_FILE: services }, () => reads())
  // A profile whose secret is wrong: the hint names the profile's file, never the secret.
  const wrong = file(`[bad]\naws_access_key_id = ${moto.accessKeyId}\naws_secret_access_key = profile-secret-wrong-42\n`)
  await withEnv({ AWS_SHARED_CREDENTIALS_FILE: wrong, AWS_ENDPOINT_URL: moto.endpoint },
    () => refused({ s3: { profile: 'bad' } }, [`from AWS profile "bad" in ${wrong}`], ['profile-secret-wrong-42']))
})

test('a missing profile and malformed shared files are typed errors naming the file and line, never a secret', async () => {
  const credentials = file('[reader]\naws_access_key_id = AKIAEXAMPLE000000000\naws_secret_access_key = a-secret\n')
  const invalid = async (vars, options, says, code = 'INVALID_ARGUMENT') => withEnv(vars, () => assert.rejects(openTable(s3Url, options), (e) => {
    assert.equal(e.name, 'StrataError')
    assert.equal(e.code, code, e.message)
    for (const s of says) assert.ok(e.message.includes(s), `${JSON.stringify(s)} not in: ${e.message}`)
    assert.ok(!/a-secret|secret-in-a-bad-line/.test(e.message), `a secret in: ${e.message}`)
    return true
  }))
  const missingConfig = join(dir, 'no-config')
  await invalid({ AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_PROFILE: 'nobody' }, {},
    ['AWS profile "nobody" not found', credentials, `${missingConfig} (missing)`])
  await invalid({ AWS_SHARED_CREDENTIALS_FILE: credentials }, { s3: { profile: 'writer' } }, ['AWS profile "writer" not found'])
  const lines = [
    ['[reader]\naws_access_key_id = AKIAEXAMPLE000000000\nsecret-in-a-bad-line\n', 3],
    ['aws_secret_access_key = secret-in-a-bad-line\n[reader]\n', 1],
    ['\n[reader\naws_access_key_id = AKIAEXAMPLE000000000\n', 2],
    ['[]\n', 1]
  ]
  for (const [text, line] of lines) {
    const bad = file(text)
    await invalid({ AWS_SHARED_CREDENTIALS_FILE: bad }, {}, [`${bad} line ${line}:`])
  }
  const badConfig = file('[profile reader]\ns3 =\n  addressing_style\n')
  await invalid({ AWS_CONFIG_FILE: badConfig }, {}, [`${badConfig} line 3:`])
  const half = file('[default]\naws_access_key_id = AKIAEXAMPLE000000000\n')
  await invalid({ AWS_SHARED_CREDENTIALS_FILE: half }, {}, ['AWS profile "default"', half, 'without aws_secret_access_key'])
  const role = file('[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = default\n')
  await invalid({ AWS_CONFIG_FILE: role }, { s3: { profile: 'admin' } }, ['AWS profile "admin"', 'role_arn, source_profile'], 'UNSUPPORTED')
  const endpoint = file('[default]\nendpoint_url = localhost:9000\n')
  await invalid({ AWS_CONFIG_FILE: endpoint }, {}, [endpoint, 'endpoint_url must be an http(s) URL'])
  await invalid({}, { s3: { profile: 'reader', accessKeyId: 'AKIAEXAMPLE000000000', secretAccessKey: 'a-secret' } }, ['either profile or accessKeyId'])
  await invalid({}, { s3: { profile: 7 } }, ['s3.profile must be a string'])
})

// A tiny HTTP server that plays an AWS credentials endpoint: moto's own instance metadata
// endpoint (used in the next test) hands out fixed keys that moto's authentication does not
// know, so this one hands out moto's STS keys (AssumeRole) instead. Only the credentials come
// from it; every S3 read goes to moto, which checks each signature and session token.
async function credentialsServer (answer) {
  const seen = []
  const server = createServer(async (req, res) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers })
    try {
      const [status, body] = await answer(req)
      res.writeHead(status, { 'content-type': 'text/plain' })
      res.end(body)
    } catch (e) {
      res.writeHead(500)
      res.end(String(e))
    }
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${server.address().port}`, seen, close: () => new Promise((resolve) => server.close(resolve)) }
}

// Credentials whose Expiration is `ms` after the renewal margin (5 minutes) begins.
const expiringIn = (ms) => new Date(Date.now() + 5 * 60_000 + ms).toISOString()

test('container credentials (with their authorization token) are temporary keys, renewed before they expire', async () => {
  const served = []
  const server = await credentialsServer(async (req) => {
    if (req.headers.authorization !== 'container-token-123') return [401, 'no']
    const keys = await moto.temporaryCredentials(expiringIn(1500))
    served.push(keys.AccessKeyId)
    return [200, JSON.stringify(keys)]
  })
  try {
    const env = {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${server.url}/v2/credentials/abc`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: 'container-token-123',
      AWS_ENDPOINT_URL: moto.endpoint
    }
    await withEnv(env, async () => {
      const t = await openTable(s3Url)
      assert.deepEqual(sorted(jsonRows(await t.scan())), want)
      assert.equal(served.length, 1, 'one credentials request while the keys are fresh')
      await new Promise((resolve) => setTimeout(resolve, 2000))
      // Now within the renewal margin: the next request renews them (once), in workers too.
      assert.deepEqual(sorted(jsonRows(await t.scan({ workers: 2 }))), want)
      assert.equal(served.length, 2, 'renewed once')
      assert.notEqual(served[0], served[1])
      t.close()
    })
    const tokenFile = file('container-token-123\n')
    await withEnv({ ...env, AWS_CONTAINER_AUTHORIZATION_TOKEN: undefined, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile }, () => reads())
    await withEnv({ ...env, AWS_CONTAINER_AUTHORIZATION_TOKEN: 'wrong-token-456' }, () => assert.rejects(openTable(s3Url), (e) => {
      assert.equal(e.code, 'STORAGE', e.message)
      assert.match(e.message, /container credentials endpoint \(AWS_CONTAINER_CREDENTIALS_FULL_URI\) answered HTTP 401 \(check AWS_CONTAINER_AUTHORIZATION_TOKEN\)/)
      assert.ok(!e.message.includes('wrong-token-456') && !e.message.includes('/v2/credentials/abc'), e.message)
      return true
    }))
    await withEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://example.com/creds' }, () => assert.rejects(openTable(s3Url), (e) =>
      e.code === 'INVALID_ARGUMENT' && /must be https, or http to a loopback address/.test(e.message)))
  } finally {
    await server.close()
  }
})

test('the instance metadata service (IMDSv2): moto\'s own endpoint, and temporary keys renewed before they expire', async () => {
  // moto's instance metadata endpoint speaks IMDSv2 but hands out keys moto's authentication
  // does not know: the read is refused, and the hint names the role's keys.
  await withEnv({ AWS_EC2_METADATA_DISABLED: undefined, AWS_EC2_METADATA_SERVICE_ENDPOINT: moto.endpoint, AWS_ENDPOINT_URL: moto.endpoint },
    () => refused({}, [`access key test-key from the instance metadata service (${moto.endpoint}, role default-role), its secret and session token`], ['test-secret-key', 'test-session-token']))

  const served = []
  const server = await credentialsServer(async (req) => {
    if (req.url === '/latest/api/token') {
      return req.method === 'PUT' && req.headers['x-aws-ec2-metadata-token-ttl-seconds'] ? [200, 'imds-token'] : [400, 'no']
    }
    if (req.headers['x-aws-ec2-metadata-token'] !== 'imds-token') return [401, 'no token']
    if (req.url === '/latest/meta-data/iam/security-credentials/') return [200, 'reader-role\n']
    if (req.url !== '/latest/meta-data/iam/security-credentials/reader-role') return [404, 'no']
    const keys = await moto.temporaryCredentials(expiringIn(1500))
    served.push(keys.AccessKeyId)
    return [200, JSON.stringify({ Code: 'Success', Type: 'AWS-HMAC', ...keys })]
  })
  try {
    await withEnv({ AWS_EC2_METADATA_DISABLED: undefined, AWS_EC2_METADATA_SERVICE_ENDPOINT: server.url, AWS_ENDPOINT_URL: moto.endpoint }, async () => {
      const t = await openTable(s3Url)
      assert.deepEqual(sorted(jsonRows(await t.scan({ workers: 2 }))), want)
      assert.equal(served.length, 1)
      await new Promise((resolve) => setTimeout(resolve, 2000))
      assert.deepEqual(sorted(jsonRows(await t.scan())), want)
      assert.equal(served.length, 2, 'renewed once')
      t.close()
      // Another table of the same process shares the instance's keys.
      await reads()
      assert.equal(served.length, 2)
    })
    assert.ok(server.seen.some((r) => r.method === 'PUT' && r.url === '/latest/api/token'), 'an IMDSv2 session token was asked for')
  } finally {
    await server.close()
  }
})

test('without an instance metadata service, opening waits about a second once, then goes unsigned; disabled, it is never asked', async () => {
  // A service that accepts connections and never answers (as a firewalled address may).
  const connections = []
  const silent = createTcpServer((socket) => connections.push(socket))
  await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve))
  const endpoint = `http://127.0.0.1:${silent.address().port}`
  try {
    const env = { AWS_EC2_METADATA_DISABLED: undefined, AWS_EC2_METADATA_SERVICE_ENDPOINT: endpoint, AWS_ENDPOINT_URL: moto.endpoint }
    await withEnv(env, async () => {
      let start = performance.now()
      await refused({}, ['no credentials were given', `the instance metadata service (${endpoint}: no answer, or no role)`], [])
      const first = performance.now() - start
      assert.ok(first >= 900 && first < 2500, `the first open waited ${first} ms`)
      start = performance.now()
      await refused({}, ['no credentials were given'], [])
      assert.ok(performance.now() - start < 500, 'the absent service is remembered')
    })
    const asked = connections.length
    assert.ok(asked >= 1)
    await withEnv({ ...env, AWS_EC2_METADATA_DISABLED: 'true', AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://127.0.0.1:${silent.address().port}/` },
      () => refused({}, ['the instance metadata service (disabled)'], []))
    assert.equal(connections.length, asked, 'a disabled service is never asked')
  } finally {
    for (const s of connections) s.destroy()
    await new Promise((resolve) => silent.close(resolve))
  }
})
