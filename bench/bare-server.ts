// The floor for the catalog benchmark: a bare NestJS route on the same Fastify adapter, no guards, pipes,
// database or logging, returning a fixed JSON body read from the file named in BARE_BODY_FILE.
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { readFileSync } from 'node:fs';

const body: unknown = JSON.parse(readFileSync(process.env.BARE_BODY_FILE!, 'utf8'));

@Controller()
class BareController {
  @Get('bare')
  bare(): unknown {
    return body;
  }
}

@Module({ controllers: [BareController] })
class BareModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(BareModule, new FastifyAdapter(), {
    logger: false,
  });
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

void main();
