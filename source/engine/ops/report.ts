/** Report items shared by check, plan and verify: a status, a line, and the fix for a problem. */

export type ItemStatus = 'ok' | 'warn' | 'fail';

export type ReportItem = {
	id: string;
	status: ItemStatus;
	title: string;
	detail: string;
	fix?: string;
	/** What the item is about when its title names one (a model id, an endpoint's URL): a translated title keeps it. */
	subject?: string;
};

const marks: Record<ItemStatus, string> = {ok: '✅', warn: '⚠️ ', fail: '❌'};
const asciiMarks: Record<ItemStatus, string> = {ok: '[ok]  ', warn: '[warn]', fail: '[FAIL]'};

export function formatItem(item: ReportItem, unicode: boolean): string {
	const mark = (unicode ? marks : asciiMarks)[item.status];
	const fix = item.fix && item.status !== 'ok' ? `\n   fix: ${item.fix}` : '';
	return `${mark} ${item.title}: ${item.detail}${fix}`;
}

/** 0 when nothing failed, 1 when something did (warnings alone are not failures). */
export function exitCodeForItems(items: readonly ReportItem[]): number {
	return items.some(item => item.status === 'fail') ? 1 : 0;
}
