import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { OAuthAuthorizationsService } from './oauth-authorizations.service.js';
import { OAuthClientsStore } from './oauth-clients.store.js';
import { OAuthSignInController } from './oauth-sign-in.controller.js';
import { OAuthSignInFlow } from './oauth-sign-in.flow.js';
import { ManaOAuthProvider } from './oauth.provider.js';
import { OAuthRouter } from './oauth.router.js';

/**
 * OAuth 2.1 sign-in for people's MCP clients (the MCP authorization spec): this server is the
 * authorization server for its own /mcp resource. Owns `oauth_clients` and `oauth_authorizations`;
 * refresh tokens stay with AuthModule.
 */
@Module({
  imports: [AuthModule],
  controllers: [OAuthSignInController],
  providers: [OAuthClientsStore, OAuthAuthorizationsService, OAuthSignInFlow, ManaOAuthProvider, OAuthRouter],
  exports: [OAuthRouter],
})
export class OAuthModule {}
