// Model-based property: random sequences of operations between two SDK platforms in one process (each
// one's fetch is the other's handle), checked against a model after every step.
//
// Operations: invite, register (with a live or a stale TOKEN_A), rotate from either side (optionally
// switching version), a client request from either side, unregister from either side, revoke (which tells
// the peer nothing: the model keeps the peer's side registered, one-sided), a failed registration with a
// token nobody issued, and garbage requests made with dead or unknown tokens. Re-registration after a
// revocation is the register operation used on the fresh TOKEN_A the revocation issued.
//
// Invariants after every step:
// - every peer record on both sides is in the state the model says, and no other record exists;
// - on every link registered on both sides, each side's outbound token (unsealed) is the other side's
//   current inbound token (by digest) and both sides speak the same version; a one-sided link's outbound
//   token is unknown to the other side;
// - at most one live TOKEN_A per invitation: exactly one while the peer is invited, none otherwise, and
//   it is the one the model holds;
// - a peer's locked identity (country_code/party_id) never changes once registered;
// - no registration or rotation is left half-done (no `registering` record, no pending token).
// Functionally, the client-request operation asserts a 200/1000 round trip exactly when both sides
// consider the link registered, and every sequence ends with one from each side of every such link.
//
// Reproduce a failure with the seed fast-check prints: FC_SEED=<seed> npx vitest run <this file>.
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createSealer, digestToken, type SealedToken, type SupportedVersion } from '../src/index.js'
import { SEALING_KEY } from './harness.js'
import { freshToken, VERSIONS } from './property-arbitraries.js'
import { type Platform, twoPlatforms } from './two-platforms.js'

const seed = Number(process.env['FC_SEED'] ?? 20_261_123)
const SEQUENCES = 200
const MAX_COMMANDS = 40
/** Peer records per side a sequence may create (invitations and registrations). */
const MAX_PEERS = 6

type Side = 'cpo' | 'emsp'
const other = (side: Side): Side => (side === 'cpo' ? 'emsp' : 'cpo')

/** What the model expects of one peer record. */
interface PeerModel {
  readonly side: Side
  readonly id: string
  readonly origin: 'invitation' | 'registration'
  state: 'invited' | 'registered' | 'unregistered'
  /** The other side's record of the same link, while this side considers the link registered. */
  partner: PeerModel | null
  /** The live TOKEN_A, while invited. */
  invitation: string | null
  version: SupportedVersion | null
}

interface IssuedInvitation {
  readonly peer: PeerModel
  readonly token: string
}

interface Model {
  readonly peers: PeerModel[]
  /** Every TOKEN_A ever issued, live or not (registering with a stale one must fail). */
  readonly invitations: IssuedInvitation[]
  /** Tokens each side issued and has killed since (ended or revoked links, consumed TOKEN_As). */
  readonly dead: Record<Side, string[]>
  /** Identity each record was first registered with. */
  readonly identities: Map<string, string>
}

type Real = Record<Side, Platform>

let sequences = 0
/** Operations run (each one is followed by the invariants' check). */
let steps = 0

const sealer = createSealer([{ kid: 'k', key: SEALING_KEY }])
const MODULE_OF: Record<Side, string> = { cpo: 'tokens', emsp: 'locations' }

const livePair = (p: PeerModel) =>
  p.state === 'registered' &&
  p.partner !== null &&
  p.partner.state === 'registered' &&
  p.partner.partner === p

async function outboundOf(real: Real, peer: PeerModel): Promise<string> {
  const record = real[peer.side].backing.peers.get(peer.id)
  if (record?.state !== 'registered') throw new Error(`${peer.side} peer ${peer.id} is not registered`)
  return sealer.unseal(record.link.outbound as SealedToken)
}

function serialize(real: Real): string {
  return JSON.stringify(
    (['cpo', 'emsp'] as const).map((side) => [
      [...real[side].backing.peers.entries()],
      [...real[side].backing.tokens.entries()],
    ]),
  )
}

const label = (p: PeerModel) => `${p.side}:${p.id.slice(0, 8)}`

