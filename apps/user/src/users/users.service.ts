import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { hash, verify } from '@node-rs/argon2';
import { TEXT_RULES, emailProblem, textProblem } from '@ordermesh/contracts';
import { Outbox } from '@ordermesh/messaging';
import { isUniqueViolation } from '@ordermesh/persistence';
import {
  alreadyExists,
  invalidArgument,
  isUuid,
  notFound,
  permissionDenied,
  unauthenticated,
} from '@ordermesh/service-kit';
import { DataSource } from 'typeorm';
import { UserEntity, type UserRoleName, type UserStatusName } from './user.entity';

/**
 * A hash computed once at start-up and verified against when the email is unknown, so an unknown
 * email and a wrong password take the same time.
 */
const DUMMY_HASH = hash('ordermesh-timing-equaliser');

@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  async register(input: {
    email: string;
    password: string;
    name: string;
    role: UserRoleName;
  }): Promise<UserEntity> {
    const { email, name } = normaliseRegistration(input);

    const passwordHash = await hash(input.password);
    try {
      return await this.dataSource.transaction(async (manager) => {
        const user = await manager.getRepository(UserEntity).save(
          manager.getRepository(UserEntity).create({
            id: randomUUID(),
            email,
            name,
            passwordHash,
            role: input.role,
            status: 'active',
          }),
        );
        await this.outbox.add(manager, 'user.registered.v1', {
          userId: user.id,
          email: user.email,
          name: user.name,
          role: user.role === 'admin' ? 'ADMIN' : 'CUSTOMER',
          registeredAt: user.createdAt.toISOString(),
        });
        return user;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw alreadyExists('a user with this email already exists');
      throw error;
    }
  }

  async authenticate(emailInput: string, password: string): Promise<UserEntity> {
    const email = emailInput.trim().toLowerCase();
    // An address no registration could have stored is looked up nowhere (it is still timed alike).
    const user =
      emailProblem('email', email) === undefined
        ? await this.dataSource.getRepository(UserEntity).findOneBy({ email })
        : null;
    const valid = await verify(user?.passwordHash ?? (await DUMMY_HASH), password).catch(
      () => false,
    );
    if (!user || !valid) throw unauthenticated('invalid email or password');
    if (user.status !== 'active') throw permissionDenied('this account is suspended');
    return user;
  }

  async get(id: string): Promise<UserEntity> {
    if (!isUuid(id)) throw invalidArgument('user_id must be a UUID');
    const user = await this.dataSource.getRepository(UserEntity).findOneBy({ id });
    if (!user) throw notFound(`user ${id} not found`);
    return user;
  }

  async setStatus(id: string, status: UserStatusName): Promise<UserEntity> {
    const user = await this.get(id);
    user.status = status;
    return this.dataSource.getRepository(UserEntity).save(user);
  }
}

/**
 * Checks and normalises a registration (email lower-cased, name trimmed); every problem is
 * reported at once as INVALID_ARGUMENT, before anything is hashed or written.
 */
export function normaliseRegistration(input: { email: string; password: string; name: string }): {
  email: string;
  name: string;
} {
  const email = input.email.trim().toLowerCase();
  const name = input.name.trim();
  // The shared field rules (the gateway's too); the email as stored is what user.registered.v1 carries.
  const problems = [
    emailProblem('email', email),
    textProblem('password', input.password, TEXT_RULES.password),
    textProblem('name', input.name, TEXT_RULES.personName),
  ].filter((problem): problem is string => problem !== undefined);
  if (problems.length) throw invalidArgument(problems.join('; '), { problems });
  return { email, name };
}
