import type { Context } from '../context.js'
import type { ExpectedParty, Link, Party, PartyRef } from '../model.js'
import { hubAsParty, partyKey, samePartyRef } from '../model.js'
import type { SupportedVersion } from '../protocol/versions.js'

/**
 * Decides whether a peer may add parties it did not present at registration. Receives the locked
 * parties, the additions, and whether the peer is a hub (as registered: a `hub_party_id` or a `HUB`
 * party on the link; a PUT cannot make a peer a hub).
 *
 * @example
 * ```ts
 * const policy: PartyAdditionPolicy = ({ isHub }) => isHub
 * ```
 */
export type PartyAdditionPolicy = (args: {
  readonly locked: readonly Party[]
  readonly added: readonly Party[]
  readonly isHub: boolean
}) => boolean

/**
 * The default addition policy: hubs (a link with `hub_party_id`, or a `HUB` party) may add parties, since
 * they list the parties they reach; anyone else may not.
 *
 * @example
 * ```ts
 * defaultPartyAdditionPolicy({ locked, added, isHub: false }) // false
 * ```
 */
export const defaultPartyAdditionPolicy: PartyAdditionPolicy = ({ isHub }) => isHub

/**
 * Decides whether a peer may stop presenting parties it was locked with. Receives the locked parties, the
 * ones no longer presented, and whether the peer is a hub (as registered). A hub's own identity (its
 * `hub_party_id`, or its `HUB` party) can never be removed, whatever the policy says.
 *
 * @example
 * ```ts
 * const policy: PartyRemovalPolicy = ({ isHub }) => isHub
 * ```
 */
export type PartyRemovalPolicy = (args: {
  readonly locked: readonly Party[]
  readonly removed: readonly Party[]
  readonly isHub: boolean
}) => boolean

/**
 * The default removal policy: hubs may drop parties (a 2.3.0 hub lists every party it reaches, and a
 * customer that leaves leaves its list); anyone else may not, so that a verified identity stays whole.
 *
 * @example
 * ```ts
 * defaultPartyRemovalPolicy({ locked, removed, isHub: true }) // true
 * ```
 */
export const defaultPartyRemovalPolicy: PartyRemovalPolicy = ({ isHub }) => isHub

/**
 * The outcome of {@link applyIdentityLock}: the parties to keep (and what was added and removed, and which
 * locked parties without a role got theirs), or why the presentation is refused.
 *
 * @example
 * ```ts
 * const decision: IdentityDecision = applyIdentityLock({ locked, presented, expected: null, isHub, policy })
 * const parties = decision.ok ? decision.parties : locked
 * ```
 */
export type IdentityDecision =
  | {
      readonly ok: true
      readonly parties: readonly Party[]
      readonly added: readonly Party[]
      readonly removed: readonly Party[]
      /**
       * Locked parties without a role (a link that began on 2.1.1) whose role this presentation filled in
       * (a move to 2.2+), as kept: with their role.
       */
      readonly rolesFilledIn: readonly Party[]
    }
  | { readonly ok: false; readonly message: string }

/**
 * The party-identity lock, applied to the parties a registered peer presents in a PUT. Pure.
 * - a locked (country_code, party_id) still presented (compared case-insensitively) must keep its role (a
 *   2.1.1 presentation, which has no role, keeps the locked role); a locked party without a role (a 2.1.1
 *   link) gets its role filled in (`rolesFilledIn`), which must agree with the invitation's expected
 *   parties when they name a role;
 * - locked parties no longer presented (or presented in another role) are removals, allowed only by the
 *   removal policy (none without one), and never for a party in `kept`;
 * - parties not locked are additions, allowed only by the policy, and never a `HUB` party on a link that
 *   is no hub (a PUT cannot make a peer a hub).
 * The identity as locked is kept (spelling included); business details may change.
 *
 * @example
 * ```ts
 * const decision = applyIdentityLock({ locked, presented, expected: null, isHub: false, policy: defaultPartyAdditionPolicy })
 * if (!decision.ok) throw new OcpiError('ERR_OCPI_INVALID_INPUT', decision.message)
 * ```
 */