async function expectInvariants(model: Model, real: Real) {
  steps++
  for (const side of ['cpo', 'emsp'] as const) {
    const { backing } = real[side]
    const known = model.peers.filter((p) => p.side === side)
    expect([...backing.peers.keys()].sort(), `${side}: no record the model does not know`).toEqual(
      known.map((p) => p.id).sort(),
    )
    for (const token of backing.tokens.values()) {
      expect(token.kind, `${side}: nothing left half-done`).not.toMatch(/^pending-/)
    }
    for (const record of backing.peers.values()) {
      expect(record.state, `${side}: nothing left half-done`).not.toBe('registering')
    }
  }
  for (const peer of model.peers) {
    const record = real[peer.side].backing.peers.get(peer.id)
    expect(record?.state, `${label(peer)} state`).toBe(peer.state)
    if (record === undefined) continue
    // At most one live TOKEN_A per invitation, the model's, and only while invited.
    const now = Date.now()
    const liveInvitations = [...real[peer.side].backing.tokens.values()].filter(
      (t) => t.peerId === peer.id && t.kind === 'invitation' && (t.expiresAt ?? 0) > now,
    )
    expect(
      liveInvitations.map((t) => t.digest),
      `${label(peer)} live TOKEN_A`,
    ).toEqual(peer.invitation === null ? [] : [digestToken(peer.invitation)])
    // The identity is locked once registered.
    const link = record.state === 'registered' || record.state === 'unregistered' ? record.link : null
    if (link !== null) {
      const identity = link.parties
        .map((p) => `${p.country_code.toUpperCase()}*${p.party_id.toUpperCase()}`)
        .sort()
        .join(',')
      expect(identity, `${label(peer)} identity`).toBe(peer.side === 'cpo' ? 'DE*MSP' : 'NL*CPO')
      const first = model.identities.get(peer.id) ?? identity
      model.identities.set(peer.id, first)
      expect(identity, `${label(peer)} identity changed`).toBe(first)
    }
    if (record.state !== 'registered') continue
    expect(record.link.version, `${label(peer)} version`).toBe(peer.version)
    // Each side's outbound token is the other side's current inbound token (one-sided: unknown there).
    const outbound = digestToken(await outboundOf(real, peer))
    const there = real[other(peer.side)].backing.tokens.get(outbound)
    if (livePair(peer)) {
      expect(there?.kind, `${label(peer)} outbound is the peer's current token`).toBe('current')
      expect(there?.peerId, `${label(peer)} outbound belongs to the partner`).toBe(peer.partner?.id)
    } else {
      expect(there, `${label(peer)} one-sided: outbound is dead on the other side`).toBeUndefined()
    }
  }
}

const pick = <T>(items: readonly T[], index: number): T | undefined =>
  items.length === 0 ? undefined : items[index % items.length]

/** Asserts that a promise rejects with an OcpiError (optionally of a given code); returns the error. */
async function expectRejection(promise: Promise<unknown>, code?: string) {
  const error = await promise.then(
    () => {
      throw new Error(`expected a rejection${code === undefined ? '' : ` with ${code}`}`)
    },
    (e: unknown) => e as { name?: string; code?: string },
  )
  expect(error.name).toBe('OcpiError')
  if (code !== undefined) expect(error.code).toBe(code)
  return error
}

type Command = fc.AsyncCommand<Model, Real>

class Invite implements Command {
  constructor(readonly side: Side) {}
  check = (m: Readonly<Model>) => m.peers.filter((p) => p.side === this.side).length < MAX_PEERS
  async run(m: Model, r: Real) {
    const invitation = await r[this.side].ocpi.invite()
    const peer: PeerModel = {
      side: this.side,
      id: invitation.peerId,
      origin: 'invitation',
      state: 'invited',
      partner: null,
      invitation: invitation.token,
      version: null,
    }
    m.peers.push(peer)
    m.invitations.push({ peer, token: invitation.token })
    await expectInvariants(m, r)
  }
  toString = () => `invite(${this.side})`
}

class Register implements Command {
  constructor(
    readonly index: number,
    readonly preferLive: boolean,
  ) {}
  chosen(m: Readonly<Model>): IssuedInvitation | undefined {
    const live = m.invitations.filter((i) => i.peer.invitation === i.token)
    return pick(this.preferLive && live.length > 0 ? live : m.invitations, this.index)
  }
  check = (m: Readonly<Model>) => {
    const chosen = this.chosen(m)
    return (
      chosen !== undefined && m.peers.filter((p) => p.side === other(chosen.peer.side)).length < MAX_PEERS
    )
  }
  async run(m: Model, r: Real) {
    const chosen = this.chosen(m) as IssuedInvitation
    const inviter = chosen.peer
    const registrar = other(inviter.side)
    const attempt = r[registrar].ocpi.register({
      versionsUrl: r[inviter.side].ocpi.versionsUrl,
      token: chosen.token,
    })
    if (inviter.invitation !== chosen.token) {
      // Consumed, or replaced by a revocation: refused at discovery, nothing is created.
      await expectRejection(attempt)
      await expectInvariants(m, r)
      return
    }
    const peer = await attempt
    expect(peer.state).toBe('registered')
    const registered: PeerModel = {
      side: registrar,
      id: peer.id,
      origin: 'registration',
      state: 'registered',
      partner: inviter,
      invitation: null,
      version: peer.version,
    }
    m.peers.push(registered)
    inviter.state = 'registered'
    inviter.partner = registered
    inviter.invitation = null
    inviter.version = peer.version
    m.dead[inviter.side].push(chosen.token)
    await expectInvariants(m, r)
  }
  toString = () => `register(invitation #${this.index}${this.preferLive ? ', live' : ''})`
}

