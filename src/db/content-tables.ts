/** Kysely table types of content releases (migrations/0017): drafts, the published release and history. */
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Nullable<T> = ColumnType<T | null, T | null | undefined, T | null>;

export type ReleaseStatus = 'draft' | 'published' | 'archived';

export interface ContentTables {
  content_releases: {
    id: Generated<number>;
    practice_id: string;
    version: Nullable<number>;
    status: ReleaseStatus;
    content: ColumnType<unknown, string, string>;
    based_on: Nullable<number>;
    note: Nullable<string>;
    created_by: Nullable<string>;
    created_at: Timestamp;
    updated_by: Nullable<string>;
    updated_at: Timestamp;
    published_by: Nullable<string>;
    published_at: NullableTimestamp;
    locked_by: Nullable<string>;
    lock_expires_at: NullableTimestamp;
  };
}
