// Group membership as it crosses the layers, typed once: the PATCH engine and the Group mapper
// produce these, the groups service bounds and summarises them, the groups repository applies
// them as a delta of member rows. Types only, so the database layer may import it.

/** A member named by a request: an id, and its type when the client said which (RFC 7643 §4.2). */
export interface MemberRef {
  value: string;
  type?: 'User' | 'Group';
}

/** A stored member as read back: its type is known, its display is the member's current name. */
export interface MemberOut {
  value: string;
  type: 'User' | 'Group';
  display?: string;
}

/** Decides whether a stored member matches a members[...] value filter. */
export type MemberPredicate = (m: MemberOut) => boolean;

/**
 * One change to a group's members, applied in request order (RFC 7644 §3.5.2): add is idempotent,
 * remove takes only the listed values, removeAll empties the group, replace sets it, removeWhere
 * removes the members a value filter selects. `Where` is that filter: a parsed filter as the PATCH
 * engine produces it, a predicate as the repository evaluates it.
 */
export type MemberChange<Where> =
  | { op: 'add'; members: MemberRef[] }
  | { op: 'remove'; values: string[] }
  | { op: 'removeAll' }
  | { op: 'replace'; members: MemberRef[] }
  | { op: 'removeWhere'; filter: Where };
