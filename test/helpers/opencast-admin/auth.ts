/**
 * Opencast's security chain for `/services/**` and `/incidents/**`: Digest with users and
 * roles, ROLE_ADMIN required, and RemoteUserAndOrganizationFilter's switching rules.
 */
import { createMiddleware } from 'hono/factory';
import { digestResponse, parseDigest, REALM } from './digest.js';
import { checkNonce, newNonce } from './nonces.js';

/** A user of the double. */
export interface AdminUser {
  password: string;
  roles: string[];
}

/** Hono variables the middleware sets. */
export interface AuthEnv {
  Variables: { user: string };
}

const challenge = (stale: boolean) =>
  `Digest realm="${REALM}", qop="auth", nonce="${newNonce()}"${stale ? ', stale=true' : ''}`;

/** Authenticates the request or answers 401/302/403 as Spring Security would. */
export function digestAuth(users: Map<string, AdminUser>) {
  return createMiddleware<AuthEnv>(async (c, next) => {
    const fields = parseDigest(c.req.header('Authorization'));
    if (fields === undefined) {
      if (c.req.header('X-Requested-Auth') === 'Digest') {
        c.header('WWW-Authenticate', challenge(false));
        return c.text('Unauthorized', 401);
      }
      // A browser-style request is sent to the login page instead of a challenge.
      return c.redirect('/admin-ng/login.html', 302);
    }
    const username = fields.get('username') ?? '';
    const user = users.get(username);
    const nonceState = checkNonce(fields.get('nonce') ?? '');
    const f = {
      username,
      realm: fields.get('realm') ?? '',
      nonce: fields.get('nonce') ?? '',
      uri: fields.get('uri') ?? '',
      qop: fields.get('qop'),
      nc: fields.get('nc'),
      cnonce: fields.get('cnonce'),
    };
    const valid =
      user !== undefined &&
      nonceState === 'ok' &&
      f.realm === REALM &&
      (f.qop === undefined || f.qop === 'auth') &&
      digestResponse(c.req.method, user.password, f) === fields.get('response');
    if (!valid) {
      c.header('WWW-Authenticate', challenge(nonceState === 'expired'));
      return c.text('Unauthorized', 401);
    }
    const roles = new Set(user.roles);
    // ROLE_ADMIN is needed for these paths and also allows switching the organization;
    // switching the user needs ROLE_SUDO (RemoteUserAndOrganizationFilter 128-210).
    const switchesUser = c.req.header('X-Opencast-Matterhorn-User') !== undefined;
    if (!roles.has('ROLE_ADMIN') || (switchesUser && !roles.has('ROLE_SUDO'))) {
      return c.text('Forbidden', 403);
    }
    c.set('user', username);
    await next();
    return undefined;
  });
}
