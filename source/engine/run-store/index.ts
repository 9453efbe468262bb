/**
 * The run store: the only module with SQL on the `qwen3_migrate_*` tables (schema and upgrades,
 * run record, checkpoints, failures, a transform's map), and the keeper of the backup registry
 * beside the backups (backup-registry.ts). Everything else — the phases, the commit worker,
 * rollback, prune, verify, check, reset, the read-only watcher — asks it.
 */
export {dropStateTables, ensureStateTables, stateTables, stateTablesExist} from './schema.js';
export * from './runs.js';
export * from './failures.js';
export * from './checkpoints.js';
export * from './transform.js';
export {readBackupRegistry, writeBackupRegistry, type BackupManifest} from './backup-registry.js';
