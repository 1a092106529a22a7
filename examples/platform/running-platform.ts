// Test helper: starts the real platform process (built packages) on a free port and waits for its
// `ready <versions-url>` line; every process started is killed after each test.
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterEach } from 'vitest'

const server = fileURLToPath(new URL('./server.mjs', import.meta.url))
const running: ChildProcess[] = []
afterEach(() => {
  for (const child of running.splice(0)) child.kill('SIGKILL')
})

/** A started platform: its process, its versions URL, and what it has written so far. */
export interface RunningPlatform {
  readonly child: ChildProcess
  readonly versionsUrl: string
  stdout(): string
  stderr(): string
}

/** Starts the platform with `env` (on top of this process's), Node given `nodeArgs` first. */
export async function startPlatform(
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
): Promise<RunningPlatform> {
  const child = spawn(process.execPath, [...nodeArgs, server], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.push(child)
  let stdout = ''
  let stderr = ''
  child.stderr?.on('data', (d) => {
    stderr += d
  })
  const ready = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (d) => {
      stdout += d
      const line = stdout.split('\n').find((l) => l.startsWith('ready '))
      if (line) resolve(line.slice('ready '.length))
    })
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)))
  })
  return { child, versionsUrl: ready, stdout: () => stdout, stderr: () => stderr }
}
