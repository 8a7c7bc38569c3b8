import { Body, Controller, Get, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentUser, Public, Roles } from '@/common/auth/decorators';
import { AuthUser, Role } from '@/common/auth/role';
import { Page } from '@/common/pagination';
import { CatalogService } from './catalog.service';
import { CreateLotDto, CreateProductDto, LotView, ProductListQuery, ProductView } from './dto/catalog.dto';
import { TraceService } from './trace.service';
import { Idempotent } from '@/common/idempotency/idempotency.interceptor';

@ApiTags('catalog')
@Controller()
export class CatalogController {
  constructor(
    @Inject(CatalogService) private readonly catalog: CatalogService,
    @Inject(TraceService) private readonly trace: TraceService,
  ) {}

  @Post('products')
  @Idempotent()
  @Roles(Role.Admin, Role.Supplier)
  createProduct(@CurrentUser() user: AuthUser, @Body() dto: CreateProductDto): Promise<ProductView> {
    return this.catalog.createProduct(user, dto);
  }

  @Get('products')
  @Public()
  listProducts(@Query() q: ProductListQuery): Promise<Page<ProductView>> {
    return this.catalog.listProducts(q);
  }

  @Get('products/:id')
  @Public()
  getProduct(@Param('id') id: string): Promise<ProductView> {
    return this.catalog.getProduct(id);
  }

  @Post('products/:id/lots')
  @Idempotent()
  @Roles(Role.Admin, Role.Supplier)
  createLot(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() dto: CreateLotDto,
  ): Promise<LotView> {
    return this.catalog.createLot(user, id, dto);
  }

  @Get('products/:id/lots')
  @Public()
  lots(@Param('id') id: string): Promise<LotView[]> {
    return this.catalog.lotsOf(id);
  }

  @Get('trace/lots/:id')
  @Public()
  traceLot(@Param('id') id: string) {
    return this.trace.traceLot(id);
  }
}
