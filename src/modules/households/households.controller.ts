import { Body, Controller, Get, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '@/common/auth/decorators';
import { AuthUser, Role } from '@/common/auth/role';
import { Page } from '@/common/pagination';
import { CreateHouseholdDto, HouseholdListQuery, HouseholdView, mapHousehold } from './dto/household.dto';
import { HouseholdsService } from './households.service';
import { Idempotent } from '@/common/idempotency/idempotency.interceptor';

@ApiTags('households')
@Controller('households')
export class HouseholdsController {
  constructor(@Inject(HouseholdsService) private readonly households: HouseholdsService) {}

  @Post()
  @Idempotent()
  @Roles(Role.Admin)
  async create(@Body() dto: CreateHouseholdDto): Promise<HouseholdView> {
    return mapHousehold(await this.households.create(dto));
  }

  @Get()
  @Roles(Role.Admin, Role.Cadre)
  list(@CurrentUser() user: AuthUser, @Query() q: HouseholdListQuery): Promise<Page<HouseholdView>> {
    return this.households.listFor(user, q, mapHousehold);
  }

  @Get(':id')
  @Roles(Role.Admin, Role.Cadre)
  async get(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<HouseholdView> {
    return mapHousehold(await this.households.getFor(user, id));
  }
}
