/** The smallest piece of a token that counts as a leak. */
const WINDOW = 8

/**
 * Replaces every occurrence of a secret, and of any 8-character piece of it, with `[redacted]`: for
 * text a peer wrote (its `status_message`) before it reaches a host that may log it.
 *
 * @example
 * ```ts
 * redactSecrets('invalid token abcdefgh12345', ['abcdefgh12345']) // 'invalid token [redacted]'
 * ```
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = text
  for (const secret of secrets) {
    if (secret.length === 0) continue
    result = result.split(secret).join('[redacted]')
    for (let i = 0; i + WINDOW <= secret.length; i++) {
      const piece = secret.slice(i, i + WINDOW)
      if (result.includes(piece)) result = result.split(piece).join('[redacted]')
    }
  }
  return result
}
