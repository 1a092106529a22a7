// A TypeDoc plugin for `pnpm docs:api` (loaded by typedoc.json).
//
// 1. The @example gate. TypeDoc has no option for a required block tag (`validation.notDocumented` only
//    asks for some comment), so once TypeDoc has converted a package, and while it validates it, this
//    walks the package's exports and reports every function, class, interface, type alias, variable,
//    enum or namespace whose comment (or, for a function, one of its signatures' comments) has no
//    `@example` block. Reports are validation warnings, so `treatWarningsAsErrors` fails the build on
//    them just as it does on TypeDoc's own `notDocumented` reports.
//
// 2. Per-package `intentionallyNotExported`. In `packages` mode every package gets the same
//    `packageOptions`, and TypeDoc reports an entry of that list as unused in each package that does not
//    reference it. Entries here are written `<package>/<path>:<name>`; before a package is validated the
//    list is narrowed to that package's own entries.

import { Application, Converter, ReflectionKind } from 'typedoc'

const CHECKED =
  ReflectionKind.Function |
  ReflectionKind.Class |
  ReflectionKind.Interface |
  ReflectionKind.TypeAlias |
  ReflectionKind.Variable |
  ReflectionKind.Enum |
  ReflectionKind.Namespace

/** The comments that may hold the example: the declaration's and those of its call signatures. */
function commentsOf(reflection) {
  const comments = [reflection.comment]
  const signatures = reflection.signatures ?? reflection.type?.declaration?.signatures ?? []
  for (const signature of signatures) comments.push(signature.comment)
  return comments.filter(Boolean)
}

/** The exported declarations of a project: its children, or its modules' children once merged. */
function* exportsOf(container) {
  for (const child of container.children ?? []) {
    if (child.kindOf(ReflectionKind.Module)) yield* exportsOf(child)
    else if (child.kindOf(CHECKED)) yield child
  }
}

/** @param {Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => {
    const own = `${context.project.packageName}/`
    const entries = app.options.getValue('intentionallyNotExported')
    app.options.setValue(
      'intentionallyNotExported',
      entries.filter((entry) => entry.startsWith(own)),
    )
  })

  const reported = new Set()
  app.on(Application.EVENT_VALIDATE_PROJECT, (project) => {
    if (!app.options.getValue('validation').notDocumented) return
    for (const reflection of exportsOf(project)) {
      if (commentsOf(reflection).some((comment) => comment.getTag('@example'))) continue
      const symbol = project.getSymbolIdFromReflection(reflection)
      const where = symbol ? `${symbol.packageName}/${symbol.packagePath}` : project.name
      const message = `${reflection.getFriendlyFullName()} (${ReflectionKind[reflection.kind]}), defined in ${where}, has no @example`
      if (reported.has(message)) continue
      reported.add(message)
      app.logger.validationWarning(message)
    }
  })
}
