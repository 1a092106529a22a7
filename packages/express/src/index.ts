// @ocpi-credentials/express: the Express (4 and 5) binding. Everything here is documented with TSDoc and an
// example. No OCPI logic lives here: requests go to the core as web `Request`s, its `Response`s come back.

export { ocpiAdmin } from './admin.js'
export { ocpiAuth, ocpiPeerOf } from './auth.js'
export { type BridgeRequest, sendWebResponse, type ToWebRequestOptions, toWebRequest } from './bridge.js'
export { ocpiRouter } from './router.js'
