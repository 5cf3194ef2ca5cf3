// Types of strata-reader (Node and browser entry points share them).

import type { Table as ArrowTable, RecordBatch } from 'apache-arrow'

/** Stable error codes: branch on `err.code`, never on the message. */
export type ErrorCode =
  | 'NOT_FOUND'
  | 'CORRUPT'
  | 'INVALID_JSON'
  | 'UNSUPPORTED'
  | 'INVALID_TYPE'
  | 'INVALID_ARGUMENT'
  | 'CONFLICT'
  | 'ALREADY_EXISTS'
  | 'STORAGE'
  | 'INTERNAL'

/**
 * Every failure is an `Error` like this one; `path` names the file where one is known, and
 * `table` the table's URL or local path (also at the start of the message) when it was opened
 * from one.
 */
export interface StrataError extends Error {
  name: 'StrataError'
  code: ErrorCode
  path?: string
  table?: string
}

/** A JSON-safe value: what `jsonRows` makes of one Arrow value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }

/**
 * The rows of an Arrow `Table` or `RecordBatch` as plain objects `JSON.stringify` writes
 * exactly: DECIMAL as a string with its scale (`'50.10'`), BIGINT as a number when it is a
 * safe integer else a string, TIMESTAMP as ISO-8601 text to the microsecond (with `Z` for
 * TIMESTAMP WITH LOCAL TIME ZONE), DATE as `'YYYY-MM-DD'`, TIME as `'HH:MM:SS.fff'`, binaries
 * as base64, NaN and infinities as strings, ARRAY as arrays, ROW as objects, MAP as an object
 * (string keys) or `[key, value]` pairs.
 */
export declare function jsonRows(data: ArrowTable | RecordBatch): Array<Record<string, JsonValue>>

/** A source of table files: paths are relative to the table directory, `end` is exclusive. */
export interface TableReaderSource {
  read(path: string, start?: number, end?: number): Promise<Uint8Array | ArrayBuffer | null | undefined>
  head?(path: string): Promise<{ size: number } | null | undefined>
  exists?(path: string): Promise<boolean>
  /** Paths under `prefix` (only `tags()` needs it). */
  list?(prefix: string): Promise<Array<string | { path: string; size?: number }>>
}

export type Literal = number | bigint | string | boolean | null

/** A filter as an object; pushed down exactly like the same filter text. */
export type FilterExpr =
  | { column: string; op: '=' | '!=' | '<>' | '<' | '<=' | '>' | '>='; value: Literal }
  | { column: string; in: Literal[] }
  | { column: string; notIn: Literal[] }
  | { column: string; isNull: boolean }
  | { and: FilterExpr[] }
  | { or: FilterExpr[] }
  | { not: FilterExpr }

/** Filter text (`"id > 3 AND dt = '2024-01-01'"`) or an expression object. */
export type Filter = string | FilterExpr

export interface ScanOptions {
  columns?: string[]
  filter?: Filter
  /** At most one of `snapshotId`, `timestampMs` and `tag`. */
  snapshotId?: number | bigint
  timestampMs?: number | bigint
  tag?: string
  limit?: number
  /** Splits read at once (their fetches overlap); default 4, 1 with a limit. */
  concurrency?: number
  /**
   * `scan` only: read in this many workers at once (`'auto'`: one per core), worker threads in
   * Node and Web Workers in browsers, for tables opened from a URL without a custom `fetch`
   * or (Node) from a path. Default 1.
   */
  workers?: number | 'auto'
}

export interface DiffOptions {
  columns?: string[]
  filter?: Filter
}

export interface StreamOptions {
  /** `'latest'` (default), `'earliest'`, a snapshot id, `'snapshot:N'` or `'timestamp:MS'`. */
  from?: string | number | bigint
  /** Read the start snapshot in full first (rows labelled `+I`). */
  full?: boolean
  pollIntervalMs?: number
  signal?: AbortSignal
  columns?: string[]
  filter?: Filter
}

