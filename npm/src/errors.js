// The package's errors: `Error`s named `StrataError` with a stable `code`.

/** A `StrataError` with `code` and `message` (and the `cause`, where one is known). */
export function strataError (code, message, cause = undefined) {
  const e = new Error(message, cause === undefined ? undefined : { cause })
  e.name = 'StrataError'
  e.code = code
  return e
}
