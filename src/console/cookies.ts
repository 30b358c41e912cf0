// Both console cookies (the session and the sign-in flow) are scoped to /console, unreadable by
// scripts, and sent on top-level navigations from other sites (SameSite=Lax) so the redirect back
// from the sign-in pages carries them.
import type { Config } from '../config.ts';

export function cookieOptions(config: Config, maxAgeSeconds?: number) {
  return {
    path: '/console',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: config.publicUrl.startsWith('https:'),
    ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {}),
  };
}
