import { Body, Controller, Get, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '@/common/auth/decorators';
import { AuthUser, Role } from '@/common/auth/role';
import { ApiErrors } from '@/common/errors/api-errors';
import { Idempotent } from '@/common/idempotency/idempotency.interceptor';
import { Page } from '@/common/pagination';
import {
  CreateOrganizationDto,
  mapOrganization,
  OrganizationListQuery,
  OrganizationPage,
  OrganizationView,
} from './dto/organization.dto';
import { NotOwnOrganizationError, OrganizationNotFoundError } from './errors';
import { OrganizationsService } from './organizations.service';

@ApiTags('procurement')
@Controller('organizations')
export class OrganizationsController {
  constructor(@Inject(OrganizationsService) private readonly organizations: OrganizationsService) {}

  @Post()
  @Idempotent()
  @Roles(Role.Admin)
  @ApiOperation({
    summary: 'Registers a buying organization: a budget unit, an assistance group, an enterprise…',
  })
  @ApiCreatedResponse({ type: OrganizationView })
  async create(@Body() dto: CreateOrganizationDto): Promise<OrganizationView> {
    return mapOrganization(await this.organizations.create(dto));
  }

  @Get()
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Buying organizations, by type' })
  @ApiOkResponse({ type: OrganizationPage })
  list(@Query() q: OrganizationListQuery): Promise<Page<OrganizationView>> {
    return this.organizations.list(q);
  }

  @Get(':id')
  @Roles(Role.Admin, Role.UnitBuyer, Role.UnitApprover)
  @ApiOperation({ summary: 'One organization (its own buyers and approvers, or an administrator)' })
  @ApiOkResponse({ type: OrganizationView })
  @ApiErrors(OrganizationNotFoundError, NotOwnOrganizationError)
  async get(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<OrganizationView> {
    return mapOrganization(await this.organizations.getFor(user, id));
  }
}
