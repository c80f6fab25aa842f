import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { PARTNER_OPERATION, PartnerOperationMeta, TranCode } from './partner-operation';

export interface PartnerHandler {
  tranCode: TranCode;
  request: new () => object;
  invoke: (request: object) => Promise<unknown>;
}

/** Finds every `@PartnerOperation` handler at start-up, so the gateway can dispatch on TranCode. */
@Injectable()
export class PartnerOperationRegistry implements OnModuleInit {
  private readonly handlers = new Map<TranCode, PartnerHandler>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getControllers()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance) continue;
      for (const name of this.scanner.getAllMethodNames(Object.getPrototypeOf(instance) as object)) {
        const method = instance[name] as (request: object) => Promise<unknown>;
        const meta = this.reflector.get<PartnerOperationMeta | undefined>(PARTNER_OPERATION, method);
        if (!meta || meta.tranCode === 'gateway' || !meta.request || meta.gateway === false) continue;
        if (this.handlers.has(meta.tranCode)) throw new Error(`two handlers for TranCode ${meta.tranCode}`);
        this.handlers.set(meta.tranCode, {
          tranCode: meta.tranCode,
          request: meta.request,
          invoke: (request) => method.call(instance, request),
        });
      }
    }
  }

  find(tranCode: TranCode): PartnerHandler | undefined {
    return this.handlers.get(tranCode);
  }
}
