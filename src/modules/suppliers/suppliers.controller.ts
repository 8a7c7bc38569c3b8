import { Body, Controller, Get, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '@/common/auth/decorators';
import { AuthUser, Role } from '@/common/auth/role';
import { Page } from '@/common/pagination';
import {
  CreateLinkageDto,
  CreateSupplierDto,
  LinkageView,
  mapLinkage,
  mapSupplier,
  SupplierListQuery,
  SupplierView,
} from './dto/supplier.dto';
import { SuppliersService } from './suppliers.service';
import { Idempotent } from '@/common/idempotency/idempotency.interceptor';

@ApiTags('suppliers')
@Controller('suppliers')
export class SuppliersController {
  constructor(@Inject(SuppliersService) private readonly suppliers: SuppliersService) {}

  @Post()
  @Idempotent()
  @Roles(Role.Admin)
  async create(@Body() dto: CreateSupplierDto): Promise<SupplierView> {
    return mapSupplier(await this.suppliers.create(dto));
  }

  @Get()
  @Roles(Role.Admin)
  list(@Query() q: SupplierListQuery): Promise<Page<SupplierView>> {
    return this.suppliers.list(q, mapSupplier);
  }

  @Get(':id')
  @Roles(Role.Admin, Role.Supplier)
  async get(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<SupplierView> {
    return mapSupplier(await this.suppliers.getFor(user, id));
  }

  @Post(':id/linkages')
  @Idempotent()
  @Roles(Role.Admin)
  async addLinkage(@Param('id') id: string, @Body() dto: CreateLinkageDto): Promise<LinkageView> {
    return mapLinkage(await this.suppliers.addLinkage(id, dto));
  }

  @Get(':id/linkages')
  @Roles(Role.Admin, Role.Supplier)
  async linkages(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<LinkageView[]> {
    this.suppliers.assertOwn(user, id);
    return (await this.suppliers.linkagesOf(id)).map(mapLinkage);
  }
}
