// moto (a real S3-protocol server, PyPI) started on loopback with its authentication on: every
// request must carry a valid AWS Signature Version 4 from an access key that moto's IAM knows.
// The first three requests, made here before auth applies, create that key. The key may also
// make a role and assume it (`temporaryCredentials`): STS keys with a session token, which
// moto checks like AWS does.

import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { freePort } from './process.js'
import { AwsClient } from 'aws4fetch'

/** One IAM query-protocol call before auth applies (moto routes by the credential scope). */
async function iam (endpoint, params) {
  const body = new URLSearchParams({ ...params, Version: '2010-05-08' })
  const r = await fetch(endpoint, {
    method: 'POST',
    body,
    headers: {
      authorization: 'AWS4-HMAC-SHA256 Credential=setup/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
      'content-type': 'application/x-www-form-urlencoded'
    }
  })
  const text = await r.text()
  if (!r.ok) throw new Error(`IAM ${params.Action}: HTTP ${r.status}: ${text}`)
  return text
}

const policy = (actions) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] })

const tagged = (xml, tag) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1]

/**
 * Starts `STRATA_MOTO` with authentication; resolves to `{ endpoint, accessKeyId,
 * secretAccessKey, s3 (a signing client), temporaryCredentials, close }`.
 */
export async function motoWithAuth () {
  const bin = process.env.STRATA_MOTO
  if (!bin) throw new Error('set STRATA_MOTO to moto_server (scripts/wasm.sh installs it)')
  const port = await freePort()
  const child = spawn(bin, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1', INITIAL_NO_AUTH_ACTION_COUNT: '3' }
  })
  await new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`moto did not start: ${out}`)), 20_000)
    const seen = (d) => {
      out += d
      if (out.includes('Running on')) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout.on('data', seen)
    child.stderr.on('data', seen)
    child.on('exit', (code) => reject(new Error(`moto exited with ${code}: ${out}`)))
  })
  const endpoint = `http://127.0.0.1:${port}`
  try {
    await iam(endpoint, { Action: 'CreateUser', UserName: 'strata' })
    const key = await iam(endpoint, { Action: 'CreateAccessKey', UserName: 'strata' })
    await iam(endpoint, {
      Action: 'PutUserPolicy',
      UserName: 'strata',
      PolicyName: 's3',
      PolicyDocument: policy(['s3:*', 'iam:CreateRole', 'iam:PutRolePolicy', 'sts:AssumeRole'])
    })
    const accessKeyId = tagged(key, 'AccessKeyId')
    const secretAccessKey = tagged(key, 'SecretAccessKey')
    const s3 = new AwsClient({ accessKeyId, secretAccessKey, region: 'us-east-1', service: 's3', retries: 0 })
    const signed = async (service, params) => {
      const client = new AwsClient({ accessKeyId, secretAccessKey, region: 'us-east-1', service, retries: 0 })
      // The parameters in the query, encoded and ordered as the signature's canonical form
      // (moto checks the query as sent), and the payload hash as a signed header (moto hashes
      // the parameters it parsed otherwise, not the bytes that were signed).
      const rfc3986 = (x) => encodeURIComponent(x).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
      const query = Object.entries({ ...params, Version: service === 'iam' ? '2010-05-08' : '2011-06-15' })
        .sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`).join('&')
      const r = await client.fetch(`${endpoint}/?${query}`, { headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } })
      const text = await r.text()
      if (!r.ok) throw new Error(`${service} ${params.Action}: HTTP ${r.status}: ${text}`)
      return text
    }
    let role = null
    /**
     * New temporary credentials of a role allowed s3:* (an STS AssumeRole):
     * `{ AccessKeyId, SecretAccessKey, Token, Expiration }` as AWS's credential endpoints
     * answer, with `Expiration` as given (an ISO time), or STS's own.
     */
    const temporaryCredentials = async (expiration = undefined) => {
      if (!role) {
        role = signed('iam', {
          Action: 'CreateRole',
          RoleName: 'strata-reader',
          AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] })
        }).then(async (xml) => {
          await signed('iam', { Action: 'PutRolePolicy', RoleName: 'strata-reader', PolicyName: 's3', PolicyDocument: policy(['s3:*']) })
          return tagged(xml, 'Arn')
        })
      }
      const xml = await signed('sts', { Action: 'AssumeRole', RoleArn: await role, RoleSessionName: 'strata-test' })
      return {
        AccessKeyId: tagged(xml, 'AccessKeyId'),
        SecretAccessKey: tagged(xml, 'SecretAccessKey'),
        Token: tagged(xml, 'SessionToken'),
        Expiration: expiration ?? tagged(xml, 'Expiration')
      }
    }
    return { endpoint, accessKeyId, secretAccessKey, s3, temporaryCredentials, close: () => child.kill() }
  } catch (e) {
    child.kill()
    throw e
  }
}

/**
 * Uploads each table directory of `tables` to `bucket` (created here) on `moto`, under
 * `keyOf(table)`.
 */
export async function putTables (moto, bucket, tables, keyOf) {
  const put = async (key, body) => {
    const path = key.split('/').map(encodeURIComponent).join('/')
    const r = await moto.s3.fetch(`${moto.endpoint}/${path}`, { method: 'PUT', body })
    if (!r.ok) throw new Error(`PUT ${key}: HTTP ${r.status} ${await r.text()}`)
  }
  await put(bucket, undefined)
  for (const t of tables) {
    for (const d of readdirSync(t.path, { recursive: true, withFileTypes: true })) {
      if (!d.isFile()) continue
      const file = join(d.parentPath ?? d.path, d.name)
      await put(`${bucket}/${keyOf(t)}/${relative(t.path, file).split('\\').join('/')}`, readFileSync(file))
    }
  }
}
