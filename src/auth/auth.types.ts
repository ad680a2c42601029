export const USER_KINDS = ['human', 'persona', 'system'] as const;
export type UserKind = (typeof USER_KINDS)[number];

/** Ordered from least to most privileged: guest < public < beta < alpha < founder. */
export const USER_TIERS = ['guest', 'public', 'beta', 'alpha', 'founder'] as const;
export type UserTier = (typeof USER_TIERS)[number];

export const USER_ROLES = ['user', 'admin', 'service'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** What a verified access token says about its bearer, re-checked against the users table. */
export interface AuthUser {
  id: string;
  email: string;
  kind: UserKind;
  tier: UserTier;
  role: UserRole;
}

export interface AccessTokenClaims {
  sub: string;
  email: string;
  kind: UserKind;
  tier: UserTier;
  role: UserRole;
  iss: string;
  aud: string;
  exp: number;
  iat: number;
  jti: string;
}
