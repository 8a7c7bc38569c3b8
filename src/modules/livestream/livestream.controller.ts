import { Body, Controller, Get, Inject, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Roles } from '@/common/auth/decorators';
import { Role } from '@/common/auth/role';
import { Page, PageQuery } from '@/common/pagination';
import { CreateHostDto, HostsService, HostView, mapHost } from './hosts.service';
import { Idempotent } from '@/common/idempotency/idempotency.interceptor';

@ApiTags('livestream')
@Controller('live/hosts')
export class HostsController {
  constructor(@Inject(HostsService) private readonly hosts: HostsService) {}

  @Post()
  @Idempotent()
  @Roles(Role.Admin)
  async create(@Body() dto: CreateHostDto): Promise<HostView> {
    return mapHost(await this.hosts.create(dto));
  }

  @Get()
  @Roles(Role.Admin)
  list(@Query() q: PageQuery): Promise<Page<HostView>> {
    return this.hosts.list(q);
  }
}
