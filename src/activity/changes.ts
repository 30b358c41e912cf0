// What a SCIM PATCH/PUT changed, as stored in Activity.changes (JSON) and shown to managers as
// lines such as "name.familyName: Smith → Smyth". The summary is bounded when it is built
// (src/scim/change-summary.ts), so a row never grows with the size of the request.

export interface AttributeChange {
  /** SCIM attribute path: `name.familyName`, `emails[type eq "work"].value`, `urn:…:User:department`. */
  path: string;
  /** Text of the value before / after, already truncated; absent when the attribute had none. */
  from?: string;
  to?: string;
  /** A credential: only the fact that it was set is kept, never a value. */
  secret?: true;
}

export interface MemberChanges {
  added: number;
  removed: number;
  /** The first few member ids named by the request (the console shows their names). */
  addedIds: string[];
  removedIds: string[];
  /** Every member removed (remove without a value, or replace with an empty list). */
  removedAll?: true;
  /** PUT or a `replace` of members: the new member count; the previous list is not read for this. */
  replacedWith?: number;
  /** Members removed by a value filter other than ids; how many matched is the database's answer. */
  removedByFilter?: true;
}

export interface ChangeSummary {
  attributes: AttributeChange[];
  /** Attribute changes left out past the bound. */
  more: number;
  members?: MemberChanges;
}

export const NO_VALUE = '(empty)';

function attributeLine(c: AttributeChange): string {
  if (c.secret) return `${c.path}: changed`;
  return `${c.path}: ${c.from ?? NO_VALUE} → ${c.to ?? NO_VALUE}`;
}

function nameList(ids: string[], total: number, names: (id: string) => string): string {
  const shown = ids.map(names).join(', ');
  return total > ids.length ? `${shown} and ${total - ids.length} more` : shown;
}

/** "members +3 −1 (added: alice, bob, carol; removed: dave)". `names` maps a member id to its
 * current name; ids it does not know are shown as they are. */
export function memberLine(m: MemberChanges, names: (id: string) => string = (id) => id): string {
  const parts: string[] = [];
  if (m.replacedWith !== undefined) parts.push(`set to ${m.replacedWith} member${m.replacedWith === 1 ? '' : 's'}`);
  if (m.removedAll) parts.push('all removed');
  const counts: string[] = [];
  if (m.added) counts.push(`+${m.added}`);
  if (m.removed) counts.push(`−${m.removed}`);
  if (m.removedByFilter) counts.push('− matching a filter');
  if (counts.length) parts.push(counts.join(' '));
  const who: string[] = [];
  if (m.addedIds.length) who.push(`added: ${nameList(m.addedIds, m.added, names)}`);
  if (m.removedIds.length) who.push(`removed: ${nameList(m.removedIds, m.removed, names)}`);
  return `members ${parts.join(', ')}${who.length ? ` (${who.join('; ')})` : ''}`;
}

/** One line per change, in the order they were recorded, the bound's remainder last. */
export function changeLines(s: ChangeSummary, names?: (id: string) => string): string[] {
  const lines = s.attributes.map(attributeLine);
  if (s.members) lines.push(memberLine(s.members, names));
  if (s.more > 0) lines.push(`and ${s.more} more`);
  // Entra re-sends values it already set; saying so beats an empty cell that looks like a gap.
  if (lines.length === 0) lines.push('nothing changed');
  return lines;
}

/** Activity.changes back into a summary; anything unreadable is treated as no summary. */
export function parseChanges(json: string | null | undefined): ChangeSummary | null {
  if (!json) return null;
  try {
    const v = JSON.parse(json) as ChangeSummary;
    return v && Array.isArray(v.attributes) ? v : null;
  } catch {
    return null;
  }
}
