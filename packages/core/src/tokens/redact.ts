/** The smallest piece of a token that counts as a leak. */
const WINDOW = 8

/**
 * Replaces every occurrence of a secret, and of any 8-character piece of it, with `[redacted]`: for
 * text a peer wrote (its `status_message`) before it reaches a host that may log it. Every character
 * covered by any such piece is hidden (overlapping pieces merge into one `[redacted]`), so no tail of a
 * secret survives next to a replaced piece. A secret shorter than 8 characters counts as one piece.
 *
 * @example
 * ```ts
 * redactSecrets('invalid token abcdefgh12345', ['abcdefgh12345']) // 'invalid token [redacted]'
 * ```
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  const hidden = new Uint8Array(text.length)
  let any = false
  for (const secret of secrets) {
    if (secret.length === 0) continue
    const width = Math.min(WINDOW, secret.length)
    for (let i = 0; i + width <= secret.length; i++) {
      const piece = secret.slice(i, i + width)
      for (let at = text.indexOf(piece); at !== -1; at = text.indexOf(piece, at + 1)) {
        hidden.fill(1, at, at + width)
        any = true
      }
    }
  }
  if (!any) return text
  let result = ''
  for (let i = 0; i < text.length; i++) {
    if (hidden[i] === 0) result += text[i]
    else if (i === 0 || hidden[i - 1] === 0) result += '[redacted]'
  }
  return result
}
