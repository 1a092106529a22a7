import { describe, expect, it } from 'vitest'
import { matchAdminRoute } from './routes.js'

describe('matchAdminRoute: routes by the tail of the path, under any mount prefix', () => {
  it.each([
    ['/invitations', { name: 'invitations' }],
    ['/admin/invitations', { name: 'invitations' }],
    ['/a/b/c/registrations/', { name: 'registrations' }],
    ['/admin/peers', { name: 'peers' }],
    ['/admin/peers/', { name: 'peers' }],
    ['/admin/peers/abc', { name: 'peer', peerId: 'abc' }],
    ['/admin/peers/abc/', { name: 'peer', peerId: 'abc' }],
    ['/admin/peers/a%2Fb%20c', { name: 'peer', peerId: 'a/b c' }],
    ['/admin/peers/abc/rotation', { name: 'rotation', peerId: 'abc' }],
    ['/admin/peers/abc/revocation', { name: 'revocation', peerId: 'abc' }],
    // Precedence: peer actions, then the fixed tails (so a mount path ending in `peers` works), then a peer.
    ['/peers/peers', { name: 'peers' }],
    ['/x/peers/invitations', { name: 'invitations' }],
    ['/x/peers/peers/abc', { name: 'peer', peerId: 'abc' }],
    ['/admin/peers/rotation/rotation', { name: 'rotation', peerId: 'rotation' }],
    ['/admin/peers/rotation', { name: 'peer', peerId: 'rotation' }],
  ])('%s', (path, route) => {
    expect(matchAdminRoute(path)).toEqual({ ok: true, route })
  })

  it.each([
    '',
    '/',
    '/admin',
    '/admin/peer/abc',
    '/admin/peers//rotation',
    '/admin/peers/abc/rotate',
    '/admin/peers/abc/rotation/x',
    '/admin/rotation',
    '/admin/invitations/x',
  ])('%s is no route', (path) => {
    expect(matchAdminRoute(path)).toEqual({ ok: false, reason: 'not-found' })
  })

  it('refuses a peer id that is not valid percent-encoding', () => {
    expect(matchAdminRoute('/admin/peers/%E0%A4%A/rotation')).toEqual({ ok: false, reason: 'bad-peer-id' })
  })
})

describe('matchAdminRoute under a base path: exactly one route after it', () => {
  it.each([
    ['/admin/invitations', '/admin', { name: 'invitations' }],
    ['/admin/invitations', '/admin/', { name: 'invitations' }],
    ['/invitations', '', { name: 'invitations' }],
    ['/acme/admin/peers', '/acme/admin', { name: 'peers' }],
    ['/admin/peers/peers', '/admin', { name: 'peer', peerId: 'peers' }],
    ['/admin/peers/invitations', '/admin', { name: 'peer', peerId: 'invitations' }],
    ['/admin/peers/a%2Fb/rotation', '/admin', { name: 'rotation', peerId: 'a/b' }],
  ])('%s under %s', (path, base, route) => {
    expect(matchAdminRoute(path, base)).toEqual({ ok: true, route })
  })

  it.each([
    ['/admin/x/invitations', '/admin'],
    ['/admin//invitations', '/admin'],
    ['/admin/peers/abc/x/rotation', '/admin'],
    ['/other/invitations', '/admin'],
    ['/administrator/invitations', '/admin'],
    ['/admin', '/admin'],
    ['/admin/', '/admin'],
    ['/admin/peers//rotation', '/admin'],
    ['/admin/invitations/x', '/admin'],
    // A trailing slash is another path: a host's guard on the one must not be walked around by the other.
    ['/admin/invitations/', '/admin'],
    ['/admin/peers/abc/revocation/', '/admin'],
  ])('%s under %s is no route', (path, base) => {
    expect(matchAdminRoute(path, base)).toEqual({ ok: false, reason: 'not-found' })
  })
})
