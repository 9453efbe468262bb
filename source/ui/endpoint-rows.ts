/**
 * The dashboard's endpoint rows (remote runs): what each `endpoint:stats` reading leaves in the
 * state, with a rate derived from two readings' text counts (smoothed, so one slow second does not
 * make the row jump), and the row's words in English and Traditional Chinese.
 */
import type {EndpointFigures} from '../engine/migration/events.js';

export type EndpointRowState = 'working' | 'retrying' | 'taken-out';

export type EndpointRow = {
	url: string;
	state: EndpointRowState;
	inFlight: number;
	slots: number;
	/** Texts per second; undefined until two readings are in. */
	rate: number | undefined;
	errors: number;
	latencyMs: number | undefined;
	/** The reading the next rate is measured from. */
	texts: number;
	at: number;
};

function rowState(figures: EndpointFigures): EndpointRowState {
	if (figures.state !== 'up') {
		return 'taken-out';
	}

	return figures.retrying ? 'retrying' : 'working';
}

/** Folds one reading into the rows; a reading less than 250 ms after the last keeps the old rate. */
export function reduceEndpointStats(previous: readonly EndpointRow[], readings: readonly EndpointFigures[], now: number): EndpointRow[] {
	return readings.map(figures => {
		const before = previous.find(row => row.url === figures.url);
		const base = {url: figures.url, state: rowState(figures), inFlight: figures.inFlight, slots: figures.slots, errors: figures.errors, latencyMs: figures.latencyMs};
		if (!before || figures.texts < before.texts) {
			return {...base, rate: undefined, texts: figures.texts, at: now};
		}

		const seconds = (now - before.at) / 1000;
		if (seconds < 0.25) {
			return {...base, rate: before.rate, texts: before.texts, at: before.at};
		}

		const measured = (figures.texts - before.texts) / seconds;
		const rate = before.rate === undefined ? measured : before.rate * 0.5 + measured * 0.5;
		return {...base, rate, texts: figures.texts, at: now};
	});
}

const words = {
	en: {title: 'Endpoints', total: 'total', working: 'working', retrying: 'retrying', 'taken-out': 'taken out', inFlight: 'in flight', errors: 'errors', latency: 'latency', perSecond: '/s'},
	zh: {title: '嵌入端點', total: '合計', working: '運作中', retrying: '重試中', 'taken-out': '暫停使用', inFlight: '進行中', errors: '錯誤', latency: '延遲', perSecond: '/秒'},
} as const satisfies Record<'en' | 'zh', Record<string, string>>;

export type EndpointWords = (typeof words)['en' | 'zh'];

export function endpointWords(language: 'en' | 'zh'): EndpointWords {
	return words[language];
}

/** The URL without its scheme and /v1: `gpu1:8000`, what tells two servers apart. */
export function shortUrl(url: string): string {
	return url.replace(/^https?:\/\//, '').replace(/\/v1$/, '');
}

const formatRate = (rate: number | undefined, perSecond: string) => (rate === undefined ? '—' : `${rate.toFixed(rate < 10 ? 1 : 0)}${perSecond}`);

/** One row's text after the URL column: state, in flight, rate, errors, latency (fits 60 columns with the URL). */
export function endpointRowText(row: EndpointRow, language: 'en' | 'zh'): string {
	const t = endpointWords(language);
	const rate = formatRate(row.rate, t.perSecond);
	const latency = row.latencyMs === undefined ? '—' : `${Math.round(row.latencyMs)} ms`;
	return language === 'zh'
		? `${t[row.state]}  ${t.inFlight} ${row.inFlight}/${row.slots}  ${rate}  ${t.errors} ${row.errors}  ${t.latency} ${latency}`
		: `${t[row.state]}  ${row.inFlight}/${row.slots} ${t.inFlight}  ${rate}  ${row.errors} ${t.errors}  ${latency}`;
}


/** All endpoints on one line, for a panel with room for one row: how many in each state, and the total rate. */
export function endpointSummaryText(rows: readonly EndpointRow[], language: 'en' | 'zh'): string {
	const t = endpointWords(language);
	const count = (state: EndpointRowState) => rows.filter(row => row.state === state).length;
	const rates = rows.map(row => row.rate).filter(rate => rate !== undefined);
	const total = rates.length === 0 ? undefined : rates.reduce((sum, rate) => sum + rate, 0);
	return `${t.working} ${count('working')} · ${t.retrying} ${count('retrying')} · ${t['taken-out']} ${count('taken-out')} · ${t.total} ${formatRate(total, t.perSecond)}`;
}
