// Provider-rendered pages (errors that cannot go to a redirect URI, RP-initiated logout), in the
// same look as our own interaction pages.
import type { KoaContextWithOIDC, ErrorOut } from 'oidc-provider';
import { renderPage } from './render.ts';

// Wire codes → words a manager understands. These errors are shown as a page, never redirected: the
// redirect URI itself may be the problem (RFC 6749 §4.1.2.1).
const MESSAGES: Record<string, string> = {
  invalid_client: 'The application that sent you here is not registered with SecureLogin.',
  invalid_redirect_uri: 'The application asked to return to an address that is not registered with SecureLogin, so sign-in was stopped to protect your account.',
  invalid_request: 'The sign-in request was incomplete or malformed.',
  unsupported_response_type: 'The sign-in request asked for something SecureLogin does not support.',
  invalid_scope: 'The application asked for a permission SecureLogin does not offer.',
  session_not_found: 'Your sign-in session has expired. Go back to the application and start again.',
};

export async function renderProviderError(ctx: KoaContextWithOIDC, out: ErrorOut, error: Error & { error?: string; status?: number }) {
  const code = out.error ?? 'server_error';
  let message = MESSAGES[code] ?? 'The sign-in request could not be completed.';
  if (code === 'invalid_request' && /redirect_uri/.test(String(out.error_description ?? ''))) message = MESSAGES.invalid_redirect_uri;
  if (code === 'invalid_request' && /interaction session/.test(String(out.error_description ?? ''))) message = MESSAGES.session_not_found;
  ctx.type = 'html';
  ctx.set('cache-control', 'no-store');
  ctx.body = await renderPage('error', {
    title: 'Sign-in cannot continue',
    heading: 'Sign-in cannot continue',
    message,
    code,
    status: error.status ?? ctx.status,
  });
}

export async function renderLogout(ctx: KoaContextWithOIDC, form: string) {
  ctx.type = 'html';
  ctx.set('cache-control', 'no-store');
  ctx.body = await renderPage('interaction/logout', { title: 'Sign out', form });
}

export async function renderLoggedOut(ctx: KoaContextWithOIDC) {
  ctx.type = 'html';
  ctx.body = await renderPage('interaction/logged-out', { title: 'Signed out' });
}
