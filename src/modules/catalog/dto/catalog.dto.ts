import { ApiPropertyOptional } from '@nestjs/swagger';
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
import { PageQuery } from '@/common/pagination';
import { IsCalendarDate } from '@/common/validation';
import { ProductEntity, ProductStatus } from '../entities/product.entity';
import { SupplyLotEntity } from '../entities/supply-lot.entity';

export class CreateProductDto {
  @IsString()
  @Length(1, 128)
  name: string;

  @IsString()
  @Length(1, 32)
  category: string;

  @ApiPropertyOptional({ example: '盒', description: 'Sales unit: box, jin, kg, bottle…' })
  @IsString()
  @Length(1, 16)
  unit: string;

  @IsInt()
  @Min(1)
  @Max(100_000_000)
  priceFen: number;

  @IsString()
  supplierId: string;

  @IsString()
  originVillageCode: string;

  @IsOptional()
  @IsString()
  @Length(1, 64)
  certificateNo?: string;

  @ApiPropertyOptional({ description: 'Last day the certificate is valid (YYYY-MM-DD, Asia/Shanghai)' })
  @IsOptional()
  @IsCalendarDate()
  certifiedUntil?: string;
}

export class ProductListQuery extends PageQuery {
  @IsOptional()
  @IsString()
  @Length(1, 32)
  category?: string;

  @ApiPropertyOptional({ description: 'Words in the product name' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  q?: string;

  @IsOptional()
  @IsEnum(ProductStatus)
  status?: ProductStatus;

  @IsOptional()
  @IsString()
  supplierId?: string;
}

export class LotSourceDto {
  @IsString()
  householdId: string;

  @IsInt()
  @Min(1)
  quantity: number;
}

export class CreateLotDto {
  @IsInt()
  @Min(1)
  @Max(100_000_000)
  quantity: number;

  @IsOptional()
  @IsCalendarDate()
  producedAt?: string;

  @IsOptional()
  @IsCalendarDate()
  expiresAt?: string;

  @ApiPropertyOptional({
    type: [LotSourceDto],
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

export interface ProductView {
  id: string;
  name: string;
  category: string;
  unit: string;
  priceFen: number;
  supplierId: string;
  originVillageCode: string;
  certificateNo: string | null;
  certifiedUntil: string | null;
  status: ProductStatus;
  stock: number;
}

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

export interface LotView {
  id: string;
  productId: string;
  quantity: number;
  stock: number;
  producedAt: string | null;
  expiresAt: string | null;
  sources: { householdId: string; quantity: number }[];
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
