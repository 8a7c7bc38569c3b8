import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsEnum,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageOf, PageQuery } from '@/common/pagination';
import { IsCalendarDate } from '@/common/validation';
import { ProductEntity, ProductStatus } from '../entities/product.entity';
import { SupplyLotEntity } from '../entities/supply-lot.entity';
import { SupplierType } from '@/modules/suppliers/entities/supplier.entity';

export class CreateProductDto {
  @ApiProperty({ minLength: 1, maxLength: 128, example: '分水柑橘 5斤装' })
  @IsString()
  @Length(1, 128)
  name: string;

  @ApiProperty({ minLength: 1, maxLength: 32, example: 'fruit' })
  @IsString()
  @Length(1, 32)
  category: string;

  @ApiProperty({
    minLength: 1,
    maxLength: 16,
    example: '盒',
    description: 'Sales unit: box, jin, kg, bottle…',
  })
  @IsString()
  @Length(1, 16)
  unit: string;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 100_000_000, example: 3990, description: 'Fen' })
  @IsInt()
  @Min(1)
  @Max(100_000_000)
  priceFen: number;

  @ApiProperty({ description: 'A SUPPLIER account may list products of its own supplier only' })
  @IsString()
  supplierId: string;

  @ApiProperty({ example: '500101113201', description: 'An existing VILLAGE' })
  @IsString()
  originVillageCode: string;

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 64,
    description: 'The poverty-alleviation product certificate; without one the product is not on sale',
  })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  certificateNo?: string;

  @ApiPropertyOptional({
    format: 'date',
    description: 'Last day the certificate is valid (YYYY-MM-DD, Asia/Shanghai)',
  })
  @IsOptional()
  @IsCalendarDate()
  certifiedUntil?: string;
}

export class ProductListQuery extends PageQuery {
  @ApiPropertyOptional({ minLength: 1, maxLength: 32, example: 'fruit' })
  @IsOptional()
  @IsString()
  @Length(1, 32)
  category?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 64, description: 'Words in the product name' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  q?: string;

  @ApiPropertyOptional({ enum: ProductStatus, enumName: 'ProductStatus' })
  @IsOptional()
  @IsEnum(ProductStatus)
  status?: ProductStatus;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  supplierId?: string;
}

export class LotSourceDto {
  @ApiProperty()
  @IsString()
  householdId: string;

  @ApiProperty({ type: 'integer', minimum: 1, example: 40 })
  @IsInt()
  @Min(1)
  quantity: number;
}

