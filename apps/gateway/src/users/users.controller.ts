import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { UserRole, UserStatus, type User, type UserServiceClient } from '@ordermesh/contracts';
import { GrpcClient, InjectGrpcClient } from '@ordermesh/service-kit';
import { IsIn } from 'class-validator';
import { Roles } from '../auth/auth.guard';
import { CurrentPrincipal } from '../auth/principal.decorator';
import type { Principal } from '../auth/token.service';
import { present } from '../common/present';
import { UuidParam } from '../common/uuid.pipe';

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

const SETTABLE_STATUSES = {
  active: UserStatus.ACTIVE,
  suspended: UserStatus.SUSPENDED,
} as const;

class SetUserStatusDto {
  @ApiProperty({ enum: Object.keys(SETTABLE_STATUSES), example: 'suspended' })
  @IsIn(Object.keys(SETTABLE_STATUSES), { message: 'status must be active or suspended' })
  status!: keyof typeof SETTABLE_STATUSES;
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

  /**
   * Suspends or re-activates an account (admin). A suspension ends every session of the user:
   * their next refresh is refused, so it takes effect within one access-token lifetime.
   */
  @Roles('admin')
  @Put(':userId/status')
  async setStatus(@Param('userId', UuidParam) userId: string, @Body() body: SetUserStatusDto) {
    const { user } = await this.users.call('setUserStatus', {
      userId,
      status: SETTABLE_STATUSES[body.status],
    });
    return presentUser(user!);
  }
}
