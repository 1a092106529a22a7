// Process-wide capture for the suite's secret-hygiene check (Node only; not exported by the package):
// console output, writes to stdout and stderr, the output of child processes, unhandled rejections and
// uncaught exceptions as text; Authorization headers and bodies of `fetch` calls and the token fields of
// every JSON document parsed in the process as secrets. Installed once per process; each test file
// points it at its own sink with `setSink`.
import type * as childProcess from 'node:child_process'
import { createRequire, syncBuiltinESMExports } from 'node:module'
import type { Readable } from 'node:stream'
import { format } from 'node:util'
import { describeValue, secretsOfAuthorization, secretsOfJson, secretsOfJsonText } from './harvest.js'
import type { HygieneSink } from './instrument-ocpi.js'

interface ProcessCapture {
  sink: HygieneSink | null
  /** Output of child processes, per stream, added as one text each when the sink is flushed. */
  readonly streams: { source: string; text: string }[]
}

const KEY = Symbol.for('@ocpi-credentials/testing:secret-hygiene')

/** Handle on the process-wide capture. */
export interface ProcessCaptureHandle {
  /**
   * A sink that forwards to the current one (see `setSink`): what the SDK's instrumentation records
   * into, so that a test can point the whole capture elsewhere for a moment.
   */
  readonly sink: HygieneSink
  /** Where the capture reports from now on (`null`: nowhere); returns where it reported so far. */
  setSink(sink: HygieneSink | null): HygieneSink | null
  /** Adds the child-process output captured so far to the sink as whole texts, and forgets it. */
  flush(): void
}

type Fetch = typeof globalThis.fetch

function current(): ProcessCapture {
  return (globalThis as { [KEY]?: ProcessCapture })[KEY] as ProcessCapture
}

function chunkText(chunk: unknown): string {
  if (typeof chunk === 'string') return chunk
  if (chunk instanceof Uint8Array)
    return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8')
  return String(chunk)
}

function captureConsole(): void {
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir', 'table'] as const
  for (const method of methods) {
    const original = console[method] as (...args: unknown[]) => void
    console[method] = function captured(...args: unknown[]) {
      current().sink?.addText(format(...args), `console.${method}`)
      return original.apply(this, args)
    }
  }
}

function captureWrites(stream: NodeJS.WriteStream, source: string): void {
  const original = stream.write
  stream.write = function captured(this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
    current().sink?.addText(chunkText(chunk), source)
    return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest)
  } as typeof stream.write
}

/** Collects a child's stream as it is read, without changing how it is read (no listener added). */
function tapStream(stream: Readable | null | undefined, source: string): void {
  if (stream === null || stream === undefined) return
  const record = { source, text: '' }
  current().streams.push(record)
  const emit = stream.emit
  stream.emit = function tapped(this: Readable, event: string | symbol, ...args: unknown[]) {
    if (event === 'data') record.text += chunkText(args[0])
    return (emit as (event: string | symbol, ...args: unknown[]) => boolean).call(this, event, ...args)
  } as typeof stream.emit
}

function captureChildProcesses(): void {
  // The CommonJS view of the built-in is the one the ESM bindings are synchronised from.
  const cp = createRequire(import.meta.url)('node:child_process') as typeof childProcess
  const asyncSpawners = ['spawn', 'fork', 'exec', 'execFile'] as const
  for (const name of asyncSpawners) {
    const original = cp[name] as (...args: unknown[]) => childProcess.ChildProcess
    ;(cp as Record<string, unknown>)[name] = function captured(this: unknown, ...args: unknown[]) {
      const child = original.apply(this, args)
      const label = `${name} ${String(args[0]).slice(0, 80)}`
      tapStream(child.stdout, `stdout of ${label}`)
      tapStream(child.stderr, `stderr of ${label}`)
      return child
    }
  }
  const syncSpawners = ['spawnSync', 'execSync', 'execFileSync'] as const
  for (const name of syncSpawners) {
    const original = cp[name] as (...args: unknown[]) => unknown
    ;(cp as Record<string, unknown>)[name] = function captured(this: unknown, ...args: unknown[]) {
      const result = original.apply(this, args)
      const label = `${name} ${String(args[0]).slice(0, 80)}`
      const outputs =
        result !== null && typeof result === 'object' && 'output' in result
          ? ((result as { output: unknown[] }).output ?? [])
          : [result]
      for (const output of outputs) {
        if (output !== null && output !== undefined)
          current().sink?.addText(chunkText(output), `output of ${label}`)
      }
      return result
    }
  }
  syncBuiltinESMExports()
}

