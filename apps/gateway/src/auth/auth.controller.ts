import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiNoContentResponse,
  ApiOkResponse,
  ApiCreatedResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { UserRole, type Session, type User, type UserServiceClient } from '@ordermesh/contracts';
import { GrpcClient, GrpcStatus, InjectGrpcClient, isGrpcCallError } from '@ordermesh/service-kit';
import type { Request, Response } from 'express';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { IsEmailAddress, IsText } from '../common/field-rules';
import { presentUser } from '../users/users.controller';
import { Public } from './auth.guard';
import { LoginThrottle } from './login-throttle';
import { SessionRevocations } from './session-revocations';
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

/** The one answer to a registration, whether or not the email already had an account. */
export const REGISTRATION_RECEIVED =
  'registration received: log in with this email and password (if the email already had an ' +
  'account, its password is unchanged)';

class RegisteredDto {
  @ApiProperty({ example: REGISTRATION_RECEIVED }) message!: string;
}

class RefreshTokenDto {
  @ApiProperty({ description: 'the refresh token of the last login or refresh' })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  refreshToken!: string;
}

class SessionTokensDto {
  @ApiProperty({ description: 'short-lived bearer token for the API' }) accessToken!: string;
  @ApiProperty({ description: 'lifetime of the access token in seconds' }) expiresIn!: number;
  @ApiProperty({ example: 'Bearer' }) tokenType!: string;
  @ApiProperty({ description: 'single use: exchange it at /auth/refresh for the next pair' })
  refreshToken!: string;
  @ApiProperty({ format: 'date-time' }) refreshTokenExpiresAt!: string;
  @ApiProperty({ description: 'the signed-in user' }) user!: object;
}

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    @InjectGrpcClient('user') private readonly users: GrpcClient<UserServiceClient>,
    private readonly tokens: TokenService,
    private readonly revocations: SessionRevocations,
    private readonly throttle: LoginThrottle,
  ) {}

  @Public()
  @Post('register')
  @ApiOperation({
    summary: 'Create a customer account',
    description:
      'The answer is the same whether or not the email already has an account, so the endpoint ' +
      'does not tell who is registered; log in to use the account.',
  })
  @ApiCreatedResponse({ type: RegisteredDto })
  async register(@Body() body: RegisterDto): Promise<RegisteredDto> {
    try {
      await this.users.call('registerUser', { ...body, role: UserRole.CUSTOMER });
    } catch (error) {
      // Taken: same answer (the user service hashed the password either way, so same time too).
      if (!(isGrpcCallError(error) && error.code === GrpcStatus.ALREADY_EXISTS)) throw error;
    }
    return { message: REGISTRATION_RECEIVED };
  }

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Start a session: an access token and a single-use refresh token' })
  @ApiOkResponse({ type: SessionTokensDto })
  @ApiUnauthorizedResponse({ description: 'unknown email or wrong password' })
  @ApiTooManyRequestsResponse({
    description:
      'too many failed logins for this account: the delay grows with each failure (Retry-After)',
  })
  async login(
    @Body() body: LoginDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const keys = this.throttle.keys(body.email, request.ip ?? 'unknown');
    await this.throttle.check(keys, response);
    let created;
    try {
      created = await this.users.call('createSession', body);
    } catch (error) {
      if (isGrpcCallError(error) && error.code === GrpcStatus.UNAUTHENTICATED) {
        await this.throttle.failed(keys);
      }
      throw error;
    }
    await this.throttle.succeeded(keys);
    return this.tokensFor(created.user!, created.session!);
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Exchange a refresh token for a new access token and refresh token (rotation)',
    description:
      'The presented refresh token is used up. Presenting a used refresh token again ends the ' +
      'whole session (401). The new access token carries the current role; a suspended account ' +
      'gets 403.',
  })
  @ApiOkResponse({ type: SessionTokensDto })
  @ApiUnauthorizedResponse({ description: 'unknown, expired, used or revoked refresh token' })
  async refresh(@Body() body: RefreshTokenDto) {
    const { user, session } = await this.users.call('refreshSession', {
      refreshToken: body.refreshToken,
    });
    return this.tokensFor(user!, session!);
  }

  @Public()
  @Post('logout')
  @HttpCode(204)
  @ApiOperation({
    summary: 'End the session of a refresh token',
    description:
      'Revokes every refresh token of the session; its access tokens are refused from then on. ' +
      'Answers 204 for an unknown or already ended session too.',
  })
  @ApiNoContentResponse()
  async logout(@Body() body: RefreshTokenDto): Promise<void> {
    const { sessionId } = await this.users.call('revokeSession', {
      refreshToken: body.refreshToken,
    });
    if (sessionId) await this.revocations.end(sessionId);
  }

  private async tokensFor(user: User, session: Session) {
    const role = user.role === UserRole.ADMIN ? 'admin' : 'customer';
    const token = await this.tokens.issue({
      userId: user.userId,
      role,
      sessionId: session.sessionId,
    });
    return {
      ...token,
      tokenType: 'Bearer',
      refreshToken: session.refreshToken,
      refreshTokenExpiresAt: session.refreshTokenExpiresAt,
      user: presentUser(user),
    };
  }
}
