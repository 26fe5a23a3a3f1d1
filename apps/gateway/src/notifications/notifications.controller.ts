import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { NotificationServiceClient } from '@ordermesh/contracts';
import { GrpcClient, InjectGrpcClient } from '@ordermesh/service-kit';
import { CurrentPrincipal } from '../auth/principal.decorator';
import type { Principal } from '../auth/token.service';
import { PageQueryDto } from '../common/dto';

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('notifications')
export class NotificationsController {
  constructor(
    @InjectGrpcClient('notification')
    private readonly notifications: GrpcClient<NotificationServiceClient>,
  ) {}

  @Get()
  async list(@CurrentPrincipal() principal: Principal, @Query() query: PageQueryDto) {
    const page = await this.notifications.call('listNotifications', {
      userId: principal.userId,
      pageSize: query.pageSize,
      pageToken: query.pageToken,
    });
    return { items: page.notifications, nextPageToken: page.nextPageToken || null };
  }
}
