import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
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
      userId: null,
    });
    await this.repo.insert(h);
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
