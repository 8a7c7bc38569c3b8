import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AuthUser, hasRole, Role } from '@/common/auth/role';
import { ValidationFailedError } from '@/common/errors/domain-error';
import { newId } from '@/common/ids';
import { Page, paginate } from '@/common/pagination';
import {
  CreateOrganizationDto,
  mapOrganization,
  OrganizationListQuery,
  OrganizationView,
} from './dto/organization.dto';
import { OrganizationEntity } from './entities/organization.entity';
import { NotOwnOrganizationError, OrganizationNotFoundError } from './errors';

/** Budget units, assistance groups and enterprises that buy products. */
@Injectable()
export class OrganizationsService {
  constructor(@InjectRepository(OrganizationEntity) private readonly repo: Repository<OrganizationEntity>) {}

  async create(dto: CreateOrganizationDto): Promise<OrganizationEntity> {
    if (dto.parentId && !(await this.exists(dto.parentId))) {
      throw new ValidationFailedError([
        { field: 'parentId', message: 'parentId must name an existing organization' },
      ]);
    }
    const o = this.repo.create({
      id: newId(),
      name: dto.name,
      type: dto.type,
      parentId: dto.parentId ?? null,
    });
    await this.repo.insert(o);
    return o;
  }

  async exists(id: string): Promise<boolean> {
    return this.repo.exist({ where: { id } });
  }

  /** ADMIN sees any organization; buyers and approvers only their own. */
  async getFor(user: AuthUser, id: string): Promise<OrganizationEntity> {
    if (!hasRole(user, Role.Admin) && user.organizationId !== id) {
      throw new NotOwnOrganizationError();
    }
    const o = await this.repo.findOne({ where: { id } });
    if (!o) {
      throw new OrganizationNotFoundError(id);
    }
    return o;
  }

  list(q: OrganizationListQuery): Promise<Page<OrganizationView>> {
    const qb = this.repo.createQueryBuilder('o');
    if (q.type) {
      qb.andWhere('o.type = :t', { t: q.type });
    }
    return paginate(qb, q, mapOrganization);
  }
}
