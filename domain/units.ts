/**
 * Owner units and what an editor may target (issue 11). Pure: no I/O, no clocks.
 *
 * Every channel belongs to a unit: an account to its `ownerUnit`; a portal column to the unit
 * listing it or its nearest listed ancestor in units.yaml (else 区政府办公室, who maintains the
 * rest of the portal); a media-center column to the unit with `mediaCenter: true`. An editor with
 * a unit targets only that unit's channels; everyone else targets every channel.
 */
import { COMMANDS, type CommandName } from './commands.js';
import type { Role } from './package-rules.js';
import { listChannels, type Channel, type Registry, type Unit } from './registry.js';

/** The unit that maintains every portal column no other unit lists. */
export const PORTAL_DEFAULT_UNIT_NAME = '区政府办公室';

export type Scope = 'unit' | 'all';

export function unitById(registry: Registry, id: string): Unit | undefined {
  return registry.units.find((u) => u.id === id);
}

export function unitByName(registry: Registry, name: string): Unit | undefined {
  return registry.units.find((u) => u.name === name);
}

/** A unit given by its id (zfb) or its full name (区政府办公室), as people type either. */
export function unitByIdOrName(registry: Registry, value: string): Unit | undefined {
  return unitById(registry, value) ?? unitByName(registry, value.trim());
}

/**
 * The units someone typing `value` probably meant ("区政府办" → zfb 区政府办公室; "JYJ" → jyj), at
 * most three, written "zfb（区政府办公室）": for the sentence that refuses an unknown unit.
 */
export function unitSuggestions(registry: Registry, value: string): string[] {
  const typed = value.trim().toLowerCase();
  const core = (name: string) => name.replace(/^区/, '');
  if (!typed) return [];
  return registry.units
    .filter((u) => {
      const name = core(u.name);
      const typedCore = core(typed);
      return u.id === typed || (typedCore.length >= 2 && (name.includes(typedCore) || typedCore.includes(name)));
    })
    .slice(0, 3)
    .map((u) => `${u.id}（${u.name}）`);
}

/** An editor with a unit works within it; reviewers, operations, admins and editors without a unit see everything. */
export function scopeOf(user: { role: Role; unit: string | null }): Scope {
  return user.role === 'editor' && user.unit ? 'unit' : 'all';
}

const maintainerCache = new WeakMap<Registry, Map<string, Unit>>();

/** Each portal column id → the unit maintaining it (nearest listed ancestor-or-self, else the default unit). */
export function portalMaintainers(registry: Registry): Map<string, Unit> {
  const cached = maintainerCache.get(registry);
  if (cached) return cached;
  const listed = new Map<string, Unit>();
  for (const unit of registry.units) for (const column of unit.portalColumns) listed.set(column, unit);
  const fallback = unitByName(registry, PORTAL_DEFAULT_UNIT_NAME);
  const parents = new Map(registry.portal.columns.map((c) => [c.id, c.parentId]));
  const out = new Map<string, Unit>();
  for (const column of registry.portal.columns) {
    let at: string | null | undefined = column.id;
    let unit: Unit | undefined;
    while (at && !unit) {
      unit = listed.get(at);
      at = parents.get(at);
    }
    unit ??= fallback;
    if (unit) out.set(column.id, unit);
  }
  maintainerCache.set(registry, out);
  return out;
}

/** The unit a channel belongs to (see the module comment), or undefined when the registry names none. */
export function channelUnit(registry: Registry, channel: Channel): Unit | undefined {
  if (channel.kind === 'portal_column') return portalMaintainers(registry).get(channel.ref);
  if (channel.kind === 'media_center_column') return registry.units.find((u) => u.mediaCenter);
  return channel.ownerUnit ? unitByName(registry, channel.ownerUnit) : undefined;
}

/** The unit's name for any channel: accounts keep the name they are filed under even without a listed unit. */
export function channelOwnerUnit(registry: Registry, channel: Channel): string | null {
  return channelUnit(registry, channel)?.name ?? channel.ownerUnit ?? null;
}

/** Every channel with its owner unit's name. */
export function channelsWithOwners(registry: Registry): (Omit<Channel, 'ownerUnit'> & { ownerUnit: string | null })[] {
  return listChannels(registry).map((c) => ({ ...c, ownerUnit: channelOwnerUnit(registry, c) }));
}

/** Channel ids a user may target: all of them for scope `all`, else those of their unit. */
export function targetableChannelIds(registry: Registry, user: { role: Role; unit: string | null }): Set<string> | 'all' {
  if (scopeOf(user) === 'all') return 'all';
  return new Set(
    listChannels(registry)
      .filter((c) => channelUnit(registry, c)?.id === user.unit)
      .map((c) => c.id),
  );
}

/** The targets (with their index in the list) outside the user's scope; empty when all are allowed. */
export function targetsOutOfScope(
  registry: Registry,
  user: { role: Role; unit: string | null },
  targets: readonly string[],
): { index: number; channelId: string }[] {
  const allowed = targetableChannelIds(registry, user);
  if (allowed === 'all') return [];
  return targets.flatMap((channelId, index) => (allowed.has(channelId) ? [] : [{ index, channelId }]));
}

/** How many channels each unit owns, in units.yaml order. */
export function unitChannelCounts(registry: Registry): { id: string; name: string; channelCount: number }[] {
  const counts = new Map<string, number>();
  for (const channel of listChannels(registry)) {
    const unit = channelUnit(registry, channel);
    if (unit) counts.set(unit.id, (counts.get(unit.id) ?? 0) + 1);
  }
  return registry.units.map((u) => ({ id: u.id, name: u.name, channelCount: counts.get(u.id) ?? 0 }));
}

export interface Permissions {
  /** Command names (domain/commands.ts) the role may give. */
  commands: CommandName[];
  /** Review stage ids the user may decide at. */
  stages: string[];
  scope: Scope;
}

/** What a user may do, for the console to offer only that. */
export function permissionsOf(user: { role: Role; stages: readonly string[]; unit: string | null }): Permissions {
  const commands = (Object.keys(COMMANDS) as CommandName[]).filter((name) => (COMMANDS[name].roles as readonly Role[]).includes(user.role));
  const decides = commands.includes('decide');
  return { commands, stages: decides ? [...user.stages] : [], scope: scopeOf(user) };
}
