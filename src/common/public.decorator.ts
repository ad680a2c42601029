import { SetMetadata } from '@nestjs/common';

/** Metadata key the JWT guard reads: a route marked with it needs no token. */
export const IS_PUBLIC = 'auth:public';

/**
 * Opts a route out of the default JWT guard. It lives below every layer (not in `auth`) so that
 * controllers of lower layers, such as the health probes, can mark their routes public.
 */
export const Public = () => SetMetadata(IS_PUBLIC, true);
