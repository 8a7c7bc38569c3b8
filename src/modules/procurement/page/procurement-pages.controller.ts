import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '@/common/auth/decorators';
import { PORTAL_PAGE } from './portal-page';

/**
 * The unit's portal (`/p`), served by the service with no build step: a unit's buyers and approvers sign in,
 * follow their quota, order from the certified catalog, approve or reject, accept deliveries with the invoice,
 * and read each order's audit trail. It talks to the API like any client.
 */
@ApiExcludeController()
@Controller()
export class ProcurementPagesController {
  @Get('p')
  @Public()
  @SkipThrottle()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-cache')
  portal(): string {
    return PORTAL_PAGE;
  }
}
