// Module hooks for the child processes of processes.test.ts, which run the store's TypeScript sources
// with Node's own type stripping (no build, no bundler). The sources import './x.js', the names of the
// build: resolve them to './x.ts'. Of the core, the store needs only its error classes and the commit
// plan at run time: resolve the package to a module of just those (./core-subset.mjs).
const coreSubset = new URL('./core-subset.mjs', import.meta.url).href

export async function resolve(specifier, context, nextResolve) {
  if (specifier === '@ocpi-credentials/core') return { url: coreSubset, shortCircuit: true }
  if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
    return nextResolve(specifier.replace(/\.js$/, '.ts'), context)
  }
  return nextResolve(specifier, context)
}
