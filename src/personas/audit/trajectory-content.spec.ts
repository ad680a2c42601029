import {
  REDACTED,
  cutText,
  isSecretKey,
  redactKeptText,
  redactText,
  trajectoryText,
} from './trajectory-content.js';

describe('trajectoryText', () => {
  it('should keep a call input as JSON, with secret-named fields redacted at any depth', () => {
    const kept = trajectoryText(
      {
        title: 'Buy milk',
        auth: { password: 'hunter22', apiKey: 'abc', 'x-api-key': 'k' },
        list: [{ token: 't' }],
      },
      4096,
    );
    expect(kept).toEqual({
      text: JSON.stringify({
        title: 'Buy milk',
        auth: { password: REDACTED, apiKey: REDACTED, 'x-api-key': REDACTED },
        list: [{ token: REDACTED }],
      }),
      truncated: false,
    });
  });

  it('should take bearer tokens, JWTs and access tokens out of free text', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl';
    const text = `call it with Authorization: Bearer abcdefghijklmnop and ${jwt}, mana_pat_AbC123 or sk-ant-api03-abcdefghijklmnopqrstuvwx, https://bob:s3cret@example.com/x`;
    const out = redactText(text);
    expect(out).not.toMatch(/abcdefghijklmnop|eyJhbGci|AbC123|api03|s3cret/);
    expect(out).toContain(`Bearer ${REDACTED}`);
    expect(out).toContain(`https://bob:${REDACTED}@example.com/x`);
  });

  it('should keep a plain string answer as the text it is', () => {
    expect(trajectoryText('No todo with id 42', 4096)).toEqual({
      text: 'No todo with id 42',
      truncated: false,
    });
  });

  it('should answer null for nothing and for what is not JSON', () => {
    expect(trajectoryText(undefined, 4096)).toBeNull();
    expect(trajectoryText({ n: BigInt(1) }, 4096)).toBeNull();
  });

  it('should cut at the byte limit without splitting a character, and say so', () => {
    const cut = cutText('é'.repeat(100), 51);
    expect(cut.truncated).toBe(true);
    expect(cut.text).toBe(`${'é'.repeat(25)}…[cut: 51 of 200 bytes]`);
    expect(cutText('short', 51)).toEqual({ text: 'short', truncated: false });
  });

  it('should name secret keys by their meaning, not only exact spelling', () => {
    for (const key of [
      'password',
      'newPassword',
      'client_secret',
      'refresh_token',
      'Authorization',
      'cookie',
      'key',
    ])
      expect(isSecretKey(key)).toBe(true);
    for (const key of ['title', 'priority', 'keyword', 'dueDate', 'content'])
      expect(isSecretKey(key)).toBe(false);
  });

  it('should redact secret members of JSON text a runner sent, even when the text was cut', () => {
    const text = '{"title":"a \\"quoted\\" title","password":"hunter22","items":["x","y"],"api_key":"abc';
    expect(redactKeptText(text)).toBe(
      `{"title":"a \\"quoted\\" title","password":"${REDACTED}","items":["x","y"],"api_key":"${REDACTED}`,
    );
  });
});
