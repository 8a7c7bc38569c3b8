import { Controller, Get, Header, Param } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '@/common/auth/decorators';
import { DASHBOARD_PAGE, VIEWER_PAGE } from './live-pages';

/**
 * The livestream's pages, served by the service with no build step: the viewers' page a session's share link
 * opens (`/l/<sessionId>`), and the host's dashboard (`/h/<sessionId>`). Each reads the session id from its
 * own address and talks to the API like any client.
 */
@ApiExcludeController()
@Controller()
export class LivePagesController {
  @Get('l/:id')
  @Public()
  @SkipThrottle()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-cache')
  viewer(@Param('id') _id: string): string {
    return VIEWER_PAGE;
  }

  @Get('h/:id')
  @Public()
  @SkipThrottle()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-cache')
  dashboard(@Param('id') _id: string): string {
    return DASHBOARD_PAGE;
  }
}
