import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { AuthorizationParams } from '@modelcontextprotocol/sdk/server/auth/provider.js';
import type { OAuthClientInformationFull } from '@modelcontextprotocol/sdk/shared/auth.js';
import { AuthException } from '../auth/auth.exception.js';
import { AuthService } from '../auth/auth.service.js';
import { UsersService } from '../auth/users/users.service.js';
import { AppConfig } from '../config/app-config.js';
import { OAuthAuthorizationsService, REQUEST_TTL_MS } from './oauth-authorizations.service.js';
import type { OAuthAuthorizationEntity } from './oauth-authorization.entity.js';
import { OAuthClientsStore } from './oauth-clients.store.js';
import { consentPage, messagePage, signInPage } from './oauth-pages.js';
import type { ConsentFormDto, SignInFormDto } from './oauth-sign-in.dto.js';

const COOKIE_PREFIX = 'mana_oauth_';
const STALE =
  'This sign-in page has expired, was already answered, or was opened in another browser. Start again from your app.';

/**
 * The person's side of the authorize step: the sign-in page, then the consent page naming the
 * client and where it will be sent back to, then the redirect with the code (in the query, never
 * a fragment). Each request is tied to the browser that opened it by an HttpOnly cookie and to its
 * forms by a CSRF token. Only active human accounts can authorize a client: personas and system
 * accounts keep password login.
 */
@Injectable()
export class OAuthSignInFlow {
  private readonly logger = new Logger(OAuthSignInFlow.name);

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(OAuthAuthorizationsService) private readonly authorizations: OAuthAuthorizationsService,
    @Inject(OAuthClientsStore) private readonly clients: OAuthClientsStore,
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(UsersService) private readonly users: UsersService,
  ) {}

  async begin(
    client: OAuthClientInformationFull,
    params: AuthorizationParams,
    resource: string,
    res: Response,
  ): Promise<void> {
    const started = await this.authorizations.start({
      clientId: client.client_id,
      redirectUri: params.redirectUri,
      codeChallenge: params.codeChallenge,
      state: params.state,
      scopes: params.scopes ?? [],
      resource,
    });
    res.cookie(COOKIE_PREFIX + started.id, started.browserSecret, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.config.externalUrl().startsWith('https:'),
      path: '/oauth',
      maxAge: REQUEST_TTL_MS,
    });
    this.html(
      res,
      200,
      signInPage({ requestId: started.id, csrf: started.csrf, clientName: clientName(client) }),
    );
  }

  async signIn(req: Request, res: Response, form: SignInFormDto): Promise<void> {
    const row = await this.pending(req, form.request, form.csrf);
    if (!row) return this.html(res, 400, messagePage('Sign-in expired', STALE));
    const client = await this.clients.getClient(row.clientId);
    const name = client ? clientName(client) : 'An app';
    const again = (status: number, error: string) =>
      this.html(
        res,
        status,
        signInPage({ requestId: row.id, csrf: form.csrf, clientName: name, email: form.email, error }),
      );
    let user;
    try {
      user = await this.auth.verifyCredentials(form.email, form.password);
    } catch (error) {
      if (error instanceof AuthException) return again(401, error.message);
      throw error;
    }
    if (user.kind !== 'human') {
      this.logger.warn(`a ${user.kind} account tried to authorize OAuth client ${row.clientId}`);
      return this.html(
        res,
        403,
        messagePage(
          'Not allowed',
          `A ${user.kind} account cannot authorize apps; it signs in with its password.`,
        ),
      );
    }
    await this.authorizations.signedIn(row.id, user.id);
    this.allowFormTarget(res, row.redirectUri);
    this.html(
      res,
      200,
      consentPage({
        requestId: row.id,
        csrf: form.csrf,
        clientName: name,
        redirectUri: row.redirectUri,
        email: user.email,
      }),
    );
  }

  async consent(req: Request, res: Response, form: ConsentFormDto): Promise<void> {
    const row = await this.pending(req, form.request, form.csrf);
    if (!row || !row.userId) return this.html(res, 400, messagePage('Sign-in expired', STALE));
    this.clearCookie(res, row.id);
    const back = new URL(row.redirectUri);
    if (row.state !== null) back.searchParams.set('state', row.state);
    back.searchParams.set('iss', new URL(this.config.externalUrl()).href);
    const user = await this.users.findActiveAuthUser(row.userId);
    if (form.decision === 'deny' || !user || user.kind !== 'human') {
      await this.authorizations.deny(row.id);
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The person did not allow access');
      return res.redirect(303, back.href);
    }
    const code = await this.authorizations.consent(row.id);
    if (!code) return this.html(res, 400, messagePage('Sign-in expired', STALE));
    back.searchParams.set('code', code);
    res.redirect(303, back.href);
  }

  private pending(req: Request, id: string, csrf: string): Promise<OAuthAuthorizationEntity | undefined> {
    return this.authorizations.pending(id, cookie(req, COOKIE_PREFIX + id), csrf);
  }

  private clearCookie(res: Response, id: string): void {
    res.clearCookie(COOKIE_PREFIX + id, { path: '/oauth' });
  }

  /** The consent form's answer redirects to the client: CSP's form-action must allow that target. */
  private allowFormTarget(res: Response, redirectUri: string): void {
    const url = new URL(redirectUri);
    const target = url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : url.protocol;
    const csp = String(res.getHeader('Content-Security-Policy') ?? '');
    if (csp)
      res.setHeader(
        'Content-Security-Policy',
        csp.replace(/form-action [^;]*/, `form-action 'self' ${target}`),
      );
  }

  private html(res: Response, status: number, body: string): void {
    res.setHeader('Cache-Control', 'no-store');
    res.status(status).type('html').send(body);
  }
}

function clientName(client: OAuthClientInformationFull): string {
  return client.client_name?.trim() || `Unnamed app (${client.client_id})`;
}

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}
