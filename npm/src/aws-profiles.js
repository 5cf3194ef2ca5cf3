// The AWS shared files (Node only): `~/.aws/credentials` and `~/.aws/config` (or the files
// `AWS_SHARED_CREDENTIALS_FILE` and `AWS_CONFIG_FILE` name), read the way the AWS CLI and SDKs
// read them. A profile's keys, region and S3 endpoint; nothing here is ever put in a message
// but file names, line numbers, profile names and setting names (a line may hold a secret).

import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { strataError } from './errors.js'

function invalid (message) {
  return strataError('INVALID_ARGUMENT', message)
}

/**
 * Parses the INI text of an AWS shared file into `Map<section, settings>`, where settings map
 * lower-case names to strings, or to objects for nested settings (`s3 =` followed by indented
 * `name = value` lines). Blank lines and lines starting with `#` or `;` are skipped; a section
 * that appears twice is merged (later settings win), as the AWS CLI does. A line that is none
 * of these is INVALID_ARGUMENT naming `file` and the line number (never the line: it may hold
 * a secret).
 */
export function parseIni (text, file) {
  const sections = new Map()
  let section = null
  let last = null // the latest top-level setting: [name, settings it belongs to]
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const at = `${file} line ${i + 1}`
    const raw = lines[i]
    const line = raw.trim()
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue
    if (line.startsWith('[')) {
      const m = /^\[([^\][]*)\]\s*(?:[#;].*)?$/.exec(line)
      const name = m?.[1].trim().replace(/\s+/g, ' ')
      if (!name) throw invalid(`${at}: a section header must be [name] (or [profile name] in a config file)`)
      if (!sections.has(name)) sections.set(name, {})
      section = sections.get(name)
      last = null
      continue
    }
    const kv = /^([^=\s][^=]*?)\s*=\s*(.*)$/.exec(line)
    if (/^\s/.test(raw) && last) {
      // An indented line: a nested setting under `name =`, or the next line of a value.
      const [name, owner] = last
      if (typeof owner[name] === 'object' || owner[name] === '') {
        if (!kv) throw invalid(`${at}: expected an indented name = value under "${name} ="`)
        if (owner[name] === '') owner[name] = {}
        owner[name][kv[1].toLowerCase()] = kv[2]
      } else {
        owner[name] += '\n' + line
      }
      continue
    }
    if (!kv) throw invalid(`${at}: expected [section], name = value, or a comment starting with # or ;`)
    if (!section) throw invalid(`${at}: a setting before the first [section]`)
    const name = kv[1].toLowerCase()
    section[name] = kv[2]
    last = [name, section]
  }
  return sections
}

// A shared file's sections, or null where the file does not exist.
async function readShared (file) {
  let text
  try {
    text = await readFile(file, 'utf8')
  } catch (e) {
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return null
    throw invalid(`${file}: cannot read the AWS shared file (${e.code ?? e.message})`)
  }
  return parseIni(text, file)
}

const expandHome = (p) => (p.startsWith('~/') || p === '~' ? join(homedir(), p.slice(1)) : p)

/** The paths of the shared files under `env` (AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE). */
export function sharedFilePaths (env) {
  return {
    credentials: expandHome(env.AWS_SHARED_CREDENTIALS_FILE || join(homedir(), '.aws', 'credentials')),
    config: expandHome(env.AWS_CONFIG_FILE || join(homedir(), '.aws', 'config'))
  }
}

// Settings that make a profile's credentials come from elsewhere, which this package does not run.
const INDIRECT = ['role_arn', 'credential_source', 'source_profile', 'sso_session', 'sso_start_url', 'credential_process', 'web_identity_token_file', 'login_session']

/**
 * The profile `name` (`explicit`: named by the `s3.profile` option or `AWS_PROFILE`, so that a
 * missing one is an error; the implicit `default` may be absent) from the shared files:
 * `{ name, files, found, keys, region, endpoint, pathStyle }`. `keys` (`accessKeyId`,
 * `secretAccessKey`, `sessionToken`, and `file`, where they were) come from the credentials
 * file before the config file, as the SDKs take them. The endpoint is the config profile's
 * `s3` `endpoint_url` in its `services` section, else its `endpoint_url`; `pathStyle` its
 * `s3` `addressing_style`.
 */
export async function sharedProfile (name, explicit, env) {
  const files = sharedFilePaths(env)
  const [credentials, config] = await Promise.all([readShared(files.credentials), readShared(files.config)])
  const fromCredentials = credentials?.get(name)
  const fromConfig = config?.get(name === 'default' ? 'default' : `profile ${name}`) ??
    (name === 'default' ? config?.get('profile default') : undefined)
  const looked = `${files.credentials}${credentials ? '' : ' (missing)'} and ${files.config}${config ? '' : ' (missing)'}`
  const out = { name, files, looked, found: Boolean(fromCredentials || fromConfig) }
  if (!out.found) {
    if (explicit) throw invalid(`AWS profile "${name}" not found: looked in ${looked}`)
    return out
  }

  for (const [settings, file] of [[fromCredentials, files.credentials], [fromConfig, files.config]]) {
    if (!settings || out.keys) continue
    const id = settings.aws_access_key_id
    const secret = settings.aws_secret_access_key
    if (!id && !secret) continue
    if (!id || !secret) {
      throw invalid(`AWS profile "${name}" in ${file} has ${id ? 'aws_access_key_id without aws_secret_access_key' : 'aws_secret_access_key without aws_access_key_id'}`)
    }
    out.keys = { accessKeyId: id, secretAccessKey: secret, sessionToken: settings.aws_session_token || undefined, file }
  }
  if (!out.keys) {
    const indirect = INDIRECT.filter((k) => fromConfig?.[k] !== undefined || fromCredentials?.[k] !== undefined)
    if (indirect.length > 0) {
      throw strataError('UNSUPPORTED', `AWS profile "${name}" (${looked}) gets its credentials through ${indirect.join(', ')}, ` +
        'which strata-reader does not run: give the s3 option (or AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN) ' +
        `the temporary keys, e.g. from \`aws configure export-credentials --profile ${name} --format env\``)
    }
  }

  const text = (settings, key) => (typeof settings?.[key] === 'string' && settings[key] !== '' ? settings[key] : undefined)
  out.region = text(fromConfig, 'region') ?? text(fromCredentials, 'region')
  const services = text(fromConfig, 'services')
  const service = services === undefined ? undefined : config.get(`services ${services}`)
  if (services !== undefined && !service) {
    throw invalid(`AWS profile "${name}" in ${files.config} names services "${services}", which has no [services ${services}] section`)
  }
  const s3 = (settings) => (typeof settings?.s3 === 'object' ? settings.s3 : undefined)
  out.endpoint = text(s3(service), 'endpoint_url') ?? text(fromConfig, 'endpoint_url')
  if (out.endpoint !== undefined && !/^https?:\/\/[^/?#]+\/?$/i.test(out.endpoint)) {
    throw invalid(`AWS profile "${name}" in ${files.config}: endpoint_url must be an http(s) URL without a path, got ${JSON.stringify(out.endpoint)}`)
  }
  const style = text(s3(fromConfig), 'addressing_style')
  if (style !== undefined && !['path', 'virtual', 'auto'].includes(style)) {
    throw invalid(`AWS profile "${name}" in ${files.config}: s3 addressing_style must be path, virtual or auto, got ${JSON.stringify(style)}`)
  }
  out.pathStyle = style === 'path' ? true : style === 'virtual' ? false : undefined
  return out
}
