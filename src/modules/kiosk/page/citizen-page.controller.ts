import { Controller, Get, Header, Param } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '@/common/auth/decorators';
import { CITIZEN_PAGE } from './citizen-page';

/**
 * The page a cabinet's QR code opens (`qrUrl` = `/k/<code>?t=<token>`): served by the service, no build step.
 * It reads the code and token from its own address and talks to the API like any client.
 */
@ApiExcludeController()
@Controller('k')
export class CitizenPageController {
  @Get(':code')
  @Public()
  @SkipThrottle()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-cache')
  page(@Param('code') _code: string): string {
    return CITIZEN_PAGE;
  }
}
