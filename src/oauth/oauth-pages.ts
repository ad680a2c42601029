/**
 * The server-rendered sign-in and consent pages of the OAuth authorize step, in the admin
 * dashboard's style (its stylesheet, its `.signin` layout). No script; every value is escaped.
 */

export interface SignInPageModel {
  requestId: string;
  csrf: string;
  clientName: string;
  email?: string;
  error?: string;
}

export interface ConsentPageModel {
  requestId: string;
  csrf: string;
  clientName: string;
  redirectUri: string;
  email: string;
}

const escape = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="referrer" content="no-referrer" />
    <title>${escape(title)} · Mana</title>
    <link rel="stylesheet" href="/admin/app.css" />
    <style>
      .signin-form .choices { display: flex; gap: 0.5rem; justify-content: flex-end; }
      .signin-form code { overflow-wrap: anywhere; }
    </style>
  </head>
  <body>
    <section class="signin">
${body}
    </section>
  </body>
</html>
`;
}

const hidden = (requestId: string, csrf: string) =>
  `<input type="hidden" name="request" value="${escape(requestId)}" />
        <input type="hidden" name="csrf" value="${escape(csrf)}" />`;

export function signInPage(m: SignInPageModel): string {
  return page(
    'Sign in',
    `      <form class="signin-form" method="post" action="/oauth/sign-in">
        <h1>Mana</h1>
        <p class="muted">Sign in to let <strong>${escape(m.clientName)}</strong> use your account.</p>
        ${hidden(m.requestId, m.csrf)}
        <label>Email <input type="email" name="email" autocomplete="username" required value="${escape(m.email ?? '')}" /></label>
        <label>Password <input type="password" name="password" autocomplete="current-password" required /></label>
        <button type="submit" class="btn btn-primary">Sign in</button>
        <p class="error" role="alert">${escape(m.error ?? '')}</p>
      </form>`,
  );
}

export function consentPage(m: ConsentPageModel): string {
  return page(
    'Allow access',
    `      <form class="signin-form" method="post" action="/oauth/consent">
        <h1>Allow access?</h1>
        <p><strong>${escape(m.clientName)}</strong> wants to use your Mana tools (tasks, notes, journal, …) as
          <strong>${escape(m.email)}</strong>.</p>
        <p class="muted">After you allow it, you are sent back to<br /><code>${escape(m.redirectUri)}</code></p>
        <p class="muted">Only allow it if you started this from that app.</p>
        ${hidden(m.requestId, m.csrf)}
        <div class="choices">
          <button type="submit" name="decision" value="deny" class="btn">Deny</button>
          <button type="submit" name="decision" value="allow" class="btn btn-primary">Allow</button>
        </div>
      </form>`,
  );
}

export function messagePage(title: string, message: string): string {
  return page(
    title,
    `      <div class="signin-form">
        <h1>${escape(title)}</h1>
        <p class="error-box" role="alert">${escape(message)}</p>
      </div>`,
  );
}
