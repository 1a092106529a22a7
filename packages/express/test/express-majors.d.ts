// The two Express majors the binding is tested against, installed under aliases (`npm:express@^4`,
// `npm:express@^5`). Both are typed with the one `@types/express` the package builds with.
declare module 'express4' {
  import express = require('express')
  export = express
}
declare module 'express5' {
  import express = require('express')
  export = express
}
