import { Body, Controller, Get, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentUser, Public, Roles } from '@/common/auth/decorators';
import { AuthUser, Role } from '@/common/auth/role';
import { Page } from '@/common/pagination';
import { CreateLotDto, CreateProductDto, LotView, ProductListQuery, ProductView } from './dto/catalog.dto';
import { LotsService } from './lots.service';
import { ProductsService } from './products.service';
import { TraceService } from './trace.service';
import { Idempotent } from '@/common/idempotency/idempotency.interceptor';

@ApiTags('catalog')
@Controller()
export class CatalogController {
  constructor(
    @Inject(ProductsService) private readonly products: ProductsService,
    @Inject(LotsService) private readonly supplyLots: LotsService,
    @Inject(TraceService) private readonly trace: TraceService,
  ) {}

  @Post('products')
  @Idempotent()
  @Roles(Role.Admin, Role.Supplier)
  createProduct(@CurrentUser() user: AuthUser, @Body() dto: CreateProductDto): Promise<ProductView> {
    return this.products.createProduct(user, dto);
  }

  @Get('products')
  @Public()
  listProducts(@Query() q: ProductListQuery): Promise<Page<ProductView>> {
    return this.products.listProducts(q);
  }

  @Get('products/:id')
  @Public()
  getProduct(@Param('id') id: string): Promise<ProductView> {
    return this.products.getProduct(id);
  }

  @Post('products/:id/lots')
  @Idempotent()
  @Roles(Role.Admin, Role.Supplier)
  createLot(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() dto: CreateLotDto,
  ): Promise<LotView> {
    return this.supplyLots.createLot(user, id, dto);
  }

  @Get('products/:id/lots')
  @Public()
  lots(@Param('id') id: string): Promise<LotView[]> {
    return this.supplyLots.lotsOf(id);
  }

  @Get('trace/lots/:id')
  @Public()
  traceLot(@Param('id') id: string) {
    return this.trace.traceLot(id);
  }
}
