import { authorizeUrl, pkce, signInThroughPages } from '../oauth/oauth-browser.js';
import type { LoopbackRedirect, PageVisit, Person } from '../oauth/oauth-browser.js';
import type { TestApp } from './test-app.js';

/**
 * The authorize URL of an authorization-code request from `clientId` with an S256 PKCE `challenge`,
 * sending the code to `redirectUri`; `extra` parameters (state, resource) follow the PKCE ones.
 */
export function codeRequestUrl(
  t: TestApp,
  clientId: string,
  redirectUri: string,
  challenge: string,
  extra: Record<string, string> = {},
): URL {
  return authorizeUrl(t, {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  });
}

/**
 * `person` authorizes `clientId` through the real pages (signInThroughPages) with a fresh PKCE pair,
 * the code going to `redirect`: answers the visit and the verifier the token exchange needs.
 */
export async function authorizeThroughPages(
  t: TestApp,
  clientId: string,
  person: Person,
  redirect: LoopbackRedirect,
  { extra, decision }: { extra?: Record<string, string>; decision?: 'allow' | 'deny' } = {},
): Promise<{ visit: PageVisit; verifier: string }> {
  const { verifier, challenge } = pkce();
  const url = codeRequestUrl(t, clientId, redirect.url, challenge, extra);
  return { visit: await signInThroughPages(t, url, person, redirect, decision), verifier };
}
