import { Body, Controller, Get, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Public, Roles } from '@/common/auth/decorators';
import { AuthUser, Role } from '@/common/auth/role';
import { ApiErrors } from '@/common/errors/api-errors';
import { Idempotent } from '@/common/idempotency/idempotency.interceptor';
import { Page } from '@/common/pagination';
import { NotOwnSupplierError } from '@/modules/suppliers/errors';
import {
  CreateLotDto,
  CreateProductDto,
  LotView,
  ProductListQuery,
  ProductPage,
  ProductView,
  TraceView,
} from './dto/catalog.dto';
import { LotNotFoundError, ProductNotFoundError, SourcesMismatchError } from './errors';
import { LotsService } from './lots.service';
import { ProductsService } from './products.service';
import { TraceService } from './trace.service';

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
  @ApiOperation({ summary: 'Lists a product of a supplier; on sale once it has a valid certificate' })
  @ApiCreatedResponse({ type: ProductView })
  @ApiErrors(NotOwnSupplierError)
  createProduct(@CurrentUser() user: AuthUser, @Body() dto: CreateProductDto): Promise<ProductView> {
    return this.products.createProduct(user, dto);
  }

  @Get('products')
  @Public()
  @ApiOperation({ summary: 'The public catalog, by category, name, status or supplier' })
  @ApiOkResponse({ type: ProductPage })
  listProducts(@Query() q: ProductListQuery): Promise<Page<ProductView>> {
    return this.products.listProducts(q);
  }

  @Get('products/:id')
  @Public()
  @ApiOperation({ summary: 'One product with its stock' })
  @ApiOkResponse({ type: ProductView })
  @ApiErrors(ProductNotFoundError)
  getProduct(@Param('id') id: string): Promise<ProductView> {
    return this.products.getProduct(id);
  }

  @Post('products/:id/lots')
  @Idempotent()
  @Roles(Role.Admin, Role.Supplier)
  @ApiOperation({ summary: 'Adds a supply lot of a product, with the households it came from' })
  @ApiCreatedResponse({ type: LotView })
  @ApiErrors(ProductNotFoundError, NotOwnSupplierError, SourcesMismatchError)
  createLot(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() dto: CreateLotDto,
  ): Promise<LotView> {
    return this.supplyLots.createLot(user, id, dto);
  }

  @Get('products/:id/lots')
  @Public()
  @ApiOperation({ summary: 'The supply lots of a product' })
  @ApiOkResponse({ type: [LotView] })
  @ApiErrors(ProductNotFoundError)
  lots(@Param('id') id: string): Promise<LotView[]> {
    return this.supplyLots.lotsOf(id);
  }

  @Get('trace/lots/:id')
  @Public()
  @ApiOperation({
    summary: 'The story behind a trace code: product, origin, supplier, households and the fen they received',
  })
  @ApiOkResponse({ type: TraceView })
  @ApiErrors(LotNotFoundError)
  traceLot(@Param('id') id: string): Promise<TraceView> {
    return this.trace.traceLot(id);
  }
}
