import { Module } from '@nestjs/common';
import { SessionsService } from '../sessions/sessions.service';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  controllers: [UsersController],
  providers: [UsersService, SessionsService],
})
export class UsersModule {}
