import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { UserRole, type UserServiceClient } from '@ordermesh/contracts';
import { GrpcClient, InjectGrpcClient } from '@ordermesh/service-kit';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import { presentUser } from '../users/users.controller';
import { Public } from './auth.guard';
import { TokenService } from './token.service';

class RegisterDto {
  @ApiProperty({ example: 'ada@example.com' })
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ minLength: 8, maxLength: 256 })
  @IsString()
  @MinLength(8)
  @MaxLength(256)
  password!: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;
}

class LoginDto {
  @ApiProperty({ example: 'ada@example.com' })
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
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
