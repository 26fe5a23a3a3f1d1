import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { UserRole, type UserServiceClient } from '@ordermesh/contracts';
import { GrpcClient, InjectGrpcClient } from '@ordermesh/service-kit';
import { IsEmailAddress, IsText } from '../common/field-rules';
import { presentUser } from '../users/users.controller';
import { Public } from './auth.guard';
import { TokenService } from './token.service';

class RegisterDto {
  @ApiProperty({ example: 'ada@example.com', maxLength: 254 })
  @IsEmailAddress()
  email!: string;

  @ApiProperty({ minLength: 8, maxLength: 256 })
  @IsText('password')
  password!: string;

  @ApiProperty({ example: 'Ada Lovelace', minLength: 1, maxLength: 200 })
  @IsText('personName')
  name!: string;
}

class LoginDto {
  @ApiProperty({ example: 'ada@example.com', maxLength: 254 })
  @IsEmailAddress()
  email!: string;

  @ApiProperty({ minLength: 1, maxLength: 256 })
  @IsText('loginPassword')
  password!: string;
}

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    @InjectGrpcClient('user') private readonly users: GrpcClient<UserServiceClient>,
    private readonly tokens: TokenService,
  ) {}

  @Public()
  @Post('register')
  async register(@Body() body: RegisterDto) {
    const { user } = await this.users.call('registerUser', { ...body, role: UserRole.CUSTOMER });
    return { user: presentUser(user!) };
  }

  @Public()
  @Post('login')
  @HttpCode(200)
  async login(@Body() body: LoginDto) {
    const { user } = await this.users.call('authenticateUser', body);
    const role = user!.role === UserRole.ADMIN ? 'admin' : 'customer';
    const token = await this.tokens.issue({ userId: user!.userId, role });
    return { ...token, tokenType: 'Bearer', user: presentUser(user!) };
  }
}
