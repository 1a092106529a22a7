/**
 * The Hono binding of `@ocpi-credentials`: the core's OCPI routes as a sub-app, an auth middleware for
 * the host's own modules with a typed `Env`, and the admin API. No protocol logic lives here: every
 * request is handed to the core as the web `Request` Hono already holds.
 *
 * @packageDocumentation
 */

export { ocpiAdmin } from './admin.js'
export { ocpiAuth } from './auth.js'
export type { OcpiEnv } from './env.js'
export { ocpiRoutes } from './routes.js'
