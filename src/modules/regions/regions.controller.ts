import { Body, Controller, Get, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public, Roles } from '@/common/auth/decorators';
import { Role } from '@/common/auth/role';
import { CreateRegionDto, mapRegion, RegionListQuery, RegionView } from './dto/region.dto';
import { RegionsService } from './regions.service';
import { Idempotent } from '@/common/idempotency/idempotency.interceptor';

@ApiTags('regions')
@Controller('regions')
export class RegionsController {
  constructor(@Inject(RegionsService) private readonly regions: RegionsService) {}

  @Post()
  @Idempotent()
  @Roles(Role.Admin)
  async create(@Body() dto: CreateRegionDto): Promise<RegionView> {
    return mapRegion(await this.regions.create(dto));
  }

  @Get()
  @Public()
  async list(@Query() q: RegionListQuery): Promise<RegionView[]> {
    return (await this.regions.list(q)).map(mapRegion);
  }

  @Get(':code')
  @Public()
  async get(@Param('code') code: string): Promise<RegionView> {
    return mapRegion(await this.regions.get(code));
  }
}