export interface OpenOptions {
  /** Extra HTTP request headers (authorization, for instance). */
  headers?: Record<string, string>
  /**
   * The `fetch` HTTP(S) requests go through, called with a `Request`; its answer needs
   * `status`, `statusText`, `headers` and `arrayBuffer()`. In browsers the global `fetch` by
   * default; in Node `workerFetch`, which runs requests in a worker thread.
   */
  fetch?: (request: Request) => Promise<Response>
  /**
   * Where and as whom to read an `s3://BUCKET/path` (or `s3a://`) table. Each request is
   * signed (AWS Signature Version 4) with the credentials; without any, requests go unsigned
   * (a public bucket). In browsers, only these settings count. In Node, credentials are the
   * first found of: this option's keys (or the profile `profile` names); `AWS_ACCESS_KEY_ID`,
   * `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`; the profile `AWS_PROFILE` (or `default`)
   * in `AWS_SHARED_CREDENTIALS_FILE` (`~/.aws/credentials`) and `AWS_CONFIG_FILE`
   * (`~/.aws/config`); the container credentials endpoint
   * (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or `_FULL_URI`, with
   * `AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE)`); the EC2 instance metadata service (IMDSv2;
   * `AWS_EC2_METADATA_SERVICE_ENDPOINT`, off with `AWS_EC2_METADATA_DISABLED=true`).
   * Temporary credentials are renewed before they expire. Unset `region` and `endpoint` come
   * from `AWS_REGION` (or `AWS_DEFAULT_REGION`), `AWS_ENDPOINT_URL_S3` (or
   * `AWS_ENDPOINT_URL`), then the config file's profile (`region`, `endpoint_url`).
   */
  s3?: S3Options
}

/** The settings of an `s3://` table (see `OpenOptions.s3`). */
export interface S3Options {
  /** The bucket's region (default `us-east-1`). */
  region?: string
  /** An S3-compatible store's URL (`http://127.0.0.1:9000` for MinIO, say); AWS when absent. */
  endpoint?: string
  /** With `secretAccessKey` (and `sessionToken` for temporary keys); not with `profile`. */
  accessKeyId?: string
  secretAccessKey?: string
  sessionToken?: string
  /**
   * Node only: the profile of the AWS shared files to take the credentials (and region and
   * endpoint) from, ahead of the `AWS_*` keys in the environment (default: `AWS_PROFILE`,
   * else `default`, after them). A profile that neither file has is `INVALID_ARGUMENT`.
   */
  profile?: string
  /** `https://endpoint/BUCKET/key` rather than `https://BUCKET.endpoint/key`; default: true where an endpoint is given. */
  pathStyle?: boolean
}

/** Paimon's schema JSON. */
export interface TableSchema {
  version?: number
  id: number
  fields: Array<{ id: number; name: string; type: unknown; description?: string }>
  highestFieldId: number
  partitionKeys: string[]
  primaryKeys: string[]
  options: Record<string, string>
  comment?: string | null
  timeMillis: number
}

/**
 * Paimon's snapshot JSON. Its 64-bit integers are numbers where a double holds them exactly
 * and `BigInt`s beyond 2^53 - 1 (a batch commit's `commitIdentifier` is 2^63 - 1).
 */
export interface Snapshot {
  id: number
  schemaId: number
  commitKind: 'APPEND' | 'COMPACT' | 'OVERWRITE' | 'ANALYZE'
  commitUser?: string
  commitIdentifier?: number | bigint
  timeMillis: number
  totalRecordCount?: number | bigint
  deltaRecordCount?: number | bigint
  watermark?: number | bigint | null
  [key: string]: unknown
}

export interface Tag extends Snapshot {
  name: string
}

export declare class Table {
  schema(): TableSchema
  snapshots(): Promise<Snapshot[]>
  latestSnapshot(): Promise<Snapshot | null>
  tags(): Promise<Tag[]>
  scan(options?: ScanOptions): Promise<ArrowTable>
  batches(options?: ScanOptions): AsyncGenerator<RecordBatch>
  /** Changes of snapshots `(from, to]`, with a `_kind` column (`+I`, `-U`, `+U`, `-D`). */
  diff(fromSnapshot: number | bigint, toSnapshot: number | bigint, options?: DiffOptions): Promise<ArrowTable>
  /** Batches with a `_kind` column, following new snapshots until `signal` aborts. */
  stream(options?: StreamOptions): AsyncGenerator<RecordBatch>
  /** What was fetched over HTTP so far. */
  fetchStats(): { requests: number; bytes: number }
  /** The latest HTTP requests as the reader saw them (times: `performance.now()` milliseconds). */
  fetchLog(): Array<{ path: string; range: [number, number] | null; issued: number; done: number; bytes: number }>
  close(): void
}

/**
 * Opens a table: an `http(s)://` URL of its directory, an `s3://` location (see
 * `OpenOptions.s3`), a local directory (Node), or any object with an async
 * `read(path, start?, end?)`.
 */
export declare function openTable(source: string | URL | TableReaderSource, options?: OpenOptions): Promise<Table>

/** The filter text an expression object stands for. */
export declare function filterText(filter: Filter | undefined): string | undefined

/** Node only: a reader object over a local table directory (what `openTable(path)` uses). */
export declare function fileReader(root: string): TableReaderSource

/** Node only: `fetch` run in a worker thread (the default transport of `openTable(url)`). */
export declare function workerFetch(request: Request): Promise<Response>
