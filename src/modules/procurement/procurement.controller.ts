import { Body, Controller, Get, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '@/common/auth/decorators';
import { AuthUser, Role } from '@/common/auth/role';
import { Page } from '@/common/pagination';
import {
  CreateOrganizationDto,
  mapOrganization,
  OrganizationListQuery,
  OrganizationsService,
  OrganizationView,
} from './organizations.service';
import { Idempotent } from '@/common/idempotency/idempotency.interceptor';

@ApiTags('procurement')
@Controller('organizations')
export class OrganizationsController {
  constructor(@Inject(OrganizationsService) private readonly organizations: OrganizationsService) {}

  @Post()
  @Idempotent()
  @Roles(Role.Admin)
  async create(@Body() dto: CreateOrganizationDto): Promise<OrganizationView> {
    return mapOrganization(await this.organizations.create(dto));
  }

  @Get()
  @Roles(Role.Admin)
  list(@Query() q: OrganizationListQuery): Promise<Page<OrganizationView>> {
    return this.organizations.list(q);
  }

  @Get(':id')
  @Roles(Role.Admin, Role.UnitBuyer, Role.UnitApprover)
  async get(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<OrganizationView> {
    return mapOrganization(await this.organizations.getFor(user, id));
  }
}
