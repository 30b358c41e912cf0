// Where a finished sign-in may land: only our own end-user page, an oidc-provider interaction
// resume path or a manager's sign-in with Microsoft, never a URL taken from a request parameter as
// is (open redirect).
import { managerInteraction } from './manager-sign-in.ts';

const INTERACTION = /^\/interaction\/[A-Za-z0-9_-]{1,100}\/sso$/;

export function safeReturnTo(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  if (v === '/my' || INTERACTION.test(v) || managerInteraction(v)) return v;
  return null;
}

/** A "Test sign-in" from the console: run the whole flow, show the claims and the matched user,
 * open no session. */
export const TEST_SIGN_IN = 'test:sign-in';

export function returnToFrom(query: { return?: unknown; mode?: unknown }): string | null {
  return query.mode === 'test' ? TEST_SIGN_IN : safeReturnTo(query.return);
}