function captureFetch(): void {
  const previous = globalThis.fetch as Fetch | undefined
  if (typeof previous !== 'function') return
  globalThis.fetch = function captured(input: Parameters<Fetch>[0], init?: Parameters<Fetch>[1]) {
    const sink = current().sink
    if (sink !== null) {
      try {
        const headers = new Headers(input instanceof Request ? input.headers : undefined)
        if (init?.headers !== undefined)
          for (const [name, value] of new Headers(init.headers)) headers.set(name, value)
        for (const secret of secretsOfAuthorization(headers.get('authorization'))) {
          sink.addSecret(secret, 'Authorization header of a fetch call')
        }
        if (typeof init?.body === 'string') {
          for (const secret of secretsOfJsonText(init.body))
            sink.addSecret(secret, 'token field of a fetch body')
        }
      } catch {
        // Input fetch itself will refuse.
      }
    }
    return previous(input, init)
  } as Fetch
}

function captureJsonParse(): void {
  const original = JSON.parse
  JSON.parse = function parse(
    text: string,
    reviver?: (this: unknown, key: string, value: unknown) => unknown,
  ) {
    const value: unknown = Reflect.apply(original, JSON, [text, reviver])
    const sink = current().sink
    if (sink !== null && value !== null && typeof value === 'object') {
      for (const secret of secretsOfJson(value))
        sink.addSecret(secret, 'token field of a parsed JSON document')
    }
    return value
  } as typeof JSON.parse
}

function captureProcessErrors(): void {
  // No listener: vitest reports an unhandled rejection only when it is the one listener (another one
  // means "handled by user code"). Observing the emission leaves its listener alone.
  const emit = process.emit
  process.emit = function observed(this: NodeJS.Process, event: string | symbol, ...args: unknown[]) {
    if (event === 'unhandledRejection' || event === 'uncaughtExceptionMonitor') {
      current().sink?.addText(
        describeValue(args[0]),
        event === 'unhandledRejection' ? 'unhandled rejection' : 'uncaught exception',
      )
    }
    return (emit as (event: string | symbol, ...args: unknown[]) => boolean).call(this, event, ...args)
  } as typeof process.emit
}

/**
 * Installs the process-wide capture (once per process; later calls return the same handle).
 *
 * @returns The handle to point the capture at a sink and to flush child-process output.
 *
 * @example
 * ```ts
 * const capture = installProcessCapture()
 * capture.setSink(ledger)
 * // … run tests …
 * capture.flush()
 * ledger.assertNoLeaks()
 * ```
 */
export function installProcessCapture(): ProcessCaptureHandle {
  const holder = globalThis as { [KEY]?: ProcessCapture }
  if (holder[KEY] === undefined) {
    holder[KEY] = { sink: null, streams: [] }
    captureConsole()
    captureWrites(process.stdout, 'process.stdout')
    captureWrites(process.stderr, 'process.stderr')
    captureChildProcesses()
    captureFetch()
    captureJsonParse()
    captureProcessErrors()
  }
  return {
    sink: {
      addSecret: (secret, source) => current().sink?.addSecret(secret, source),
      addText: (text, source) => current().sink?.addText(text, source),
      addPublicId: (id) => current().sink?.addPublicId(id),
    },
    setSink(sink) {
      const previous = current().sink
      current().sink = sink
      return previous
    },
    flush() {
      const state = current()
      for (const stream of state.streams.splice(0)) state.sink?.addText(stream.text, stream.source)
    },
  }
}
