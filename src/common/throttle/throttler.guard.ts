import { ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { AuthUser } from '@/common/auth/role';

/** Limits per user when signed in, else per client address. */
@Injectable()
export class AppThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const user = req.user as AuthUser | undefined;
    return user ? `u:${user.id}` : `ip:${String(req.ip)}`;
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    const url = context.switchToHttp().getRequest<{ url: string }>().url;
    return url.startsWith('/health') || url.startsWith('/metrics');
  }
}

export const LOGIN_THROTTLE_KEY = 'cs:login-throttle';
/** The routes that guess secrets (passwords, codes) also count against the stricter `login` limit. */
export const LoginThrottled = () => SetMetadata(LOGIN_THROTTLE_KEY, true);
export const isLoginThrottled = (ctx: ExecutionContext): boolean =>
  Reflect.getMetadata(LOGIN_THROTTLE_KEY, ctx.getHandler()) === true;
