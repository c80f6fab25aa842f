import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../../config/app-config';

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Checks `Authorization: Bearer <ADMIN_TOKEN>`. */
@Injectable()
export class AdminTokenVerifier {
  private readonly expectedDigest: Buffer;

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'adminToken'>) {
    this.expectedDigest = sha256(config.adminToken);
  }

  /** Why the header does not carry the admin token, or null when it does. */
  problem(authorization: string | undefined): string | null {
    if (authorization === undefined || authorization.trim() === '') return 'missing Authorization: Bearer <admin token>';
    const match = /^Bearer +(\S+) *$/i.exec(authorization);
    if (!match) return 'Authorization must be "Bearer <admin token>"';
    // Comparing fixed-length digests keeps the comparison constant-time and hides the token's length.
    return timingSafeEqual(sha256(match[1]), this.expectedDigest) ? null : 'invalid admin token';
  }
}

@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(private readonly verifier: AdminTokenVerifier) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const problem = this.verifier.problem(http.getRequest<Request>().headers.authorization);
    if (problem === null) return true;
    http.getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer realm="admin"');
    throw new UnauthorizedException(problem);
  }
}
