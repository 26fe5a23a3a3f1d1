import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  SetMetadata,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { OPERATIONAL_ROUTE } from '@ordermesh/observability';
import type { Request } from 'express';
import { SessionRevocations } from './session-revocations';
import { InvalidTokenError, TokenService, type Principal, type Role } from './token.service';

const PUBLIC = 'ordermesh:public';
const ROLES = 'ordermesh:roles';

/** The route needs no token. */
export const Public = () => SetMetadata(PUBLIC, true);
/** The route is for these roles only. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES, roles);

export type AuthenticatedRequest = Request & { principal?: Principal };

/** Every route is authenticated unless marked @Public(); @Roles() narrows it further. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly revocations: SessionRevocations,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, targets)) return true;
    if (this.reflector.getAllAndOverride<boolean>(OPERATIONAL_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization ?? '';
    const [scheme, token] = header.split(' ');
    if (scheme !== 'Bearer' || !token) {
      throw new UnauthorizedException('a bearer token is required');
    }
    try {
      request.principal = await this.tokens.verify(token);
    } catch (error) {
      if (error instanceof InvalidTokenError) throw new UnauthorizedException(error.message);
      throw error;
    }
    if (await this.revocations.hasEnded(request.principal.sessionId)) {
      request.principal = undefined;
      throw new UnauthorizedException('this session has ended');
    }
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, targets);
    if (roles && !roles.includes(request.principal.role)) {
      throw new ForbiddenException('this operation needs the admin role');
    }
    return true;
  }
}
