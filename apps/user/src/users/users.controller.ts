import { Controller } from '@nestjs/common';
import {
  UserRole,
  UserServiceControllerMethods,
  UserStatus,
  type AuthenticateUserRequest,
  type AuthenticateUserResponse,
  type CreateSessionRequest,
  type CreateSessionResponse,
  type GetUserRequest,
  type GetUserResponse,
  type RefreshSessionRequest,
  type RefreshSessionResponse,
  type RegisterUserRequest,
  type RegisterUserResponse,
  type RevokeSessionRequest,
  type RevokeSessionResponse,
  type Session,
  type SetUserStatusRequest,
  type SetUserStatusResponse,
  type User,
  type UserServiceController,
} from '@ordermesh/contracts';
import { invalidArgument } from '@ordermesh/service-kit';
import { type IssuedSession, SessionsService } from '../sessions/sessions.service';
import type { UserEntity } from './user.entity';
import { UsersService } from './users.service';

@Controller()
@UserServiceControllerMethods()
export class UsersController implements UserServiceController {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
  ) {}

  async registerUser(request: RegisterUserRequest): Promise<RegisterUserResponse> {
    const role = request.role === UserRole.ADMIN ? 'admin' : 'customer';
    return { user: toMessage(await this.users.register({ ...request, role })) };
  }

  async authenticateUser(request: AuthenticateUserRequest): Promise<AuthenticateUserResponse> {
    return { user: toMessage(await this.users.authenticate(request.email, request.password)) };
  }

  async getUser(request: GetUserRequest): Promise<GetUserResponse> {
    return { user: toMessage(await this.users.get(request.userId)) };
  }

  async setUserStatus(request: SetUserStatusRequest): Promise<SetUserStatusResponse> {
    if (request.status !== UserStatus.ACTIVE && request.status !== UserStatus.SUSPENDED) {
      throw invalidArgument('status must be ACTIVE or SUSPENDED');
    }
    const status = request.status === UserStatus.ACTIVE ? 'active' : 'suspended';
    const user = await this.users.setStatus(request.userId, status);
    if (status === 'suspended') await this.sessions.revokeAllOf(user.id);
    return { user: toMessage(user) };
  }

  async createSession(request: CreateSessionRequest): Promise<CreateSessionResponse> {
    const { user, session } = await this.sessions.create(request.email, request.password);
    return { user: toMessage(user), session: toSession(session) };
  }

  async refreshSession(request: RefreshSessionRequest): Promise<RefreshSessionResponse> {
    const { user, session } = await this.sessions.refresh(request.refreshToken);
    return { user: toMessage(user), session: toSession(session) };
  }

  async revokeSession(request: RevokeSessionRequest): Promise<RevokeSessionResponse> {
    return { sessionId: (await this.sessions.revoke(request.refreshToken)) ?? '' };
  }
}

function toSession(session: IssuedSession): Session {
  return {
    sessionId: session.sessionId,
    refreshToken: session.refreshToken,
    refreshTokenExpiresAt: session.expiresAt.toISOString(),
  };
}

function toMessage(user: UserEntity): User {
  return {
    userId: user.id,
    email: user.email,
    name: user.name,
    role: user.role === 'admin' ? UserRole.ADMIN : UserRole.CUSTOMER,
    status: user.status === 'active' ? UserStatus.ACTIVE : UserStatus.SUSPENDED,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}