export function applyIdentityLock(args: {
  locked: readonly Party[]
  presented: readonly Party[]
  expected: readonly ExpectedParty[] | null
  isHub: boolean
  policy: PartyAdditionPolicy
  /** Whether locked parties may be dropped; absent: never. */
  removalPolicy?: PartyRemovalPolicy
  /** Locked parties that may never be dropped (a hub's own identity). */
  kept?: readonly Party[]
}): IdentityDecision {
  const kept: Party[] = []
  const removed: Party[] = []
  const rolesFilledIn: Party[] = []
  const used = new Set<Party>()
  // Indexed, and each list read from a cursor that only moves forward: a peer may present 10,000
  // parties (or one party in 10,000 roles), and a quadratic match would hold the event loop for seconds.
  const presented = new PresentedParties(args.presented, used)
  for (const lockedParty of args.locked) {
    // The first unused presented party with the same ids and, when the lock names a role, that role (or
    // none: a 2.1.1 presentation), in presentation order.
    const match =
      lockedParty.role === null
        ? presented.first(partyKey(lockedParty))
        : presented.earliest(`${partyKey(lockedParty)} ${lockedParty.role}`, `${partyKey(lockedParty)} `)
    if (match === undefined) {
      removed.push(lockedParty)
      continue
    }
    used.add(match)
    let role = lockedParty.role
    if (role === null && match.role === 'HUB' && !args.isHub) {
      // A link locked without roles (2.1.1, which has no hubs) cannot make itself a hub this way.
      return {
        ok: false,
        message: `party ${lockedParty.country_code}/${lockedParty.party_id} registered as no hub and cannot become one`,
      }
    }
    if (role === null && match.role !== null) {
      const expectation = args.expected?.find((e) => samePartyRef(e, lockedParty) && e.role !== undefined)
      if (expectation !== undefined && expectation.role !== match.role) {
        return {
          ok: false,
          message: `party ${lockedParty.country_code}/${lockedParty.party_id} was invited as ${expectation.role}`,
        }
      }
      role = match.role
    }
    const keep: Party = {
      role,
      country_code: lockedParty.country_code,
      party_id: lockedParty.party_id,
      business_details: match.business_details,
    }
    kept.push(keep)
    if (lockedParty.role === null && role !== null) rolesFilledIn.push(keep)
  }
  const named = (parties: readonly Party[]) =>
    parties.map((p) => `${p.country_code}/${p.party_id}${p.role ? ` (${p.role})` : ''}`).join(', ')
  const protectedOnes = removed.filter((p) => args.kept?.includes(p))
  if (protectedOnes.length > 0) {
    return { ok: false, message: `party ${named(protectedOnes)} is the hub itself: it may not be removed` }
  }
  if (
    removed.length > 0 &&
    (args.removalPolicy === undefined ||
      !args.removalPolicy({ locked: args.locked, removed, isHub: args.isHub }))
  ) {
    return {
      ok: false,
      message: `party ${named(removed)} is locked: it may not be removed or changed`,
    }
  }
  const added = args.presented.filter((p) => !used.has(p))
  if (!args.isHub && added.some((p) => p.role === 'HUB')) {
    // Whatever the addition policy allows: a PUT cannot make a peer a hub.
    return { ok: false, message: 'a HUB party may not be added: this peer registered as no hub' }
  }
  if (added.length > 0 && !args.policy({ locked: args.locked, added, isHub: args.isHub })) {
    return {
      ok: false,
      message: `parties may not be added after registration: ${added.map((p) => `${p.country_code}/${p.party_id}`).join(', ')}`,
    }
  }
  if (kept.length + added.length === 0) {
    return { ok: false, message: 'a peer must keep at least one party' }
  }
  return { ok: true, parties: [...kept, ...added], added, removed, rolesFilledIn }
}

/**
 * The whole identity lock of a registered link against a PUT's presentation (internal: the PUT we receive
 * and the answer to ours both use it). First the hub identity, then the parties ({@link applyIdentityLock}):
 * - whether the peer is a hub is decided by the link as locked, never by the presentation: a peer that
 *   registered as no hub cannot become one (and add parties) by sending a `hub_party_id`;
 * - a `hub_party_id` must name the hub the link is locked to: its `hub_party_id`, or on a link locked on
 *   2.2.1 its `HUB` party. Absent, the locked one is kept;
 * - a 2.3.0 presentation cannot carry a `HUB` role: there a locked `HUB` party that is the link's hub
 *   counts as presented (a 2.2.1 hub moving to 2.3.0 states it as `hub_party_id`, or not at all);
 * - a `HUB` party presented by a hub must be the hub the link is locked to (a 2.3.0 hub moving to 2.2.1
 *   reports itself as that `HUB` party), and the hub's own `HUB` party can never be removed;
 * - a 2.2.1 hub reports only itself: the locked parties it does not list count as presented (they are
 *   neither removed nor announced gone).
 *
 * @example
 * ```ts
 * const decision = lockLinkIdentity({ link: peer.link, presented: credentials, version: '2.3.0', expected: null, policy })
 * ```
 */