export class CreateLotDto {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 100_000_000, example: 100 })
  @IsInt()
  @Min(1)
  @Max(100_000_000)
  quantity: number;

  @ApiPropertyOptional({ format: 'date', example: '2025-11-20' })
  @IsOptional()
  @IsCalendarDate()
  producedAt?: string;

  @ApiPropertyOptional({ format: 'date', example: '2026-01-20', description: 'Not before producedAt' })
  @IsOptional()
  @IsCalendarDate()
  expiresAt?: string;

  @ApiPropertyOptional({
    type: [LotSourceDto],
    minItems: 1,
    maxItems: 1000,
    description:
      'Households behind the lot; quantities add up to quantity. A household supplier’s lot defaults to itself.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => LotSourceDto)
  sources?: LotSourceDto[];
}

export class ProductView {
  @ApiProperty()
  id: string;

  @ApiProperty({ example: '分水柑橘 5斤装' })
  name: string;

  @ApiProperty({ example: 'fruit' })
  category: string;

  @ApiProperty({ example: '盒' })
  unit: string;

  @ApiProperty({ type: 'integer', example: 3990, description: 'Fen' })
  priceFen: number;

  @ApiProperty()
  supplierId: string;

  @ApiProperty({ example: '500101113201' })
  originVillageCode: string;

  @ApiProperty({ type: String, nullable: true })
  certificateNo: string | null;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  certifiedUntil: string | null;

  @ApiProperty({ enum: ProductStatus, enumName: 'ProductStatus', description: 'Only CERTIFIED is on sale' })
  status: ProductStatus;

  @ApiProperty({ type: 'integer', description: 'Units left in its lots' })
  stock: number;
}

export const ProductPage = PageOf(ProductView);

/** A product is certified while it has a certificate whose last valid day has not passed. */
export function certificationStatus(
  p: Pick<ProductEntity, 'certificateNo' | 'certifiedUntil'>,
  today: string,
): ProductStatus {
  return p.certificateNo && (!p.certifiedUntil || p.certifiedUntil >= today)
    ? ProductStatus.Certified
    : ProductStatus.Uncertified;
}

export const mapProduct = (
  p: Omit<ProductView, 'status' | 'stock'>,
  stock: number,
  today: string,
): ProductView => ({
  id: p.id,
  name: p.name,
  category: p.category,
  unit: p.unit,
  priceFen: p.priceFen,
  supplierId: p.supplierId,
  originVillageCode: p.originVillageCode,
  certificateNo: p.certificateNo,
  certifiedUntil: p.certifiedUntil,
  status: certificationStatus(p, today),
  stock,
});

export class LotShareView {
  @ApiProperty()
  householdId: string;

  @ApiProperty({ type: 'integer', example: 40 })
  quantity: number;
}

export class LotView {
  @ApiProperty()
  id: string;

  @ApiProperty()
  productId: string;

  @ApiProperty({ type: 'integer', example: 100 })
  quantity: number;

  @ApiProperty({ type: 'integer', description: 'Units not sold yet', example: 100 })
  stock: number;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  producedAt: string | null;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  expiresAt: string | null;

  @ApiProperty({ type: [LotShareView], description: 'The households behind the lot, as listed' })
  sources: LotShareView[];
}

export const mapLot = (
  l: Pick<SupplyLotEntity, 'id' | 'productId' | 'quantity' | 'remaining' | 'producedAt' | 'expiresAt'>,
  sources: { householdId: string; quantity: number }[],
): LotView => ({
  id: l.id,
  productId: l.productId,
  quantity: l.quantity,
  stock: l.remaining,
  producedAt: l.producedAt,
  expiresAt: l.expiresAt,
  sources,
});

export class TraceLotView {
  @ApiProperty()
  id: string;

  @ApiProperty({ type: 'integer' })
  quantity: number;

  @ApiProperty({ type: 'integer' })
  stock: number;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  producedAt: string | null;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  expiresAt: string | null;
}

export class TraceProductView {
  @ApiProperty()
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty()
  category: string;

  @ApiProperty()
  unit: string;

  @ApiProperty({ type: 'integer', example: 3990, description: 'Fen' })
  priceFen: number;

  @ApiProperty({ type: String, nullable: true })
  certificateNo: string | null;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  certifiedUntil: string | null;

  @ApiProperty({ enum: ProductStatus, enumName: 'ProductStatus' })
  status: ProductStatus;
}

export class TraceTownView {
  @ApiProperty()
  code: string;

  @ApiProperty({ type: String, nullable: true })
  name: string | null;
}

export class TraceVillageView {
  @ApiProperty()
  code: string;

  @ApiProperty({ type: String, nullable: true })
  name: string | null;

  @ApiProperty()
  poorVillage: boolean;

  @ApiProperty({ type: TraceTownView, nullable: true })
  town: TraceTownView | null;
}

export class TraceSupplierView {
  @ApiProperty()
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ enum: SupplierType, enumName: 'SupplierType' })
  type: SupplierType;
}

export class TraceHouseholdView {
  @ApiProperty({ type: String, nullable: true, description: 'Masked', example: '王**' })
  headName: string | null;

  @ApiProperty({ type: String, nullable: true })
  villageCode: string | null;

  @ApiProperty({ type: String, nullable: true })
  villageName: string | null;

  @ApiProperty({ type: 'integer' })
  quantity: number;
}

/** The public story of a lot, as printed behind a product's trace code. */
export class TraceView {
  @ApiProperty({ type: TraceLotView })
  lot: TraceLotView;

  @ApiProperty({ type: TraceProductView })
  product: TraceProductView;

  @ApiProperty({ type: TraceVillageView })
  originVillage: TraceVillageView;

  @ApiProperty({ type: TraceSupplierView })
  supplier: TraceSupplierView;

  @ApiProperty({ type: [TraceHouseholdView], description: 'Names masked' })
  households: TraceHouseholdView[];

  @ApiProperty({
    type: 'integer',
    example: 12000,
    description: 'Fen of the lot’s sales credited to households',
  })
  householdIncomeFen: number;
}
