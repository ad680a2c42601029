import { PASSWORD_MAX, PASSWORD_MIN, passwordWeakness } from './password-policy.js';

describe(passwordWeakness.name, () => {
  it.each([
    ['Tr0ub4dor&3-horse', undefined],
    ['correct horse battery staple', undefined],
    ['ab12cd34ef', undefined],
    ['x'.repeat(PASSWORD_MAX - 5) + 'abcde', undefined],
  ])('should accept %s', (password, email) => {
    expect(passwordWeakness(password, email)).toBeUndefined();
  });

  it('should refuse a password shorter than the minimum', () => {
    expect(passwordWeakness('a1b2c3d4e')).toBe(`password must be at least ${PASSWORD_MIN} characters`);
    expect(passwordWeakness('')).toBe('password must be at least 10 characters');
  });

  it('should refuse a password longer than the maximum', () => {
    expect(passwordWeakness('ab1-'.repeat(33))).toBe(`password must be at most ${PASSWORD_MAX} characters`);
  });

  it('should refuse a password with fewer than five different characters', () => {
    expect(passwordWeakness('aaaaaaaaaaaa')).toBe('password must use at least 5 different characters');
    expect(passwordWeakness('abcdabcdabcd')).toBe('password must use at least 5 different characters');
    expect(passwordWeakness('abcdeabcdeab')).toBeUndefined();
  });

  it.each(['password123', 'PASSWORD123', 'Qwertyuiop', '1234567890', 'letmein123'])(
    'should refuse the common password %s in any case',
    (password) => {
      expect(passwordWeakness(password)).toBe('password is too common');
    },
  );

  it('should refuse a password that contains the email name (4+ characters), in any case', () => {
    expect(passwordWeakness('xx-MARGARET-2024', 'margaret@example.com')).toBe(
      'password must not contain the email name',
    );
    // short local parts are not a meaningful signal
    expect(passwordWeakness('bob-is-my-friend', 'bob@example.com')).toBeUndefined();
    expect(passwordWeakness('xx-margaret-2024')).toBeUndefined();
  });
});
