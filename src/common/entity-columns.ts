import { Column, CreateDateColumn, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** The primary key of every table: an opaque 26-character time-ordered id (see newId). */
export const IdColumn = () => PrimaryColumn({ type: 'char', length: 26 });
/** A column referencing another row's IdColumn. */
export const RefColumn = (name: string, nullable = false) =>
  Column({ name, type: 'char', length: 26, nullable });
// Precision of the default must match the column's, or MySQL 8 refuses the DDL.
export const CreatedAt = () =>
  CreateDateColumn({
    name: 'created_at',
    type: 'datetime',
    precision: 3,
    default: () => 'CURRENT_TIMESTAMP(3)',
  });
export const UpdatedAt = () =>
  UpdateDateColumn({
    name: 'updated_at',
    type: 'datetime',
    precision: 3,
    default: () => 'CURRENT_TIMESTAMP(3)',
    onUpdate: 'CURRENT_TIMESTAMP(3)',
  });
