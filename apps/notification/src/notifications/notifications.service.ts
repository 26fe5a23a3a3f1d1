import { Injectable } from '@nestjs/common';
import {
  InvalidPageTokenError,
  decodePageToken,
  encodePageToken,
  normalizePageSize,
  type Notification,
} from '@ordermesh/contracts';
import { InjectRedis } from '@ordermesh/persistence';
import { InjectConfig, invalidArgument, isUuid } from '@ordermesh/service-kit';
import type Redis from 'ioredis';
import type { NotificationEnv } from '../config/env.schema';
import { NotificationMetrics } from './notification.metrics';
import { keys, notificationId } from './notification-ids';
import { type Cursor, cursorSchema, parseWithScores, selectPage } from './pagination';
import { type NotificationEvent, render } from './templates';

const DAY_MS = 86_400_000;

@Injectable()
export class NotificationsService {
  constructor(
    @InjectRedis() private readonly redis: Redis,
    @InjectConfig() private readonly config: NotificationEnv,
    private readonly metrics: NotificationMetrics,
  ) {}

  /**
   * Stores the notification of an event, once. One MULTI (atomic) writes the dedup mark
   * (SET NX with a TTL), the notification hash and its entry in the user's sorted set, and trims
   * that set. The notification id is derived from (event id, user), so even a replay after the
   * dedup mark expired rewrites the same notification rather than adding one. Resolves once Redis
   * executed the transaction; only then does the consumer commit the offset.
   */
  async store(event: NotificationEvent): Promise<'processed' | 'duplicate'> {
    const content = render(event);
    const id = notificationId(event.id, content.userId);
    const createdAt = new Date(event.time);
    const score = createdAt.getTime();
    const retentionMs = this.config.NOTIFICATION_RETENTION_DAYS * DAY_MS;
    const retentionSeconds = Math.ceil(retentionMs / 1000);
    const userKey = keys.user(content.userId);
    const notificationKey = keys.notification(id);

    const results = await this.redis
      .multi()
      .set(keys.event(event.id), id, 'EX', this.config.NOTIFICATION_DEDUP_TTL_SECONDS, 'NX')
      .hset(notificationKey, {
        notificationId: id,
        userId: content.userId,
        kind: event.type,
        title: content.title,
        body: content.body,
        eventId: event.id,
        createdAt: createdAt.toISOString(),
      })
      .pexpireat(notificationKey, score + retentionMs)
      .zadd(userKey, score, id)
      .zremrangebyscore(userKey, '-inf', `(${Date.now() - retentionMs}`)
      .zremrangebyrank(userKey, 0, -(this.config.NOTIFICATION_MAX_PER_USER + 1))
      .expire(userKey, retentionSeconds)
      .exec();
    if (!results) throw new Error('Redis transaction aborted');
    const failed = results.find(([error]) => error);
    if (failed) throw failed[0];
    const duplicate = results[0]?.[1] !== 'OK';
    this.metrics.stored(event.type, duplicate ? 'duplicate' : 'stored');
    return duplicate ? 'duplicate' : 'processed';
  }

  /** A user's notifications, newest first, `page_size` at a time (keyset cursor in the token). */
  async list(
    userIdInput: string,
    pageSize: number,
    pageToken: string,
  ): Promise<{ notifications: Notification[]; nextPageToken: string }> {
    if (!isUuid(userIdInput)) throw invalidArgument('user_id must be a UUID');
    const userId = userIdInput.toLowerCase();
    const size = normalizePageSize(pageSize);
    let cursor: Cursor | undefined;
    try {
      cursor = decodePageToken(pageToken, cursorSchema, userId);
    } catch (error) {
      if (error instanceof InvalidPageTokenError) throw invalidArgument(error.message);
      throw error;
    }
    const userKey = keys.user(userId);
    // Entries with the cursor's own score are read again and filtered out by selectPage.
    const ties = cursor ? await this.redis.zcount(userKey, cursor.s, cursor.s) : 0;
    const raw = await this.redis.zrevrangebyscore(
      userKey,
      cursor ? cursor.s : '+inf',
      '-inf',
      'WITHSCORES',
      'LIMIT',
      0,
      size + 1 + ties,
    );
    const { page, hasMore } = selectPage(parseWithScores(raw), cursor, size);
    const pipeline = this.redis.pipeline();
    for (const entry of page) pipeline.hgetall(keys.notification(entry.id));
    const hashes = page.length ? ((await pipeline.exec()) ?? []) : [];
    const notifications: Notification[] = [];
    for (const [error, value] of hashes) {
      if (error) throw error;
      const fields = value as Record<string, string>;
      // Expired (retention) while still indexed: skip; the next write prunes the index.
      if (!fields['notificationId']) continue;
      notifications.push({
        notificationId: fields['notificationId'],
        userId: fields['userId'] ?? userId,
        kind: fields['kind'] ?? '',
        title: fields['title'] ?? '',
        body: fields['body'] ?? '',
        eventId: fields['eventId'] ?? '',
        createdAt: fields['createdAt'] ?? '',
      });
    }
    const last = page[page.length - 1];
    return {
      notifications,
      nextPageToken: hasMore && last ? encodePageToken({ s: last.score, id: last.id }, userId) : '',
    };
  }
}
