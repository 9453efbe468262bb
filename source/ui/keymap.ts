/**
 * The one keymap: it drives both the key handler and the `?` help overlay, so they cannot
 * disagree. Destructive commands (rollback) open a confirmation instead of acting.
 */

export type DashboardCommand =
	| 'start'
	| 'toggle-pause'
	| 'retry-failed'
	| 'halve-batch'
	| 'increase-batch'
	| 'decrease-batch'
	| 'switch-cpu'
	| 'verify'
	| 'check'
	| 'rollback'
	| 'quit'
	| 'help';

export type KeyBinding = {
	key: string;
	command: DashboardCommand;
	label: {en: string; zh: string};
	/** Changes something: not offered in --read-only. */
	acts: boolean;
};

export const keymap: readonly KeyBinding[] = [
	{key: 's', command: 'start', label: {en: 'start the migration (when idle)', zh: '開始遷移 (閒置時)'}, acts: true},
	{key: 'p', command: 'toggle-pause', label: {en: 'pause / resume', zh: '暫停 / 繼續'}, acts: true},
	{key: 'r', command: 'retry-failed', label: {en: 'retry failed messages', zh: '重試失敗的訊息'}, acts: true},
	{key: 'b', command: 'halve-batch', label: {en: 'halve the batch size', zh: '批次大小減半'}, acts: true},
	{key: '+', command: 'increase-batch', label: {en: 'batch size up a step', zh: '批次大小增加一級'}, acts: true},
	{key: '-', command: 'decrease-batch', label: {en: 'batch size down a step', zh: '批次大小減少一級'}, acts: true},
	{key: 'c', command: 'switch-cpu', label: {en: 'switch to CPU', zh: '切換到 CPU'}, acts: true},
	{key: 'v', command: 'verify', label: {en: 'verify vectors and indexes', zh: '驗證向量與索引'}, acts: true},
	{key: 'k', command: 'check', label: {en: 'check the workspace and machine', zh: '檢查工作區與系統'}, acts: false},
	{key: 'R', command: 'rollback', label: {en: 'roll back (asks first)', zh: '回滾 (會先確認)'}, acts: true},
	{key: 'q', command: 'quit', label: {en: 'quit safely (q again or Ctrl+C forces)', zh: '安全離開 (再按 q 或 Ctrl+C 強制)'}, acts: false},
	{key: '?', command: 'help', label: {en: 'this help', zh: '按鍵說明'}, acts: false},
];

export function commandForKey(input: string, readOnly: boolean): DashboardCommand | undefined {
	const binding = keymap.find(candidate => candidate.key === input);
	if (!binding || (readOnly && binding.acts)) {
		return undefined;
	}

	return binding.command;
}

/** Batch sizes the +/- keys step through. */
const batchSteps = [1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 2048, 4096];

export function stepBatchSize(current: number, direction: 1 | -1): number {
	if (direction === 1) {
		return batchSteps.find(step => step > current) ?? current;
	}

	return [...batchSteps].reverse().find(step => step < current) ?? current;
}
