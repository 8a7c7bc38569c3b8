import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { FindOptionsWhere, In, Repository } from 'typeorm';
import { AuthUser, hasRole, Role } from '@/common/auth/role';
import { ValidationFailedError } from '@/common/errors/domain-error';
import { isDuplicateKey } from '@/infrastructure/database/transaction';
import { CreateRegionDto } from './dto/region.dto';
import { RegionEntity, RegionLevel } from './entities/region.entity';
import { NoRegionScopeError, RegionExistsError, RegionNotFoundError } from './errors';

const PARENT_LEVEL: Record<RegionLevel, RegionLevel | null> = {
  [RegionLevel.District]: null,
  [RegionLevel.Town]: RegionLevel.District,
  [RegionLevel.Village]: RegionLevel.Town,
};

@Injectable()
export class RegionsService {
  constructor(@InjectRepository(RegionEntity) private readonly repo: Repository<RegionEntity>) {}

  async create(dto: CreateRegionDto): Promise<RegionEntity> {
    const wantParent = PARENT_LEVEL[dto.level];
    let path = `/${dto.code}/`;
    if (wantParent) {
      if (!dto.parentCode) {
        throw new ValidationFailedError([
          { field: 'parentCode', message: `a ${dto.level} needs a ${wantParent} parent` },
        ]);
      }
      const parent = await this.repo.findOne({ where: { code: dto.parentCode } });
      if (!parent || parent.level !== wantParent) {
        throw new ValidationFailedError([
          { field: 'parentCode', message: `parentCode must name an existing ${wantParent}` },
        ]);
      }
      path = `${parent.path}${dto.code}/`;
    } else if (dto.parentCode) {
      throw new ValidationFailedError([{ field: 'parentCode', message: 'a DISTRICT has no parent' }]);
    }
    if (dto.poorVillage && dto.level !== RegionLevel.Village) {
      throw new ValidationFailedError([
        { field: 'poorVillage', message: 'only a VILLAGE can be a poor village' },
      ]);
    }
    if (await this.repo.exist({ where: { code: dto.code } })) {
      throw new RegionExistsError(dto.code);
    }
    const region = this.repo.create({
      code: dto.code,
      name: dto.name,
      level: dto.level,
      parentCode: dto.parentCode ?? null,
      path,
      poorVillage: dto.poorVillage ?? false,
    });
    try {
      await this.repo.insert(region);
    } catch (e) {
      // Two creations of one code at once: the loser is told the same as a late caller.
      if (isDuplicateKey(e)) {
        throw new RegionExistsError(dto.code);
      }
      throw e;
    }
    return region;
  }

  async list(q: { parentCode?: string; level?: RegionLevel }): Promise<RegionEntity[]> {
    const where: FindOptionsWhere<RegionEntity> = {};
    if (q.parentCode) {
      where.parentCode = q.parentCode;
    }
    if (q.level) {
      where.level = q.level;
    }
    return this.repo.find({ where, order: { code: 'ASC' } });
  }

  async get(code: string): Promise<RegionEntity> {
    const r = await this.repo.findOne({ where: { code } });
    if (!r) {
      throw new RegionNotFoundError(code);
    }
    return r;
  }

  async findMany(codes: string[]): Promise<Map<string, RegionEntity>> {
    const rows = codes.length ? await this.repo.findBy({ code: In([...new Set(codes)]) }) : [];
    return new Map(rows.map((r) => [r.code, r]));
  }

  /** The named region, which must exist and be a village; for a field error otherwise. */
  async requireVillage(code: string, field = 'villageCode'): Promise<RegionEntity> {
    const r = await this.repo.findOne({ where: { code } });
    if (!r || r.level !== RegionLevel.Village) {
      throw new ValidationFailedError([{ field, message: `${field} must name an existing VILLAGE` }]);
    }
    return r;
  }

  async exists(code: string): Promise<boolean> {
    return this.repo.exist({ where: { code } });
  }

  /** Is region `code` inside the region whose path is `scopePath` (or that region itself)? */
  async isWithin(code: string, scopePath: string): Promise<boolean> {
    const r = await this.repo.findOne({ where: { code }, select: { code: true, path: true } });
    return !!r && r.path.startsWith(scopePath);
  }

  /**
   * The region codes a caller may see: null for everyone (ADMIN), else the CADRE's own region and below.
   * Throws 403 for any other caller.
   */
  async scopePathFor(user: AuthUser): Promise<string | null> {
    if (hasRole(user, Role.Admin)) {
      return null;
    }
    if (hasRole(user, Role.Cadre) && user.regionCode) {
      const r = await this.repo.findOne({ where: { code: user.regionCode } });
      if (r) {
        return r.path;
      }
    }
    throw new NoRegionScopeError();
  }
}