export function lockLinkIdentity(args: {
  link: Pick<Link, 'parties' | 'hubPartyId'>
  presented: { readonly parties: readonly Party[]; readonly hubPartyId: string | null }
  /** The version the presentation was made in. */
  version: SupportedVersion
  expected: readonly ExpectedParty[] | null
  policy: PartyAdditionPolicy
  removalPolicy: PartyRemovalPolicy
}):
  | {
      readonly ok: true
      readonly parties: readonly Party[]
      readonly hubPartyId: string | null
      readonly added: readonly Party[]
      readonly removed: readonly Party[]
      readonly rolesFilledIn: readonly Party[]
    }
  | {
      readonly ok: false
      readonly message: string
    } {
  const { link, presented } = args
  const lockedHub = link.parties.find((p) => p.role === 'HUB')
  const lockedHubId =
    link.hubPartyId ?? (lockedHub === undefined ? null : `${lockedHub.country_code}${lockedHub.party_id}`)
  const isLockedHub = (p: PartyRef) => lockedHubId !== null && samePartyRef(p, hubAsParty(lockedHubId))
  let parties = presented.parties
  if (presented.hubPartyId !== null) {
    if (lockedHubId === null) {
      return { ok: false, message: 'hub_party_id: this peer registered as no hub and cannot become one' }
    }
    if (!isLockedHub(hubAsParty(presented.hubPartyId))) {
      return { ok: false, message: `hub_party_id is locked to ${lockedHubId}: it may not be changed` }
    }
  }
  const hubParty = lockedHub !== undefined && isLockedHub(lockedHub) ? lockedHub : undefined
  if (
    args.version === '2.3.0' &&
    hubParty !== undefined &&
    !parties.some((p) => p.role === 'HUB' && samePartyRef(p, hubParty))
  ) {
    parties = [...parties, hubParty]
  }
  if (lockedHubId !== null && parties.some((p) => p.role === 'HUB' && !isLockedHub(p))) {
    return { ok: false, message: `the HUB party is locked to ${lockedHubId}: it may not be changed` }
  }
  if (lockedHubId !== null && args.version !== '2.3.0') {
    // A 2.2.1 hub reports only itself (§2.8): the parties it listed on 2.3.0 are not gone for not being
    // listed here (they may well be reachable through it), so they count as presented and stay locked.
    const listed = new Set(parties.map(partyKey))
    parties = [...parties, ...link.parties.filter((p) => p.role !== 'HUB' && !listed.has(partyKey(p)))]
  }
  const decision = applyIdentityLock({
    locked: link.parties,
    presented: parties,
    expected: args.expected,
    isHub: lockedHubId !== null,
    policy: args.policy,
    removalPolicy: args.removalPolicy,
    kept: hubParty === undefined ? [] : [hubParty],
  })
  if (!decision.ok) return decision
  // Kept as locked; a 2.2.1 hub stating its HUB party as hub_party_id gets it recorded (as locked).
  return {
    ok: true,
    parties: decision.parties,
    hubPartyId: presented.hubPartyId === null ? link.hubPartyId : lockedHubId,
    added: decision.added,
    removed: decision.removed,
    rolesFilledIn: decision.rolesFilledIn,
  }
}

/**
 * Emits `parties-changed` (and logs it) when a committed lock decision added or removed parties, or filled
 * in their roles.
 */
export function emitPartyChanges(
  ctx: Context,
  peerId: string,
  change: {
    readonly added: readonly Party[]
    readonly removed: readonly Party[]
    readonly rolesFilledIn: readonly Party[]
  },
): void {
  const { added, removed, rolesFilledIn } = change
  if (added.length === 0 && removed.length === 0 && rolesFilledIn.length === 0) return
  ctx.events.emit('parties-changed', { peerId, added, removed, rolesFilledIn })
  const named = (parties: readonly Party[]) => parties.map((p) => `${p.country_code}/${p.party_id}`)
  ctx.log.info?.('the parties of a peer changed', {
    peerId,
    added: named(added),
    removed: named(removed),
    rolesFilledIn: named(rolesFilledIn),
  })
}

/** The presented parties, by ids and by ids and role, each list consumed from the front. */
class PresentedParties {
  readonly #lists = new Map<string, Party[]>()
  readonly #cursors = new Map<string, number>()
  readonly #order = new Map<Party, number>()
  readonly #used: ReadonlySet<Party>

  constructor(parties: readonly Party[], used: ReadonlySet<Party>) {
    this.#used = used
    parties.forEach((p, index) => {
      this.#order.set(p, index)
      const key = partyKey(p)
      this.#add(key, p)
      this.#add(`${key} ${p.role ?? ''}`, p)
    })
  }

  /** The first unused party of a list, or `undefined`. */
  first(list: string): Party | undefined {
    const parties = this.#lists.get(list)
    if (parties === undefined) return undefined
    let at = this.#cursors.get(list) ?? 0
    while (at < parties.length && this.#used.has(parties[at] as Party)) at++
    this.#cursors.set(list, at)
    return parties[at]
  }

  /** The first unused party of either list, whichever was presented earlier. */
  earliest(a: string, b: string): Party | undefined {
    const x = this.first(a)
    const y = this.first(b)
    if (x === undefined || y === undefined) return x ?? y
    return (this.#order.get(x) as number) <= (this.#order.get(y) as number) ? x : y
  }

  #add(list: string, party: Party): void {
    const parties = this.#lists.get(list)
    if (parties === undefined) this.#lists.set(list, [party])
    else parties.push(party)
  }
}
