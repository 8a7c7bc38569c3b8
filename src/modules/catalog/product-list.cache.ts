import { Inject, Injectable } from '@nestjs/common';
import { MicroCache } from '@/common/micro-cache';
import { Page } from '@/common/pagination';
import { Env, ENV } from '@/config/env';
import { ProductView } from './dto/catalog.dto';

/**
 * The public catalog's pages, cached for CATALOG_CACHE_MS. A provider of its own so that every catalog
 * service that changes what the list shows (a product, a lot, stock put back) clears it without depending
 * on the service that reads it.
 */
@Injectable()
export class ProductListCache extends MicroCache<Page<ProductView>> {
  constructor(@Inject(ENV) env: Env) {
    super(env.CATALOG_CACHE_MS);
  }
}
