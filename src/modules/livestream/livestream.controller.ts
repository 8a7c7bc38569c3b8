import { Body, Controller, Get, Inject, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@/common/auth/decorators';
import { Role } from '@/common/auth/role';
import { Idempotent } from '@/common/idempotency/idempotency.interceptor';
import { Page, PageQuery } from '@/common/pagination';
import { CreateHostDto, HostPage, HostView, mapHost } from './dto/host.dto';
import { HostsService } from './hosts.service';

@ApiTags('livestream')
@Controller('live/hosts')
export class HostsController {
  constructor(@Inject(HostsService) private readonly hosts: HostsService) {}

  @Post()
  @Idempotent()
  @Roles(Role.Admin)
  @ApiOperation({
    summary: 'Registers a livestream host: a party secretary, cadre, media host or influencer',
  })
  @ApiCreatedResponse({ type: HostView })
  async create(@Body() dto: CreateHostDto): Promise<HostView> {
    return mapHost(await this.hosts.create(dto));
  }

  @Get()
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Livestream hosts' })
  @ApiOkResponse({ type: HostPage })
  list(@Query() q: PageQuery): Promise<Page<HostView>> {
    return this.hosts.list(q);
  }
}
