import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import type { TestApp } from '../support/test-app.js';

/** The registered redirect URI: loopback without a port (RFC 8252 §7.3: any port at authorize time). */
export const REGISTERED_REDIRECT = 'http://127.0.0.1/callback';

/** A loopback HTTP server standing in for a native client's redirect listener; records each callback. */
export class LoopbackRedirect {
  readonly hits: URL[] = [];
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<LoopbackRedirect> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const redirect = new LoopbackRedirect(server, `http://127.0.0.1:${port}/callback`);
    server.on('request', (req, res) => {
      redirect.hits.push(new URL(req.url ?? '/', redirect.url));
      res.writeHead(200, { 'content-type': 'text/plain' }).end('You can close this window.');
    });
    return redirect;
  }

  last(): URL | undefined {
    return this.hits.at(-1);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export interface Person {
  email: string;
  password: string;
}

export interface PageVisit {
  /** The answer to the sign-in form (200 consent page, 401 wrong password, 403 persona, …). */
  signInStatus: number;
  signInHtml: string;
  /** The sign-in cookie's value (name=value). */
  cookie: string;
  /** Where the consent answer sent the browser (the loopback redirect), if it got that far. */
  callback?: URL;
}

const field = (html: string, name: string) =>
  new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';

const form = (values: Record<string, string>) => ({
  'content-type': 'application/x-www-form-urlencoded',
  body: new URLSearchParams(values).toString(),
});

/**
 * What a person does in the browser, over real HTTP: open the authorize URL (the sign-in page),
 * post the sign-in form with the page's cookie, then post the consent form; the 303 is followed
 * to the loopback redirect, which records the code.
 */
export async function signInThroughPages(
  t: TestApp,
  authorizationUrl: URL,
  person: Person,
  redirect: LoopbackRedirect,
  decision: 'allow' | 'deny' = 'allow',
): Promise<PageVisit> {
  const page = await fetch(authorizationUrl, { redirect: 'manual' });
  const html = await page.text();
  if (page.status !== 200) throw new Error(`authorize page: ${page.status} ${html}`);
  const cookie = page.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const request = field(html, 'request');
  const signInForm = form({
    request,
    csrf: field(html, 'csrf'),
    email: person.email,
    password: person.password,
  });
  const signIn = await fetch(`${t.url}/oauth/sign-in`, {
    method: 'POST',
    headers: { cookie, 'content-type': signInForm['content-type'] },
    body: signInForm.body,
    redirect: 'manual',
  });
  const signInHtml = await signIn.text();
  if (signIn.status !== 200) return { signInStatus: signIn.status, signInHtml, cookie };
  const before = redirect.hits.length;
  const consentForm = form({ request, csrf: field(signInHtml, 'csrf'), decision });
  const consent = await fetch(`${t.url}/oauth/consent`, {
    method: 'POST',
    headers: { cookie, 'content-type': consentForm['content-type'] },
    body: consentForm.body,
  });
  await consent.text();
  return {
    signInStatus: signIn.status,
    signInHtml,
    cookie,
    callback: redirect.hits.length > before ? redirect.last() : undefined,
  };
}

/**
 * The MCP SDK's OAuthClientProvider for a test: keeps what the SDK hands it in memory, and
 * "opens the browser" by signing in through the real pages as `person`.
 */
export class PageSigningProvider implements OAuthClientProvider {
  private information?: OAuthClientInformationMixed;
  private saved?: OAuthTokens;
  private verifier = '';
  /** The code of the last sign-in, for transport.finishAuth. */
  code?: string;

  constructor(
    private readonly t: TestApp,
    private readonly person: Person,
    private readonly redirect: LoopbackRedirect,
  ) {}

  get redirectUrl(): string {
    return this.redirect.url;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'Mana OAuth test client',
      redirect_uris: [REGISTERED_REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  clientInformation() {
    return this.information;
  }

  saveClientInformation(information: OAuthClientInformationMixed): void {
    this.information = information;
  }

  tokens() {
    return this.saved;
  }

  saveTokens(tokens: OAuthTokens): void {
    this.saved = tokens;
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    const visit = await signInThroughPages(this.t, authorizationUrl, this.person, this.redirect);
    this.code = visit.callback?.searchParams.get('code') ?? undefined;
    if (!this.code) throw new Error(`sign-in did not come back with a code: ${visit.signInStatus}`);
  }

  saveCodeVerifier(codeVerifier: string): void {
    this.verifier = codeVerifier;
  }

  codeVerifier(): string {
    return this.verifier;
  }
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Registers a public client over HTTP (RFC 7591), as an MCP client would. */
export async function registerClient(
  t: TestApp,
  redirectUris: string[] = [REGISTERED_REDIRECT],
): Promise<{ client_id: string }> {
  const res = await fetch(`${t.url}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: 'Raw test client',
      redirect_uris: redirectUris,
      token_endpoint_auth_method: 'none',
    }),
  });
  if (res.status !== 201) throw new Error(`register: ${res.status} ${await res.text()}`);
  return (await res.json()) as { client_id: string };
}

export function authorizeUrl(t: TestApp, params: Record<string, string | undefined>): URL {
  const url = new URL(`${t.url}/authorize`);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url;
}

/** POST /token with a urlencoded body; answers status and JSON. */
export async function tokenRequest(t: TestApp, values: Record<string, string>) {
  const res = await fetch(`${t.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(values).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}
