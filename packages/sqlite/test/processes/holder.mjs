// Another process in the middle of a write, for processes.test.ts: takes the write lock of the database
// file, says "holding", and lets it go (committing nothing) `holdMs` after the go file appears.
import { existsSync } from 'node:fs'
import { DatabaseSync } from 'node:sqlite'

const [path, go, holdMs] = process.argv.slice(2)
const db = new DatabaseSync(path)
db.exec('BEGIN IMMEDIATE')
process.stdout.write('holding\n')
const pause = new Int32Array(new SharedArrayBuffer(4))
while (!existsSync(go)) Atomics.wait(pause, 0, 0, 1)
Atomics.wait(pause, 0, 0, Number(holdMs))
db.exec('ROLLBACK')
db.close()
