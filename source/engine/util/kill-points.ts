/**
 * Named instants where a test kills the process as `kill -9` would (no cleanup, no exit handlers),
 * to prove that every journaled step of cut-over and rollback is finished by the next run.
 * QWEN3_MIGRATE_KILL_AT holds comma-separated point names; unset, a kill point costs one lookup.
 */
export const killPointVariable = 'QWEN3_MIGRATE_KILL_AT';

/** Every kill point, in the order a run meets them; the fault matrix walks this list. */
export const killPoints = [
	'cutover:journaled',
	'cutover:caught-up',
	'cutover:indices-retired',
	'cutover:indices-swapped',
	'cutover:settings-switched',
	'cutover:live-embedded',
	'rollback:journaled',
	'rollback:settings-staged',
	'rollback:indices-staged',
	'rollback:indices-retired',
	'rollback:indices-swapped',
	'rollback:settings-swapped',
	'rollback:rows-counted',
	'rollback:rows-removed',
] as const;

export type KillPoint = (typeof killPoints)[number];

/** SIGKILLs this process when the environment names `point`. */
export function killPoint(point: KillPoint): void {
	const wanted = process.env[killPointVariable];
	if (wanted && wanted.split(',').includes(point)) {
		process.kill(process.pid, 'SIGKILL');
	}
}
