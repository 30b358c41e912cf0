// oidc-provider 9 ships no type declarations (and @types/oidc-provider stops at 8); this is the
// small surface we use, loosely typed.
declare module 'oidc-provider' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Any = any;
  export type KoaContextWithOIDC = Any;
  export type ErrorOut = { error?: string; error_description?: string; [k: string]: unknown };
  export type Configuration = Record<string, Any>;
  export class Provider {
    constructor(issuer: string, configuration?: Configuration);
    issuer: string;
    proxy: boolean;
    Client: Any;
    Grant: Any;
    AccessToken: Any;
    RefreshToken: Any;
    ClientCredentials: Any;
    Session: Any;
    Interaction: Any;
    callback(): (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void;
    on(event: string, listener: (...args: Any[]) => void): this;
    use(mw: (ctx: Any, next: () => Promise<void>) => Promise<void> | void): void;
    interactionDetails(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): Promise<Any>;
    interactionResult(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, result: Any, opts?: { mergeWithLastSubmission?: boolean }): Promise<string>;
    interactionFinished(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, result: Any, opts?: { mergeWithLastSubmission?: boolean }): Promise<void>;
    urlFor(name: string, opts?: Any): string;
  }
  export const interactionPolicy: Any;
  export const errors: Any;
  export default Provider;
}
