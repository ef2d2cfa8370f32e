import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** Readiness probe for the service's MySQL schema. */
@Injectable()
export class MysqlReadiness {
  readonly name = 'mysql';
  constructor(@InjectDataSource() private readonly db: DataSource) {}
  async check(): Promise<void> {
    await this.db.query('SELECT 1');
  }
}
