import { instanceGuarantees } from './instance-guarantees.js';

describe(instanceGuarantees.name, () => {
  const outside = { databaseUrl: 'postgres://db/mana', authUserCacheMs: 2000, generatedSecrets: [] };

  it('should share sessions, limits, revocation and leases on an outside PostgreSQL with set secrets', () => {
    const g = instanceGuarantees(outside);
    expect(g.scope).toBe('shared');
    expect(g.shared.join('\n')).toMatch(/MCP sessions.*Last-Event-ID/);
    expect(g.shared.join('\n')).toMatch(/rate limits/);
    expect(g.shared.join('\n')).toMatch(/within 2000 ms \(AUTH_USER_CACHE_MS\)/);
    expect(g.instanceLocal).toEqual(['/metrics counts this process only: scrape every instance']);
  });

  it('should say the embedded database makes everything instance-local', () => {
    const g = instanceGuarantees({ ...outside, databaseUrl: undefined });
    expect(g.scope).toBe('this-instance-only');
    expect(g.shared).toEqual([]);
    expect(g.instanceLocal[0]).toMatch(/embedded database serves this process only/);
  });

  it('should name the secrets generated into DATA_DIR, which differ between replicas', () => {
    const g = instanceGuarantees({ ...outside, generatedSecrets: ['JWT_PRIVATE_KEY', 'MASTER_KEK'] });
    expect(g.scope).toBe('this-instance-only');
    expect(g.instanceLocal.join('\n')).toMatch(/JWT_PRIVATE_KEY, MASTER_KEK generated into DATA_DIR/);
  });
});
