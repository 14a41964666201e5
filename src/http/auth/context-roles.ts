/**
 * Opencast's rule for acting on behalf of others (RemoteUserAndOrganizationFilter, protocol
 * §2): `X-Opencast-Matterhorn-Organization` may switch the organization only for a caller
 * with ROLE_ADMIN, `X-Opencast-Matterhorn-User` the user only for one with ROLE_SUDO.
 */
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../../errors.js';
import { ORGANIZATION_HEADER, USER_HEADER } from '../request-fields.js';
import { authenticatedUser } from './digest-auth.js';

/** Opencast roles per user name. */
export type UserRoles = ReadonlyMap<string, ReadonlySet<string>>;

/** What a request asks to act as. */
export interface ContextRequest {
  /** The authenticated caller. */
  readonly user: string;
  /** The organization header, if any. */
  readonly organization: string | undefined;
  /** The user header, if any. */
  readonly switchUser: string | undefined;
  /** The organization a request without the header runs in. */
  readonly defaultOrganization: string;
}

/**
 * Why the caller may not act as asked, or undefined when it may. A blank header, or one
 * naming the caller's own organization or name, switches nothing and needs no role.
 */
export function contextSwitchRefusal(
  request: ContextRequest,
  roles: UserRoles,
): string | undefined {
  const has = (role: string) => roles.get(request.user)?.has(role) === true;
  const org = request.organization?.trim() ?? '';
  if (org !== '' && org !== request.defaultOrganization && !has('ROLE_ADMIN')) {
    return `${request.user} may not switch to organization '${org.slice(0, 80)}' (needs ROLE_ADMIN)`;
  }
  const user = request.switchUser?.trim() ?? '';
  if (user !== '' && user !== request.user && !has('ROLE_SUDO')) {
    return `${request.user} may not act as user '${user.slice(0, 80)}' (needs ROLE_SUDO)`;
  }
  return undefined;
}

/**
 * Middleware refusing a context switch the authenticated caller has no role for with 403
 * FORBIDDEN. Mount after authentication; requests without a user (exempt ones) pass.
 */
export function requireContextRoles(
  roles: UserRoles,
  defaultOrganization: string,
): MiddlewareHandler {
  return async (c, next) => {
    const user = authenticatedUser(c);
    if (user !== undefined) {
      const refusal = contextSwitchRefusal(
        {
          user,
          organization: c.req.header(ORGANIZATION_HEADER),
          switchUser: c.req.header(USER_HEADER),
          defaultOrganization,
        },
        roles,
      );
      if (refusal !== undefined) throw new AppError('FORBIDDEN', refusal);
    }
    await next();
  };
}
