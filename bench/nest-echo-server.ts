// A bare NestJS JSON echo on the same framework stack: the reference the protocol figures are read against.
import 'reflect-metadata';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

@Controller()
class EchoController {
  @Post('echo')
  @HttpCode(200)
  echo(@Body() body: Record<string, unknown>) {
    return { RespCode: 'AAAAAAA', RespMessage: '成功', Data: body };
  }
}

@Module({ controllers: [EchoController] })
class EchoModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(EchoModule, { logger: ['error'] });
  await app.listen(Number(process.env.PORT), '127.0.0.1');
  console.log('ready');
}

void main();
