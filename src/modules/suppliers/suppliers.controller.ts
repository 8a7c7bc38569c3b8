import { Body, Controller, Get, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '@/common/auth/decorators';
import { AuthUser, Role } from '@/common/auth/role';
import { ApiErrors } from '@/common/errors/api-errors';
import { Idempotent } from '@/common/idempotency/idempotency.interceptor';
import { Page } from '@/common/pagination';
import {
  CreateLinkageDto,
  CreateSupplierDto,
  LinkageView,
  mapLinkage,
  mapSupplier,
  SupplierListQuery,
  SupplierPage,
  SupplierView,
} from './dto/supplier.dto';
import {
  LinkageExistsError,
  LinkageNotApplicableError,
  NotOwnSupplierError,
  SharesExceedSaleError,
  SupplierNotFoundError,
} from './errors';
import { SuppliersService } from './suppliers.service';

@ApiTags('suppliers')
@Controller('suppliers')
export class SuppliersController {
  constructor(@Inject(SuppliersService) private readonly suppliers: SuppliersService) {}

  @Post()
  @Idempotent()
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Registers a supplier: a household, a cooperative or an enterprise' })
  @ApiCreatedResponse({ type: SupplierView })
  async create(@Body() dto: CreateSupplierDto): Promise<SupplierView> {
    return mapSupplier(await this.suppliers.create(dto));
  }

  @Get()
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Suppliers, by type or village' })
  @ApiOkResponse({ type: SupplierPage })
  list(@Query() q: SupplierListQuery): Promise<Page<SupplierView>> {
    return this.suppliers.list(q, mapSupplier);
  }

  @Get(':id')
  @Roles(Role.Admin, Role.Supplier)
  @ApiOperation({ summary: 'One supplier (a supplier account: its own)' })
  @ApiOkResponse({ type: SupplierView })
  @ApiErrors(SupplierNotFoundError, NotOwnSupplierError)
  async get(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<SupplierView> {
    return mapSupplier(await this.suppliers.getFor(user, id));
  }

  @Post(':id/linkages')
  @Idempotent()
  @Roles(Role.Admin)
  @ApiOperation({
    summary: 'Links a beneficiary to the supplier: revenue share, plot contract, equity or employment',
  })
  @ApiCreatedResponse({ type: LinkageView })
  @ApiErrors(SupplierNotFoundError, LinkageNotApplicableError, SharesExceedSaleError, LinkageExistsError)
  async addLinkage(@Param('id') id: string, @Body() dto: CreateLinkageDto): Promise<LinkageView> {
    return mapLinkage(await this.suppliers.addLinkage(id, dto));
  }

  @Get(':id/linkages')
  @Roles(Role.Admin, Role.Supplier)
  @ApiOperation({ summary: 'The supplier’s benefit linkages' })
  @ApiOkResponse({ type: [LinkageView] })
  @ApiErrors(NotOwnSupplierError)
  async linkages(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<LinkageView[]> {
    this.suppliers.assertOwn(user, id);
    return (await this.suppliers.linkagesOf(id)).map(mapLinkage);
  }
}
