// `node --import ./register.mjs child.ts`: installs hooks.mjs before the child's first import.
import { register } from 'node:module'

register('./hooks.mjs', import.meta.url)
