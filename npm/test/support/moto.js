// moto (a real S3-protocol server, PyPI) started on loopback with its authentication on: every
// request must carry a valid AWS Signature Version 4 from an access key that moto's IAM knows.
// The first three requests, made here before auth applies, create that key.

import { spawn } from 'node:child_process'
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

const tagged = (xml, tag) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1]

/**
 * Starts `STRATA_MOTO` with authentication; resolves to `{ endpoint, accessKeyId,
 * secretAccessKey, s3 (a signing client), close }`.
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
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] })
    })
    const accessKeyId = tagged(key, 'AccessKeyId')
    const secretAccessKey = tagged(key, 'SecretAccessKey')
    const s3 = new AwsClient({ accessKeyId, secretAccessKey, region: 'us-east-1', service: 's3', retries: 0 })
    return { endpoint, accessKeyId, secretAccessKey, s3, close: () => child.kill() }
  } catch (e) {
    child.kill()
    throw e
  }
}
