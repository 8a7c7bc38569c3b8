import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { AuthUser } from '@/common/auth/role';
import { FieldCipher } from '@/common/crypto/field-cipher';
import { maskBankAccount, maskIdNumber, maskPhone } from '@/common/crypto/mask';
import { newId } from '@/common/ids';
import { Page, paginate } from '@/common/pagination';
import { isDuplicateKey } from '@/infrastructure/database/transaction';
import { RegionsService } from '@/modules/regions/regions.service';
import { CreateHouseholdDto, HouseholdListQuery } from './dto/household.dto';
import { HouseholdEntity, HouseholdStatus } from './entities/household.entity';
import { HouseholdExistsError, HouseholdNotFoundError, HouseholdOutsideRegionError } from './errors';

@Injectable()
export class HouseholdsService {
  constructor(
    @InjectRepository(HouseholdEntity) private readonly repo: Repository<HouseholdEntity>,
    @Inject(RegionsService) private readonly regions: RegionsService,
    @Inject(FieldCipher) private readonly cipher: FieldCipher,
  ) {}

  async create(dto: CreateHouseholdDto): Promise<HouseholdEntity> {
    await this.regions.requireVillage(dto.villageCode);
    const idNumber = dto.idNumber.toUpperCase();
    const h = this.repo.create({
      id: newId(),
      registryNo: dto.registryNo,
      headName: dto.headName,
      idNumberEnc: this.cipher.encrypt(idNumber),
      idNumberHash: this.cipher.blindIndex(idNumber),
      idNumberMasked: maskIdNumber(idNumber),
      phoneEnc: this.cipher.encryptNullable(dto.phone),
      phoneMasked: dto.phone ? maskPhone(dto.phone) : null,
      bankAccountEnc: this.cipher.encryptNullable(dto.bankAccount),
      bankAccountMasked: dto.bankAccount ? maskBankAccount(dto.bankAccount) : null,
      members: dto.members,
      villageCode: dto.villageCode,
      status: dto.status ?? HouseholdStatus.Lifted,
      statusReason: null,
    });
    try {
      await this.repo.insert(h);
    } catch (e) {
      if (isDuplicateKey(e)) {
        throw new HouseholdExistsError();
      }
      throw e;
    }
    return h;
  }

  /** A household the caller may see (ADMIN: any; CADRE: inside its region). */
  async getFor(user: AuthUser, id: string): Promise<HouseholdEntity> {
    const h = await this.repo.findOne({ where: { id } });
    if (!h) {
      throw new HouseholdNotFoundError(id);
    }
    const scope = await this.regions.scopePathFor(user);
    if (scope !== null && !(await this.regions.isWithin(h.villageCode, scope))) {
      throw new HouseholdOutsideRegionError();
    }
    return h;
  }

  async listFor<T>(user: AuthUser, q: HouseholdListQuery, map: (h: HouseholdEntity) => T): Promise<Page<T>> {
    const scope = await this.regions.scopePathFor(user);
    const qb = this.repo.createQueryBuilder('h');
    if (scope !== null) {
      qb.innerJoin('regions', 'r', 'r.code = h.village_code').andWhere('r.path LIKE :scope', {
        scope: `${scope}%`,
      });
    }
    if (q.villageCode) {
      qb.andWhere('h.village_code = :v', { v: q.villageCode });
    }
    if (q.status) {
      qb.andWhere('h.status = :s', { s: q.status });
    }
    return paginate(qb, q, map);
  }

  /** Sets a household's status with the reason (the return-to-poverty monitoring). */
  async setStatus(id: string, status: HouseholdStatus, reason: string | null): Promise<void> {
    await this.repo.update({ id }, { status, statusReason: reason });
  }

  /** The bank account in clear, for a payout file only. */
  bankAccountOf(h: HouseholdEntity): string | null {
    return h.bankAccountEnc ? this.cipher.decrypt(h.bankAccountEnc) : null;
  }

  async exists(id: string): Promise<boolean> {
    return this.repo.exist({ where: { id } });
  }

  async findMany(ids: string[]): Promise<Map<string, HouseholdEntity>> {
    const rows = ids.length ? await this.repo.findBy({ id: In([...new Set(ids)]) }) : [];
    return new Map(rows.map((h) => [h.id, h]));
  }
}
