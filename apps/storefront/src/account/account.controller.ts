import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import { InjectConfig } from '@ordermesh/service-kit';
import type { Request, Response } from 'express';
import { field, safeReturnPath } from '../common/http';
import type { StorefrontEnv } from '../config/env.schema';
import { GatewayClient, GatewayError } from '../gateway/gateway.client';
import { clearSession, writeSession } from '../session/session';
import { Views } from '../views/views';

@Controller()
export class AccountController {
  constructor(
    private readonly gateway: GatewayClient,
    private readonly views: Views,
    @InjectConfig() private readonly config: StorefrontEnv,
  ) {}

  @Get('signin')
  signInPage(@Req() request: Request, @Res() response: Response, @Query('next') next = '/') {
    response.send(
      this.views.page(request, 'signin.njk', {
        title: 'Sign in',
        next: safeReturnPath(next),
        registered: request.query['registered'] === '1',
        email: typeof request.query['email'] === 'string' ? request.query['email'] : '',
      }),
    );
  }

  @Post('signin')
  async signIn(@Req() request: Request, @Res() response: Response, @Body() body: unknown) {
    const email = field(body, 'email');
    const next = safeReturnPath(field(body, 'next'));
    try {
      const result = await this.gateway.login(email, field(body, 'password'), request.ip);
      writeSession(
        response,
        { token: result.accessToken, user: result.user },
        result.expiresIn,
        this.config.COOKIE_SECURE,
      );
    } catch (error) {
      if (error instanceof GatewayError && error.status >= 400 && error.status < 500) {
        response.status(error.status === 429 ? 429 : 401);
        response.send(
          this.views.page(request, 'signin.njk', {
            title: 'Sign in',
            next,
            email,
            error:
              error.status === 429
                ? error.message
                : 'That email and password do not match an account.',
          }),
        );
        return;
      }
      throw error;
    }
    response.redirect(303, next);
  }

  @Get('register')
  registerPage(@Req() request: Request, @Res() response: Response) {
    response.send(
      this.views.page(request, 'register.njk', { title: 'Create an account', form: {} }),
    );
  }

  @Post('register')
  async register(@Req() request: Request, @Res() response: Response, @Body() body: unknown) {
    const form = { email: field(body, 'email'), name: field(body, 'name') };
    try {
      await this.gateway.register({ ...form, password: field(body, 'password') }, request.ip);
    } catch (error) {
      if (error instanceof GatewayError && error.status >= 400 && error.status < 500) {
        response.status(error.status);
        response.send(
          this.views.page(request, 'register.njk', {
            title: 'Create an account',
            form,
            error: error.message,
          }),
        );
        return;
      }
      throw error;
    }
    response.redirect(303, `/signin?registered=1&email=${encodeURIComponent(form.email)}`);
  }

  @Post('signout')
  signOut(@Res() response: Response) {
    clearSession(response);
    response.redirect(303, '/');
  }
}