class Rotate implements Command {
  constructor(
    readonly index: number,
    readonly version: SupportedVersion | null,
  ) {}
  check = (m: Readonly<Model>) => m.peers.length > 0
  async run(m: Model, r: Real) {
    const peer = pick(m.peers, this.index) as PeerModel
    const rotation = r[peer.side].ocpi.rotate(peer.id, this.version === null ? {} : { version: this.version })
    if (peer.state !== 'registered') await expectRejection(rotation, 'ERR_OCPI_WRONG_STATE')
    else if (!livePair(peer)) await expectRejection(rotation)
    else {
      const rotated = await rotation
      expect(rotated.version).toBe(this.version ?? peer.version)
      peer.version = rotated.version
      if (peer.partner !== null) peer.partner.version = rotated.version
    }
    await expectInvariants(m, r)
  }
  toString = () => `rotate(peer #${this.index}${this.version === null ? '' : `, ${this.version}`})`
}

class ClientRequest implements Command {
  constructor(readonly index: number) {}
  check = (m: Readonly<Model>) => m.peers.length > 0
  async run(m: Model, r: Real) {
    const peer = pick(m.peers, this.index) as PeerModel
    const request = r[peer.side].ocpi.client(peer.id).request(MODULE_OF[peer.side], 'SENDER')
    if (peer.state !== 'registered') await expectRejection(request, 'ERR_OCPI_WRONG_STATE')
    else {
      const response = await request
      if (livePair(peer)) expect([response.status, response.statusCode]).toEqual([200, 1000])
      else expect(response.status).toBe(401)
    }
    await expectInvariants(m, r)
  }
  toString = () => `client request(peer #${this.index})`
}

class Unregister implements Command {
  constructor(readonly index: number) {}
  check = (m: Readonly<Model>) => m.peers.length > 0
  async run(m: Model, r: Real) {
    const peer = pick(m.peers, this.index) as PeerModel
    if (peer.state !== 'registered') {
      await expectRejection(r[peer.side].ocpi.unregister(peer.id), 'ERR_OCPI_WRONG_STATE')
      await expectInvariants(m, r)
      return
    }
    const live = livePair(peer)
    const partner = peer.partner
    // The tokens this link dies with: each side's outbound is the token the other side issued.
    const issuedByPartner = await outboundOf(r, peer)
    const issuedByUs = live && partner !== null ? await outboundOf(r, partner) : null
    const { remote, peer: ended } = await r[peer.side].ocpi.unregister(peer.id)
    expect(ended.state).toBe('unregistered')
    expect(remote).toBe(live ? 'confirmed' : 'not-registered')
    peer.state = 'unregistered'
    peer.partner = null
    if (issuedByUs !== null) m.dead[peer.side].push(issuedByUs)
    if (live && partner !== null) {
      partner.state = 'unregistered'
      partner.partner = null
      m.dead[partner.side].push(issuedByPartner)
    }
    await expectInvariants(m, r)
  }
  toString = () => `unregister(peer #${this.index})`
}

class Revoke implements Command {
  constructor(readonly index: number) {}
  check = (m: Readonly<Model>) => m.peers.length > 0
  async run(m: Model, r: Real) {
    const peer = pick(m.peers, this.index) as PeerModel
    const issuedByUs =
      peer.partner?.state === 'registered' && peer.partner.partner === peer
        ? await outboundOf(r, peer.partner)
        : null
    const { peer: after, invitation } = await r[peer.side].ocpi.revoke(peer.id)
    if (issuedByUs !== null) m.dead[peer.side].push(issuedByUs)
    if (peer.invitation !== null) m.dead[peer.side].push(peer.invitation)
    // Nothing is sent: the partner still considers the link registered (one-sided from now on).
    peer.partner = null
    if (peer.origin === 'invitation') {
      expect(after.state).toBe('invited')
      expect(invitation).not.toBeNull()
      peer.state = 'invited'
      peer.invitation = invitation?.token ?? null
      m.invitations.push({ peer, token: invitation?.token ?? '' })
    } else {
      expect(after.state).toBe('unregistered')
      expect(invitation).toBeNull()
      peer.state = 'unregistered'
      peer.invitation = null
    }
    await expectInvariants(m, r)
  }
  toString = () => `revoke(peer #${this.index})`
}

