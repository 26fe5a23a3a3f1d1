import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { UserRole, UserStatus, type User, type UserServiceClient } from '@ordermesh/contracts';
import { GrpcClient, InjectGrpcClient } from '@ordermesh/service-kit';
import { CurrentPrincipal } from '../auth/principal.decorator';
import type { Principal } from '../auth/token.service';
import { present } from '../common/present';

export function presentUser(user: User) {
  return {
    id: user.userId,
    email: user.email,
    name: user.name,
    role: present(UserRole, user.role),
    status: present(UserStatus, user.status),
    createdAt: user.createdAt,
  };
}

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(@InjectGrpcClient('user') private readonly users: GrpcClient<UserServiceClient>) {}

  @Get('me')
  async me(@CurrentPrincipal() principal: Principal) {
    const { user } = await this.users.call('getUser', { userId: principal.userId });
    return presentUser(user!);
  }
}
