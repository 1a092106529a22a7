// Node 22 prints "ExperimentalWarning: SQLite is an experimental feature …" once per process when
// node:sqlite loads (current Node 24 releases print nothing). Keep test output clean by dropping that one
// warning, and only it: every other warning, experimental or not, still goes through.
const emitWarning = process.emitWarning.bind(process)

process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const options = rest[0]
  const type =
    typeof warning !== 'string'
      ? warning.name
      : typeof options === 'string'
        ? options
        : (options as { type?: string } | undefined)?.type
  const message = typeof warning === 'string' ? warning : warning.message
  if (type === 'ExperimentalWarning' && message.startsWith('SQLite is an experimental feature')) return
  ;(emitWarning as (...args: unknown[]) => void)(warning, ...rest)
}) as typeof process.emitWarning
