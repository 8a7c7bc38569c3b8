import { Body, Controller, Get, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '@/common/auth/decorators';
import { AuthUser, Role } from '@/common/auth/role';
import { ApiErrors } from '@/common/errors/api-errors';
import { Idempotent } from '@/common/idempotency/idempotency.interceptor';
import { Page } from '@/common/pagination';
import { NoRegionScopeError } from '@/modules/regions/errors';
import {
  CreateHouseholdDto,
  HouseholdListQuery,
  HouseholdPage,
  HouseholdView,
  mapHousehold,
} from './dto/household.dto';
import { HouseholdExistsError, HouseholdNotFoundError, HouseholdOutsideRegionError } from './errors';
import { HouseholdsService } from './households.service';

@ApiTags('households')
@Controller('households')
export class HouseholdsController {
  constructor(@Inject(HouseholdsService) private readonly households: HouseholdsService) {}

  @Post()
  @Idempotent()
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Registers a household; ID number, phone and bank account are stored encrypted' })
  @ApiCreatedResponse({ type: HouseholdView })
  @ApiErrors(HouseholdExistsError)
  async create(@Body() dto: CreateHouseholdDto): Promise<HouseholdView> {
    return mapHousehold(await this.households.create(dto));
  }

  @Get()
  @Roles(Role.Admin, Role.Cadre)
  @ApiOperation({ summary: 'Households (a cadre sees those of its region), masked' })
  @ApiOkResponse({ type: HouseholdPage })
  @ApiErrors(NoRegionScopeError)
  list(@CurrentUser() user: AuthUser, @Query() q: HouseholdListQuery): Promise<Page<HouseholdView>> {
    return this.households.listFor(user, q, mapHousehold);
  }

  @Get(':id')
  @Roles(Role.Admin, Role.Cadre)
  @ApiOperation({ summary: 'One household, masked' })
  @ApiOkResponse({ type: HouseholdView })
  @ApiErrors(HouseholdNotFoundError, HouseholdOutsideRegionError, NoRegionScopeError)
  async get(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<HouseholdView> {
    return mapHousehold(await this.households.getFor(user, id));
  }
}
