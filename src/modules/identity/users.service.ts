import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { Env, ENV } from '@/config/env';
import { Role } from '@/common/auth/role';
import { FieldCipher } from '@/common/crypto/field-cipher';
import { FieldError, ValidationFailedError } from '@/common/errors/domain-error';
import { newId } from '@/common/ids';
import { isDuplicateKey } from '@/common/errors/db-errors';
import { CreateUserDto } from './dto/identity.dto';
import { UserEntity } from './entities/user.entity';
import { UsernameTakenError } from './errors';
import { checkPassword, hashPassword, hashPasswordSync } from './password';
import { BINDING_FIELDS, BindingField, RoleBindings } from './role-bindings';

// Compared against when the username is unknown, so a miss costs as long as a wrong password.
let dummyHash: string | undefined;
const dummy = () => (dummyHash ??= hashPasswordSync('no such user'));

/** Which binding each role needs. */
const BINDING: Partial<Record<Role, BindingField>> = {
  [Role.UnitBuyer]: 'organizationId',
  [Role.UnitApprover]: 'organizationId',
  [Role.Host]: 'hostId',
  [Role.Supplier]: 'supplierId',
  [Role.Cadre]: 'regionCode',
};

@Injectable()
export class UsersService implements OnApplicationBootstrap {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    @InjectRepository(UserEntity) private readonly repo: Repository<UserEntity>,
    @Inject(ENV) private readonly env: Env,
    @Inject(FieldCipher) private readonly cipher: FieldCipher,
    @Inject(RoleBindings) private readonly bindings: RoleBindings,
  ) {}

  async create(dto: CreateUserDto): Promise<UserEntity> {
    const errors: FieldError[] = [];
    for (const role of dto.roles) {
      const field = BINDING[role];
      if (field && !dto[field]) {
        errors.push({ field, message: `${role} needs ${field}` });
      }
    }
    if (dto.roles.includes(Role.Citizen)) {
      errors.push({ field: 'roles', message: 'citizen accounts are created by phone login, not here' });
    }
    for (const field of BINDING_FIELDS) {
      const value = dto[field];
      if (value !== undefined && !(await this.bindings.exists(field, value))) {
        errors.push({ field, message: `${field} must name an existing record` });
      }
    }
    if (errors.length) {
      throw new ValidationFailedError(errors);
    }
    const user = this.repo.create({
      id: newId(),
      username: dto.username,
      passwordHash: await hashPassword(dto.password),
      roles: dto.roles,
      organizationId: dto.organizationId ?? null,
      hostId: dto.hostId ?? null,
      supplierId: dto.supplierId ?? null,
      regionCode: dto.regionCode ?? null,
      // A staff member's work phone is for notices only: no blind index, so it never signs in by code.
      phoneEnc: dto.phone ? this.cipher.encrypt(dto.phone) : null,
      phoneHash: null,
      disabled: false,
    });
    try {
      await this.repo.insert(user);
    } catch (e) {
      if (isDuplicateKey(e)) {
        throw new UsernameTakenError(dto.username);
      }
      throw e;
    }
    return user;
  }

  /** The user whose password matches, or null; takes as long whether or not the username exists. */
  async verifyPassword(username: string, password: string): Promise<UserEntity | null> {
    const user = await this.repo.findOne({ where: { username } });
    const ok = await checkPassword(password, user?.passwordHash ?? dummy());
    return ok && user && !user.disabled ? user : null;
  }

  /** The citizen behind a phone number, created on first login. */
  async citizenByPhone(phone: string): Promise<UserEntity> {
    const phoneHash = this.cipher.blindIndex(phone);
    const existing = await this.repo.findOne({ where: { phoneHash } });
    if (existing) {
      return existing;
    }
    const id = newId();
    const user = this.repo.create({
      id,
      username: `citizen-${id.toLowerCase()}`,
      passwordHash: null,
      roles: [Role.Citizen],
      phoneEnc: this.cipher.encrypt(phone),
      phoneHash,
      organizationId: null,
      hostId: null,
      supplierId: null,
      regionCode: null,
      disabled: false,
    });
    try {
      await this.repo.insert(user);
      return user;
    } catch (e) {
      if (isDuplicateKey(e)) {
        return this.repo.findOneOrFail({ where: { phoneHash } });
      }
      throw e;
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    // Every module has registered its check by now (at init); a binding nobody checks stops the start.
    this.bindings.assertComplete();
    await this.ensureAdmin(this.env.ADMIN_USERNAME, this.env.ADMIN_PASSWORD);
  }

  /** The first ADMIN from ADMIN_USERNAME / ADMIN_PASSWORD, created when missing. */
  async ensureAdmin(username: string, password: string): Promise<void> {
    if (await this.repo.exist({ where: { username } })) {
      return;
    }
    try {
      await this.repo.insert(
        this.repo.create({
          id: newId(),
          username,
          passwordHash: await hashPassword(password),
          roles: [Role.Admin],
          organizationId: null,
          hostId: null,
          supplierId: null,
          regionCode: null,
          phoneEnc: null,
          phoneHash: null,
          disabled: false,
        }),
      );
      this.logger.log(`created the first administrator "${username}"`);
    } catch (e) {
      if (!isDuplicateKey(e)) {
        throw e;
      }
    }
  }

  /** The phones of an organization's users with `role` (its approvers, for notices), enabled users only. */
  async phonesOfOrganization(
    organizationId: string,
    role: Role,
  ): Promise<{ userId: string; phone: string }[]> {
    const users = await this.repo.find({
      where: { organizationId, disabled: false },
      select: { id: true, roles: true, phoneEnc: true },
    });
    return users
      .filter((u) => u.roles.includes(role) && u.phoneEnc)
      .map((u) => ({ userId: u.id, phone: this.cipher.decrypt(u.phoneEnc!) }));
  }

  /** The id of the user with this username, or null. */
  async idOf(username: string): Promise<string | null> {
    return (await this.repo.findOne({ where: { username }, select: { id: true } }))?.id ?? null;
  }

  /** Usernames by id, for audit trails. */
  async usernames(ids: readonly string[]): Promise<Map<string, string>> {
    if (!ids.length) {
      return new Map();
    }
    const users = await this.repo.find({
      where: { id: In([...new Set(ids)]) },
      select: { id: true, username: true },
    });
    return new Map(users.map((u) => [u.id, u.username]));
  }

  /** The phone number of a citizen, for receipts. */
  async phoneOf(userId: string): Promise<string | null> {
    const u = await this.repo.findOne({ where: { id: userId }, select: { id: true, phoneEnc: true } });
    return u?.phoneEnc ? this.cipher.decrypt(u.phoneEnc) : null;
  }

  /**
   * The account that stands for a platform's buyers (`platform-douyin`): the buyer of sales made on another
   * platform and imported, created when first needed. It is disabled and has no password, so nobody signs
   * in with it.
   */
  async platformAccount(platform: string): Promise<string> {
    const username = `platform-${platform.toLowerCase()}`;
    const existing = await this.repo.findOne({ where: { username }, select: { id: true } });
    if (existing) {
      return existing.id;
    }
    try {
      const id = newId();
      await this.repo.insert(
        this.repo.create({
          id,
          username,
          passwordHash: null,
          roles: [Role.Citizen],
          organizationId: null,
          hostId: null,
          supplierId: null,
          regionCode: null,
          phoneEnc: null,
          phoneHash: null,
          disabled: true,
        }),
      );
      return id;
    } catch (e) {
      if (!isDuplicateKey(e)) {
        throw e;
      }
      return (await this.repo.findOneOrFail({ where: { username }, select: { id: true } })).id;
    }
  }

  /**
   * Makes a user the HOST of a host profile (a livestream host registered with its user): adds the role and
   * the binding. Answers why not when it cannot: no such user, or bound to another host already.
   */
  async bindHost(
    userId: string,
    hostId: string,
    em?: EntityManager,
  ): Promise<'bound' | 'no-such-user' | 'bound-elsewhere'> {
    const repo = em ? em.getRepository(UserEntity) : this.repo;
    const user = await repo.findOne({
      where: { id: userId },
      lock: em ? { mode: 'pessimistic_write' } : undefined,
    });
    if (!user) {
      return 'no-such-user';
    }
    if (user.hostId && user.hostId !== hostId) {
      return 'bound-elsewhere';
    }
    const roles = user.roles.includes(Role.Host) ? user.roles : [...user.roles, Role.Host];
    await repo.update({ id: userId }, { hostId, roles });
    return 'bound';
  }
}
