// Why a sign-in was refused, in words the user understands, and what to ask their admin. The code
// is shown on the page and stored with the refusal event, so the admin can find it in the console.
export type RefusalCode =
  | 'tenant_unknown'
  | 'tenant_disabled'
  | 'sso_not_configured'
  | 'malformed'
  | 'too_large'
  | 'bad_signature'
  | 'certificate_expired'
  | 'weak_algorithm'
  | 'wrong_audience'
  | 'wrong_recipient'
  | 'wrong_destination'
  | 'wrong_issuer'
  | 'wrong_tenant'
  | 'expired'
  | 'not_yet_valid'
  | 'replay'
  | 'unknown_request'
  | 'idp_initiated_disabled'
  | 'idp_error'
  | 'no_identifier'
  | 'not_provisioned'
  | 'user_disabled'
  | 'identity_mismatch'
  | 'not_a_manager'
  | 'upstream_error';

interface Words {
  status: number;
  heading: string;
  message: string;
  ask: string;
}

const CONFIG = 'Ask your administrator to check the single sign-on settings of SecureLogin in Microsoft Entra ID and in the SecureLogin console.';
const RETRY = 'Go back to where you started and sign in again. If it happens again, tell your administrator the code below.';

export const REFUSALS: Record<RefusalCode, Words> = {
  tenant_unknown: { status: 404, heading: 'Unknown organisation', message: 'This sign-in address does not belong to any SecureLogin organisation.', ask: 'Ask your administrator for the right sign-in address.' },
  tenant_disabled: { status: 403, heading: 'Organisation disabled', message: 'Your organisation is currently disabled in SecureLogin, so nobody can sign in.', ask: 'Ask your administrator to contact SecureLogin support.' },
  sso_not_configured: { status: 403, heading: 'Single sign-on is not set up', message: 'Your organisation has not set up sign-in with Microsoft for SecureLogin (or it uses another protocol).', ask: CONFIG },
  malformed: { status: 400, heading: 'Sign-in response not accepted', message: 'The sign-in response could not be read.', ask: RETRY },
  too_large: { status: 413, heading: 'Sign-in response not accepted', message: 'The sign-in response was larger than SecureLogin accepts.', ask: 'Ask your administrator to reduce the claims (for example the groups claim) sent to SecureLogin.' },
  bad_signature: { status: 403, heading: 'Sign-in response not trusted', message: 'The sign-in response was not signed with a certificate your organisation registered in SecureLogin.', ask: `${CONFIG} The SAML signing certificate may have been renewed: the admin should re-import the federation metadata.` },
  certificate_expired: { status: 403, heading: 'Sign-in response not trusted', message: 'The sign-in response was signed with a certificate that has expired.', ask: `${CONFIG} The SAML signing certificate has expired: the admin should create a new one in Entra (SAML Certificates) and import the federation metadata again.` },
  weak_algorithm: { status: 403, heading: 'Sign-in response not trusted', message: 'The sign-in response was signed with SHA-1, which SecureLogin does not accept.', ask: 'Ask your administrator to set the signing algorithm of SecureLogin to SHA-256 in Microsoft Entra ID (SAML Certificates).' },
  wrong_audience: { status: 403, heading: 'Sign-in response not for this organisation', message: 'The sign-in response was issued for a different SecureLogin identifier.', ask: `${CONFIG} The Identifier (Entity ID) in Entra must be the one the console shows.` },
  wrong_recipient: { status: 403, heading: 'Sign-in response not for this address', message: 'The sign-in response was addressed to a different Reply URL.', ask: `${CONFIG} The Reply URL in Entra must be the one the console shows.` },
  wrong_destination: { status: 403, heading: 'Sign-in response not for this address', message: 'The sign-in response was addressed to a different Reply URL.', ask: `${CONFIG} The Reply URL in Entra must be the one the console shows.` },
  wrong_issuer: { status: 403, heading: 'Sign-in response from an unexpected issuer', message: 'The sign-in response did not come from the Microsoft Entra tenant your organisation registered.', ask: CONFIG },
  wrong_tenant: { status: 403, heading: 'Sign-in from another directory', message: 'You signed in with an account of a different Microsoft Entra directory than the one your organisation registered.', ask: 'Sign in with your work account of this organisation, or ask your administrator which account to use.' },
  expired: { status: 403, heading: 'Sign-in expired', message: 'The sign-in response is too old (or the clocks disagree).', ask: RETRY },
  not_yet_valid: { status: 403, heading: 'Sign-in not yet valid', message: 'The sign-in response is not valid yet (the clocks disagree).', ask: RETRY },
  replay: { status: 403, heading: 'Sign-in already used', message: 'This sign-in response has already been used once and cannot be used again.', ask: RETRY },
  unknown_request: { status: 403, heading: 'Sign-in not started here', message: 'The sign-in response does not answer a sign-in started on this page, or that sign-in was already completed.', ask: RETRY },
  idp_initiated_disabled: { status: 403, heading: 'Start sign-in from SecureLogin', message: 'Your organisation does not allow starting SecureLogin sign-in from the Microsoft My Apps portal.', ask: 'Open SecureLogin and choose "Sign in with Microsoft", or ask your administrator to set the Sign on URL in Entra.' },
  idp_error: { status: 403, heading: 'Microsoft Entra ID refused the sign-in', message: 'Microsoft Entra ID reported an error instead of signing you in.', ask: 'Tell your administrator the code and the message below.' },
  no_identifier: { status: 403, heading: 'Your account could not be identified', message: 'The sign-in response did not contain the attribute SecureLogin matches users on.', ask: `${CONFIG} Check the claims SecureLogin receives (Attributes & Claims).` },
  not_provisioned: { status: 403, heading: 'No SecureLogin account', message: 'You signed in with Microsoft, but your account has not been provisioned to SecureLogin (or it was removed).', ask: 'Ask your administrator to assign you to the SecureLogin application in Microsoft Entra ID, or to use "Provision on demand".' },
  user_disabled: { status: 403, heading: 'Account disabled', message: 'Your SecureLogin account is disabled.', ask: 'Ask your administrator to enable your account (assignment to SecureLogin in Microsoft Entra ID).' },
  identity_mismatch: { status: 403, heading: 'Account linked to another identity', message: 'This SecureLogin account is linked to a different Microsoft account than the one you signed in with.', ask: 'Ask your administrator to check the account; this can happen after a username was reassigned.' },
  not_a_manager: { status: 403, heading: 'Not a manager of this organisation', message: 'You signed in with Microsoft, but your account is not a SecureLogin manager of this organisation: no manager has your username or one of your email addresses as username.', ask: 'Ask an admin of your organisation in the SecureLogin console to add you as a manager with your work username or email address, or sign in with your manager password.' },
  upstream_error: { status: 403, heading: 'Sign-in with Microsoft failed', message: 'The answer from Microsoft Entra ID could not be verified.', ask: RETRY },
};

export class Refusal extends Error {
  readonly code: RefusalCode;
  readonly detail: string | null;
  constructor(code: RefusalCode, detail: string | null = null) {
    super(`${code}${detail ? `: ${detail}` : ''}`);
    this.code = code;
    this.detail = detail;
  }
}
