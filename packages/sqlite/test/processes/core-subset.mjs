// What the store's sources need of the core at run time in the child processes: its error classes, and
// the commit plan and page limit shared by every store (both plain TypeScript, runnable with Node's type stripping).
export * from '../../../core/src/errors.ts'
export * from '../../../core/src/store/commit-plan.ts'
export * from '../../../core/src/store/page-limit.ts'
