import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { ForbiddenError, UnauthenticatedError } from '../errors/domain-error';
import { PUBLIC_KEY, ROLES_KEY } from './decorators';
import { AuthUser, Role } from './role';

interface Claims {
  sub: string;
  usr: string;
  roles: Role[];
  org?: string | null;
  host?: string | null;
  sup?: string | null;
  reg?: string | null;
}

export function toClaims(u: AuthUser): Claims {
  return {
    sub: u.id,
    usr: u.username,
    roles: u.roles,
    org: u.organizationId,
    host: u.hostId,
    sup: u.supplierId,
    reg: u.regionCode,
  };
}

/**
 * Deny by default: a route must declare @Public() or @Roles(...). A missing or bad token is 401,
 * a token without one of the route's roles is 403.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(JwtService) private readonly jwt: JwtService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets);
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    const req = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined>; user?: AuthUser }>();
    const header = req.headers.authorization;
    if (header) {
      req.user = await this.verify(header).catch((e: unknown) => {
        if (isPublic) {
          return undefined;
        }
        throw e;
      });
    }
    if (isPublic) {
      return true;
    }
    if (!roles || roles.length === 0) {
      throw new ForbiddenError('This route is not open to any role.');
    }
    if (!req.user) {
      throw new UnauthenticatedError();
    }
    if (!roles.some((r) => req.user!.roles.includes(r))) {
      throw new ForbiddenError();
    }
    return true;
  }

  private async verify(header: string): Promise<AuthUser> {
    // The scheme is case-insensitive and may be followed by more than one space (RFC 9110 §11.1, §11.4).
    const token = /^Bearer +(\S+) *$/i.exec(header)?.[1];
    if (!token) {
      throw new UnauthenticatedError('The Authorization header must be "Bearer <accessToken>".');
    }
    let c: Claims;
    try {
      c = await this.jwt.verifyAsync<Claims>(token, { algorithms: ['HS256'] });
    } catch {
      throw new UnauthenticatedError('The access token is invalid or expired.');
    }
    return {
      id: c.sub,
      username: c.usr,
      roles: c.roles,
      organizationId: c.org ?? null,
      hostId: c.host ?? null,
      supplierId: c.sup ?? null,
      regionCode: c.reg ?? null,
    };
  }
}
