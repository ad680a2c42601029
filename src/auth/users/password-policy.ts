const COMMON = new Set([
  'password123',
  'password1234',
  '1234567890',
  '12345678910',
  'qwertyuiop',
  'iloveyou123',
  'letmein123',
  'welcome123',
  'administrator',
  'passw0rd123',
  'qwerty12345',
  'abcdefghij',
]);

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 128;

/** Returns why a password is too weak, or undefined when it is acceptable. */
export function passwordWeakness(password: string, email?: string): string | undefined {
  if (password.length < PASSWORD_MIN) return `password must be at least ${PASSWORD_MIN} characters`;
  if (password.length > PASSWORD_MAX) return `password must be at most ${PASSWORD_MAX} characters`;
  if (new Set(password).size < 5) return 'password must use at least 5 different characters';
  if (COMMON.has(password.toLowerCase())) return 'password is too common';
  const local = email?.split('@')[0]?.toLowerCase();
  if (local && local.length >= 4 && password.toLowerCase().includes(local)) {
    return 'password must not contain the email name';
  }
  return undefined;
}
