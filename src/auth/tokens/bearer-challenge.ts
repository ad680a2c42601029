import { UnauthorizedException } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config.js';

/** RFC 9728 §5.1: where a client that got 401 from /mcp finds how to get a token for it. */
export function resourceMetadataUrl(config: AppConfig): string {
  return `${config.externalUrl()}/.well-known/oauth-protected-resource/mcp`;
}

/**
 * The `WWW-Authenticate` answer of a 401 from /mcp (RFC 6750 §3 with RFC 9728's
 * `resource_metadata`); undefined for any other error. A request that sent no token gets no
 * `error`, as RFC 6750 asks.
 */
export function bearerChallenge(config: AppConfig, error: unknown): string | undefined {
  if (!(error instanceof UnauthorizedException)) return undefined;
  const challenge = `Bearer resource_metadata="${resourceMetadataUrl(config)}", scope="mcp"`;
  const message = error.message.replace(/["\\]/g, "'");
  if (/^Missing bearer token/.test(message)) return challenge;
  return `${challenge}, error="invalid_token", error_description="${message}"`;
}
