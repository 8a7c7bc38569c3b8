import { Module } from '@nestjs/common';

/** The one order model every channel uses, with payments and refunds; filled by the spine issue. */
@Module({})
export class OrdersModule {}
