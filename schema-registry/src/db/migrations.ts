import type { MigrationObject } from '@mikro-orm/core';
import { PortableMigration } from '@ficus/kit';

class CreateRegistry extends PortableMigration {
  override up(): void {
    this.schema((s) =>
      s
        .createTable('variants', (t) => {
          t.string('id', 36).primary();
          t.string('graph', 64).notNullable();
          t.string('name', 64).notNullable();
          t.string('latest_supergraph_id', 64).nullable();
          t.json('check_settings').notNullable();
          t.timestamp('created_at', { useTz: true }).notNullable();
          t.unique(['graph', 'name'], { indexName: 'variants_graph_name_unique' });
        })
        .createTable('subgraph_publications', (t) => {
          t.increments('id').primary();
          t.string('variant_id', 36).notNullable();
          t.string('name', 64).notNullable();
          t.text('sdl').notNullable();
          t.string('routing_url', 2048).notNullable();
          t.string('published_by_key_id', 36).notNullable();
          t.string('published_by', 200).notNullable();
          t.timestamp('published_at', { useTz: true }).notNullable();
          t.string('supergraph_id', 64).notNullable();
          t.index(['variant_id', 'name'], 'subgraph_publications_variant_name_idx');
        })
        .createTable('supergraphs', (t) => {
          t.increments('key').primary();
          t.string('variant_id', 36).notNullable();
          t.string('id', 64).notNullable();
          t.text('sdl').notNullable();
          t.timestamp('created_at', { useTz: true }).notNullable();
          t.unique(['variant_id', 'id'], { indexName: 'supergraphs_variant_id_unique' });
        })
        .createTable('check_runs', (t) => {
          t.string('id', 36).primary();
          t.string('variant_id', 36).notNullable();
          t.string('subgraph_name', 64).notNullable();
          t.boolean('passed').notNullable();
          t.json('report').notNullable();
          t.string('created_by', 200).notNullable();
          t.timestamp('created_at', { useTz: true }).notNullable();
          t.index(['variant_id', 'created_at'], 'check_runs_variant_idx');
        })
        .createTable('api_keys', (t) => {
          t.string('id', 36).primary();
          t.string('name', 200).notNullable();
          t.string('key_hash', 64).notNullable().unique({ indexName: 'api_keys_key_hash_unique' });
          t.json('scopes').notNullable();
          t.timestamp('created_at', { useTz: true }).notNullable();
        })
        // Usage is written and aggregated with plain SQL (upserts that add counts), so it has no entities.
        .createTable('usage_operations', (t) => {
          t.string('variant_id', 36).notNullable();
          t.string('signature_hash', 64).notNullable();
          t.string('operation_name', 200).nullable();
          t.text('signature').notNullable();
          t.text('coordinates').notNullable();
          t.primary(['variant_id', 'signature_hash']);
        })
        .createTable('usage_counts', (t) => {
          t.string('variant_id', 36).notNullable();
          t.string('signature_hash', 64).notNullable();
          t.string('client_name', 200).notNullable();
          t.string('client_version', 200).notNullable();
          // Hours since the epoch: a portable integer on SQLite and PostgreSQL alike.
          t.integer('bucket_hour').notNullable();
          t.bigInteger('count').notNullable();
          t.primary(['variant_id', 'signature_hash', 'client_name', 'client_version', 'bucket_hour']);
          t.index(['variant_id', 'bucket_hour'], 'usage_counts_window_idx');
        }),
    );
  }
}

class CreateEventContractPublications extends PortableMigration {
  override up(): void {
    this.schema((s) =>
      s.createTable('event_contract_publications', (t) => {
        t.increments('id').primary();
        t.string('variant_id', 36).notNullable();
        t.json('contracts').notNullable();
        t.string('content_hash', 64).notNullable();
        t.string('published_by_key_id', 36).notNullable();
        t.string('published_by', 200).notNullable();
        t.timestamp('published_at', { useTz: true }).notNullable();
        t.index(['variant_id', 'id'], 'event_contract_publications_variant_idx');
      }),
    );
  }
}

class CreatePersistedQueries extends PortableMigration {
  override up(): void {
    this.schema((s) =>
      s
        .createTable('persisted_operations', (t) => {
          t.string('variant_id', 36).notNullable();
          t.string('id', 256).notNullable();
          t.string('name', 200).notNullable();
          t.string('type', 16).notNullable();
          t.text('body').notNullable();
          t.string('published_by_key_id', 36).notNullable();
          t.string('published_by', 200).notNullable();
          t.timestamp('published_at', { useTz: true }).notNullable();
          t.primary(['variant_id', 'id']);
        })
        .createTable('persisted_query_lists', (t) => {
          t.string('variant_id', 36).primary();
          t.integer('revision').notNullable();
          t.integer('operation_count').notNullable();
          t.integer('body_chars').notNullable();
          t.timestamp('updated_at', { useTz: true }).notNullable();
        }),
    );
  }
}

