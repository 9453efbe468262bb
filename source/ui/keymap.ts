/**
 * The one keymap: it drives the key handler, the `?` help overlay and the footer hints, so they
 * cannot disagree. Whether a key can act in the current state is decided here too, with the
 * reason shown on the status line when it cannot.
 */
import type {StringKey} from './i18n.js';
import type {DashboardState} from './state.js';

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
	| 'history'
	| 'detach'
	| 'quit'
	| 'help';

export type KeyBinding = {
	key: string;
	command: DashboardCommand;
	label: {en: string; zh: string};
	/** The footer's short form. */
	short: {en: string; zh: string};
	/** Changes something: not offered in --read-only. */
	acts: boolean;
};

export const keymap: readonly KeyBinding[] = [
	{key: 's', command: 'start', label: {en: 'start or resume the migration', zh: '開始或繼續遷移'}, short: {en: 'start', zh: '開始'}, acts: true},
	{key: 'p', command: 'toggle-pause', label: {en: 'pause / resume', zh: '暫停 / 繼續'}, short: {en: 'pause', zh: '暫停'}, acts: true},
	{key: 'r', command: 'retry-failed', label: {en: 'retry failed messages', zh: '重試失敗的訊息'}, short: {en: 'retry', zh: '重試'}, acts: true},
	{key: 'b', command: 'halve-batch', label: {en: 'halve the batch size', zh: '批次大小減半'}, short: {en: 'batch/2', zh: '批次/2'}, acts: true},
	{key: '+', command: 'increase-batch', label: {en: 'batch size up a step', zh: '批次大小增加一級'}, short: {en: 'batch+', zh: '批次+'}, acts: true},
	{key: '-', command: 'decrease-batch', label: {en: 'batch size down a step', zh: '批次大小減少一級'}, short: {en: 'batch-', zh: '批次-'}, acts: true},
	{key: 'c', command: 'switch-cpu', label: {en: 'switch to CPU', zh: '切換到 CPU'}, short: {en: 'CPU', zh: 'CPU'}, acts: true},
	{key: 'v', command: 'verify', label: {en: 'verify vectors and indexes', zh: '驗證向量與索引'}, short: {en: 'verify', zh: '驗證'}, acts: true},
	{key: 'k', command: 'check', label: {en: 'check the workspace and machine', zh: '檢查工作區與系統'}, short: {en: 'check', zh: '檢查'}, acts: false},
	{key: 'R', command: 'rollback', label: {en: 'roll back (asks first)', zh: '回滾 (會先確認)'}, short: {en: 'rollback', zh: '回滾'}, acts: true},
	{key: 'h', command: 'history', label: {en: 'earlier problems (history)', zh: '先前的問題 (歷史)'}, short: {en: 'history', zh: '歷史'}, acts: false},
	{key: 'd', command: 'detach', label: {en: 'detach (the run goes on)', zh: '分離 (遷移繼續進行)'}, short: {en: 'detach', zh: '分離'}, acts: false},
	{key: 'q', command: 'quit', label: {en: 'quit safely (q again or Ctrl+C forces)', zh: '安全離開 (再按 q 或 Ctrl+C 強制)'}, short: {en: 'quit', zh: '離開'}, acts: false},
	{key: '?', command: 'help', label: {en: 'this help', zh: '按鍵說明'}, short: {en: 'help', zh: '說明'}, acts: false},
];

export function bindingForKey(input: string): KeyBinding | undefined {
	return keymap.find(candidate => candidate.key === input);
}

const isActive = (state: DashboardState) => state.mode === 'running' || state.mode === 'paused';

/** Why a command cannot act now (a string key), or undefined when it can. */
export function blockedReason(command: DashboardCommand, state: DashboardState): StringKey | undefined {
	const binding = keymap.find(candidate => candidate.command === command);
	if (binding?.acts && state.readOnly) {
		return 'blockedReadOnly';
	}

	switch (command) {
		case 'start': {
			if (state.fatal) {
				return 'blockedFatal';
			}

			return state.mode === 'idle' || state.mode === 'aborted' || state.mode === 'failed' || state.mode === 'rolled-back' ? undefined : 'blockedAlreadyRunning';
		}

		case 'toggle-pause':
		case 'halve-batch':
		case 'increase-batch':
		case 'decrease-batch': {
			return isActive(state) ? undefined : 'blockedNotRunning';
		}

		case 'switch-cpu': {
			if (!isActive(state)) {
				return 'blockedNotRunning';
			}

			return state.device === 'cpu' ? 'blockedAlreadyCpu' : undefined;
		}

		case 'retry-failed': {
			if (state.failed === 0) {
				return 'blockedNothingToRetry';
			}

			return isActive(state) || state.mode === 'done' || state.mode === 'aborted' || state.mode === 'failed' ? undefined : 'blockedNotRunning';
		}

		case 'verify':
		case 'check':
		case 'rollback': {
			return state.mode === 'starting' || state.mode === 'stopping' ? 'blockedBusy' : undefined;
		}

		case 'detach': {
			return state.attached ? undefined : 'blockedNotAttached';
		}

		case 'history':
		case 'quit':
		case 'help': {
			return undefined;
		}
	}
}

/** Always in the footer, first, so a narrow terminal never cuts them off. */
const alwaysShown = new Set<DashboardCommand>(['help', 'quit']);

/** Keys for the footer: ? and q, then those that can act in this state, in keymap order. */
export function footerBindings(state: DashboardState): KeyBinding[] {
	const acting = keymap.filter(binding => !alwaysShown.has(binding.command) && blockedReason(binding.command, state) === undefined);
	return [...keymap.filter(binding => alwaysShown.has(binding.command)).reverse(), ...acting];
}

/** Batch sizes the +/- keys step through. */
const batchSteps = [1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 2048, 4096];

/**
 * The next batch size up or down. Up is capped by the token budget (max_batch_tokens): a batch
 * holds at least one token per row, so more rows than the budget can never be sent at once.
 */
export function stepBatchSize(current: number, direction: 1 | -1, tokenBudget = Number.POSITIVE_INFINITY): number {
	if (direction === 1) {
		const next = batchSteps.find(step => step > current) ?? current;
		return next > tokenBudget ? current : next;
	}

	return [...batchSteps].reverse().find(step => step < current) ?? current;
}
