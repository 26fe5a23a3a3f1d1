import {
  DynamicModule,
  Global,
  Inject,
  Injectable,
  Module,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import { Readiness, SERVICE_CONFIG } from '@ordermesh/observability';
import Redis from 'ioredis';

export const REDIS = Symbol('REDIS');

/** `@InjectRedis() redis: Redis` */
export const InjectRedis = (): ParameterDecorator & PropertyDecorator => Inject(REDIS);

@Injectable()
class RedisLifecycle implements OnModuleInit, OnModuleDestroy {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly readiness: Readiness,
  ) {}

  onModuleInit(): void {
    this.readiness.register('redis', async () => {
      await this.redis.ping();
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/**
 * The service's Redis connection (REDIS_URL from the validated configuration), with a readiness
 * check. Commands fail fast while Redis is unreachable instead of queueing without bound.
 */
@Global()
@Module({})
export class RedisModule {
  static forRoot(): DynamicModule {
    return {
      module: RedisModule,
      providers: [
        {
          provide: REDIS,
          inject: [SERVICE_CONFIG],
          useFactory: (config: { REDIS_URL: string }) =>
            new Redis(config.REDIS_URL, {
              maxRetriesPerRequest: 1,
              enableOfflineQueue: false,
              connectTimeout: 2_000,
            }),
        },
        RedisLifecycle,
      ],
      exports: [REDIS],
    };
  }
}
