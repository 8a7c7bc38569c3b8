import { Body, Controller, Get, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public, Roles } from '@/common/auth/decorators';
import { Role } from '@/common/auth/role';
import { ApiErrors } from '@/common/errors/api-errors';
import { Idempotent } from '@/common/idempotency/idempotency.interceptor';
import { CreateRegionDto, mapRegion, RegionListQuery, RegionView } from './dto/region.dto';
import { RegionExistsError, RegionNotFoundError } from './errors';
import { RegionsService } from './regions.service';

@ApiTags('regions')
@Controller('regions')
export class RegionsController {
  constructor(@Inject(RegionsService) private readonly regions: RegionsService) {}

  @Post()
  @Idempotent()
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Registers a district, town or village under its parent' })
  @ApiCreatedResponse({ type: RegionView })
  @ApiErrors(RegionExistsError)
  async create(@Body() dto: CreateRegionDto): Promise<RegionView> {
    return mapRegion(await this.regions.create(dto));
  }

  @Get()
  @Public()
  @ApiOperation({ summary: 'Regions, by parent or level' })
  @ApiOkResponse({ type: [RegionView] })
  async list(@Query() q: RegionListQuery): Promise<RegionView[]> {
    return (await this.regions.list(q)).map(mapRegion);
  }

  @Get(':code')
  @Public()
  @ApiOperation({ summary: 'One region by its code' })
  @ApiOkResponse({ type: RegionView })
  @ApiErrors(RegionNotFoundError)
  async get(@Param('code') code: string): Promise<RegionView> {
    return mapRegion(await this.regions.get(code));
  }
}
