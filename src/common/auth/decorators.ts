import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AuthUser, Role } from './role';

export const ROLES_KEY = 'cs:roles';
export const PUBLIC_KEY = 'cs:public';

/** The route needs a token carrying one of these roles; scopes are checked by the service. */
export function Roles(...roles: Role[]) {
  return applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'unauthenticated' }),
    ApiForbiddenResponse({ description: `forbidden: needs ${roles.join(' or ')}` }),
  );
}

/** The route is open to anyone; a token, if sent, is still read. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser | undefined => {
  return ctx.switchToHttp().getRequest<{ user?: AuthUser }>().user;
});
