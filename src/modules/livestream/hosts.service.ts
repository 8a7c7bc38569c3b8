import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository } from 'typeorm';
import { withTransaction } from '@/infrastructure/database/transaction';
import { UsersService } from '@/modules/identity/users.service';
import { ValidationFailedError } from '@/common/errors/domain-error';
import { newId } from '@/common/ids';
import { Page, PageQuery, paginate } from '@/common/pagination';
import { RegionsService } from '@/modules/regions/regions.service';
import { CreateHostDto, HostView, mapHost } from './dto/host.dto';
import { HostEntity } from './entities/host.entity';

/** Livestream hosts: party secretaries, first secretaries, cadres, media hosts, influencers. */
@Injectable()
export class HostsService {
  constructor(
    @InjectRepository(HostEntity) private readonly repo: Repository<HostEntity>,
    @Inject(RegionsService) private readonly regions: RegionsService,
    @Inject(UsersService) private readonly users: UsersService,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  async create(dto: CreateHostDto): Promise<HostEntity> {
    if (dto.regionCode && !(await this.regions.exists(dto.regionCode))) {
      throw new ValidationFailedError([
        { field: 'regionCode', message: 'regionCode must name an existing region' },
      ]);
    }
    const h = this.repo.create({
      id: newId(),
      name: dto.name,
      kind: dto.kind,
      regionCode: dto.regionCode ?? null,
      userId: dto.userId ?? null,
    });
    await withTransaction(this.db, async (em) => {
      await em.insert(HostEntity, h);
      if (dto.userId) {
        const bound = await this.users.bindHost(dto.userId, h.id, em);
        if (bound !== 'bound') {
          throw new ValidationFailedError([
            {
              field: 'userId',
              message:
                bound === 'no-such-user'
                  ? 'userId must name an existing user'
                  : 'userId is already the user of another host',
            },
          ]);
        }
      }
    });
    return h;
  }

  find(id: string): Promise<HostEntity | null> {
    return this.repo.findOne({ where: { id } });
  }

  findMany(ids: readonly string[]): Promise<HostEntity[]> {
    return ids.length ? this.repo.find({ where: { id: In([...ids]) } }) : Promise.resolve([]);
  }

  async exists(id: string): Promise<boolean> {
    return this.repo.exist({ where: { id } });
  }

  list(q: PageQuery): Promise<Page<HostView>> {
    return paginate(this.repo.createQueryBuilder('h'), q, mapHost);
  }
}
