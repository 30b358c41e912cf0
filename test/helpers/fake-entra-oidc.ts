// A local OpenID provider shaped like Entra's v2.0 endpoint: a second oidc-provider instance with
// issuer http://127.0.0.1:{port}/{tid}/v2.0 mounted under that prefix, scope-requested claims in
// the ID token (as Entra does), tid/oid/ver/preferred_username/xms_edov claims, PKCE S256
// required, one registered confidential client (the broker), and an interaction that signs in
// `nextUser` at once, so tests need no UI.
import crypto from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';

export interface OidcUser {
  id: string;
  upn: string;
  oid?: string;
  email?: string;
  xmsEdov?: boolean;
  name?: string;
  /** Overrides: the tid or ver the token claims. */
  tid?: string;
  ver?: string;
  /** Entra's optional sid claim (the Entra session), used by front-channel logout. */
  sid?: string;
}

export class FakeEntraOidc {
  readonly tid: string;
  readonly clientId = crypto.randomUUID();
  readonly clientSecret = crypto.randomBytes(24).toString('base64url');
  nextUser: OidcUser | null = null;
  issuer = '';
  private server: http.Server | null = null;
  private users = new Map<string, OidcUser>();

  constructor(tid: string) {
    this.tid = tid;
  }

  async start(redirectUri: string): Promise<string> {
    this.server = http.createServer();
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    const port = (this.server.address() as { port: number }).port;
    const prefix = `/${this.tid}/v2.0`;
    this.issuer = `http://127.0.0.1:${port}${prefix}`;
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const provider = new Provider(this.issuer, {
      clients: [{ client_id: this.clientId, client_secret: this.clientSecret, redirect_uris: [redirectUri], token_endpoint_auth_method: 'client_secret_post', response_types: ['code'], grant_types: ['authorization_code'] }],
      jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'fake-entra', use: 'sig', alg: 'RS256' }] },
      cookies: { keys: [crypto.randomBytes(16).toString('hex')] },
      claims: { openid: ['sub', 'tid', 'ver', 'sid'], profile: ['name', 'preferred_username', 'oid'], email: ['email', 'xms_edov'] },
      scopes: ['openid', 'profile', 'email'],
      conformIdTokenClaims: false,
      pkce: { required: () => true },
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx: unknown, i: { uid: string }) => `${prefix}/interaction/${i.uid}` },
      findAccount: async (_ctx: unknown, id: string) => {
        const u = this.users.get(id);
        if (!u) return undefined;
        return {
          accountId: id,
          claims: async () => ({
            sub: crypto.createHash('sha256').update(`${this.clientId}:${id}`).digest('base64url'),
            tid: u.tid ?? this.tid,
            ver: u.ver ?? '2.0',
            name: u.name ?? u.upn,
            preferred_username: u.upn,
            ...(u.oid ? { oid: u.oid } : {}),
            ...(u.sid ? { sid: u.sid } : {}),
            ...(u.email ? { email: u.email } : {}),
            ...(u.xmsEdov !== undefined ? { xms_edov: u.xmsEdov } : {}),
          }),
        };
      },
    } as never);
    const callback = provider.callback();
    this.server.on('request', async (req: http.IncomingMessage & { originalUrl?: string }, res) => {
      const url = req.url ?? '/';
      if (!url.startsWith(prefix)) return void res.writeHead(404).end();
      if (url.startsWith(`${prefix}/interaction/`)) {
        try {
          const details = await provider.interactionDetails(req, res);
          const u = this.nextUser;
          if (!u) return void res.writeHead(400).end('no user');
          this.users.set(u.id, u);
          const grant = new provider.Grant({ accountId: u.id, clientId: details.params.client_id as string });
          grant.addOIDCScope(String(details.params.scope));
          const grantId = await grant.save();
          await provider.interactionFinished(req, res, { login: { accountId: u.id, amr: ['pwd'] }, consent: { grantId } }, { mergeWithLastSubmission: false });
        } catch (err) {
          res.writeHead(500).end(String(err));
        }
        return;
      }
      req.originalUrl = url;
      req.url = url.slice(prefix.length) || '/';
      callback(req, res);
    });
    return this.issuer;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server!.close(() => r()));
  }
}