class CreateAuditLog extends PortableMigration {
  override up(): void {
    this.schema((s) =>
      s.createTable('audit_events', (t) => {
          t.increments('id').primary();
          t.timestamp('at', { useTz: true }).notNullable();
          t.string('action', 64).notNullable();
          t.string('graph_ref', 140).nullable();
          t.string('subject', 200).nullable();
          t.string('outcome', 32).notNullable();
          t.string('actor_key_id', 36).notNullable();
          t.string('actor', 200).notNullable();
          t.json('details').notNullable();
          t.index(['graph_ref', 'id'], 'audit_events_graph_ref_idx');
          t.index(['action', 'id'], 'audit_events_action_idx');
        }),
    );
  }
}

/**
 * Each operation's coordinates apart from its (large) signature, so that a check finding the
 * operations that touch what its changes break scans a narrow table. Filled from the operations
 * already stored: a check after the upgrade sees the same usage as before it.
 */
class IndexUsageByCoordinate extends PortableMigration {
  override up(): void {
    this.schema((s) =>
      s.createTable('usage_operation_coordinates', (t) => {
        t.string('variant_id', 36).notNullable();
        t.string('signature_hash', 64).notNullable();
        t.text('coordinates').notNullable();
        t.primary(['variant_id', 'signature_hash']);
      }),
    );
    this.addSql(
      'INSERT INTO usage_operation_coordinates (variant_id, signature_hash, coordinates) SELECT variant_id, signature_hash, coordinates FROM usage_operations',
    );
  }
}

/**
 * Operations get a number, given in the order they are first reported, and the coordinates and
 * counts refer to it instead of the signature's hash. A batch of operations never seen before
 * then appends to the coordinates and counts (one index of random keys, the hash's, is written
 * per new operation instead of three): on SQLite most of a batch's cost was writing the pages of
 * those indexes, hundreds per batch, each 4 KiB. The coordinates are kept only beside the
 * number, no longer also with the signature. Tables are rebuilt (SQLite cannot add a numbered
 * key) and their rows copied, so usage stored before the upgrade keeps counting.
 */
class NumberUsageOperations extends PortableMigration {
  override up(): void {
    this.schema((s) =>
      s
        .createTable('usage_operations_numbered', (t) => {
          t.increments('id');
          t.string('variant_id', 36).notNullable();
          t.string('signature_hash', 64).notNullable();
          t.string('operation_name', 200).nullable();
          t.text('signature').notNullable();
          t.unique(['variant_id', 'signature_hash'], { indexName: 'usage_operations_signature_unique' });
        })
        .createTable('usage_operation_coordinates_numbered', (t) => {
          // An integer key: on SQLite the table's own row number, so a new operation appends.
          t.integer('operation_id').notNullable();
          t.string('variant_id', 36).notNullable();
          t.text('coordinates').notNullable();
          t.primary(['operation_id']);
          t.index(['variant_id', 'operation_id'], 'usage_operation_coordinates_variant_idx');
        })
        .createTable('usage_counts_numbered', (t) => {
          t.string('variant_id', 36).notNullable();
          t.integer('operation_id').notNullable();
          t.string('client_name', 200).notNullable();
          t.string('client_version', 200).notNullable();
          t.integer('bucket_hour').notNullable();
          t.bigInteger('count').notNullable();
          t.primary(['variant_id', 'operation_id', 'client_name', 'client_version', 'bucket_hour']);
          t.index(['variant_id', 'bucket_hour'], 'usage_counts_hour_idx');
        }),
    );
    this.addSql(
      'INSERT INTO usage_operations_numbered (variant_id, signature_hash, operation_name, signature) ' +
        'SELECT variant_id, signature_hash, operation_name, signature FROM usage_operations ORDER BY variant_id, signature_hash',
    );
    this.addSql(
      'INSERT INTO usage_operation_coordinates_numbered (operation_id, variant_id, coordinates) ' +
        'SELECT n.id, n.variant_id, o.coordinates FROM usage_operations o JOIN usage_operations_numbered n ON n.variant_id = o.variant_id AND n.signature_hash = o.signature_hash',
    );
    this.addSql(
      'INSERT INTO usage_counts_numbered (variant_id, operation_id, client_name, client_version, bucket_hour, count) ' +
        'SELECT c.variant_id, n.id, c.client_name, c.client_version, c.bucket_hour, c.count FROM usage_counts c ' +
        'JOIN usage_operations_numbered n ON n.variant_id = c.variant_id AND n.signature_hash = c.signature_hash',
    );
    this.schema((s) => s.dropTable('usage_counts').dropTable('usage_operation_coordinates').dropTable('usage_operations'));
    for (const table of ['usage_operations', 'usage_operation_coordinates', 'usage_counts']) {
      this.schema((s) => {
        void s.renameTable(`${table}_numbered`, table);
        return s;
      });
    }
  }
}

/** In order; never edit one that has shipped, add a new one. */
export const migrations: MigrationObject[] = [
  { name: 'registry-0001-create-registry', class: CreateRegistry },
  { name: 'registry-0002-event-contracts', class: CreateEventContractPublications },
  { name: 'registry-0003-persisted-queries', class: CreatePersistedQueries },
  { name: 'registry-0004-audit-log', class: CreateAuditLog },
  { name: 'registry-0005-usage-by-coordinate', class: IndexUsageByCoordinate },
  { name: 'registry-0006-numbered-usage-operations', class: NumberUsageOperations },
];