class FailedRegistration implements Command {
  constructor(
    readonly side: Side,
    readonly token: string,
  ) {}
  check = () => true
  async run(m: Model, r: Real) {
    const before = serialize(r)
    await expectRejection(
      r[this.side].ocpi.register({ versionsUrl: r[other(this.side)].ocpi.versionsUrl, token: this.token }),
    )
    expect(serialize(r), 'a failed registration changes nothing').toBe(before)
    await expectInvariants(m, r)
  }
  toString = () => `register(${this.side}, a token nobody issued)`
}

class Garbage implements Command {
  constructor(
    readonly side: Side,
    readonly index: number,
    readonly fresh: string,
    readonly method: string,
    readonly path: string,
    readonly body: string | undefined,
  ) {}
  check = () => true
  async run(m: Model, r: Real) {
    const token = pick(m.dead[this.side], this.index) ?? this.fresh
    const before = serialize(r)
    const noBody = this.method === 'GET'
    const response = await r[this.side].ocpi.handle(
      new Request(`${r[this.side].base}${this.path}`, {
        method: this.method,
        headers: { authorization: `Token ${token}`, 'content-type': 'application/json' },
        ...(noBody || this.body === undefined ? {} : { body: this.body }),
      }),
    )
    const body = (await response.json()) as { status_code: number }
    expect(body.status_code, `${this} answered`).not.toBe(1000)
    expect(response.status).not.toBe(500)
    expect(serialize(r), 'a refused request changes nothing').toBe(before)
    await expectInvariants(m, r)
  }
  toString = () => `garbage(${this.side}, ${this.method} ${this.path}, dead token #${this.index})`
}

const sideArb = fc.constantFrom<Side>('cpo', 'emsp')
const commandArbs: fc.Arbitrary<Command>[] = [
  sideArb.map((side) => new Invite(side)),
  sideArb.map((side) => new Invite(side)),
  fc.tuple(fc.nat(), fc.boolean()).map(([i, live]) => new Register(i, live)),
  fc.nat().map((i) => new Register(i, true)),
  fc.nat().map((i) => new Register(i, true)),
  fc
    .tuple(fc.nat(), fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, fc.constantFrom(...VERSIONS)))
    .map(([i, version]) => new Rotate(i, version)),
  fc.nat().map((i) => new ClientRequest(i)),
  fc.nat().map((i) => new Unregister(i)),
  fc.nat().map((i) => new Revoke(i)),
  fc.tuple(sideArb, freshToken).map(([side, token]) => new FailedRegistration(side, token)),
  fc
    .record({
      side: sideArb,
      index: fc.nat(),
      fresh: freshToken,
      method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
      path: fc.constantFrom(
        '/ocpi/versions',
        '/ocpi/2.3.0',
        ...VERSIONS.map((v) => `/ocpi/${v}/credentials`),
      ),
      body: fc.option(
        fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
        { nil: undefined },
      ),
    })
    .map((g) => new Garbage(g.side, g.index, g.fresh, g.method, g.path, g.body)),
]

describe('two SDK platforms under random sequences of operations', () => {
  it(`${SEQUENCES} sequences of up to ${MAX_COMMANDS} operations keep both sides consistent`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.commands(commandArbs, { maxCommands: MAX_COMMANDS, size: 'max' }),
        async (commands) => {
          sequences++
          const real = twoPlatforms()
          const model: Model = {
            peers: [],
            invitations: [],
            dead: { cpo: [], emsp: [] },
            identities: new Map(),
          }
          await fc.asyncModelRun(() => ({ model, real }), commands)
          // Functionally: every link both sides consider registered carries requests both ways.
          for (const peer of model.peers.filter(livePair)) {
            const response = await real[peer.side].ocpi
              .client(peer.id)
              .request(MODULE_OF[peer.side], 'SENDER')
            expect([response.status, response.statusCode]).toEqual([200, 1000])
          }
        },
      ),
      { seed, numRuns: SEQUENCES },
    )
    expect(sequences).toBeGreaterThanOrEqual(SEQUENCES)
    expect(steps).toBeGreaterThan(SEQUENCES * 10)
  }, 120_000)
})
