import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {renderToString} from 'ink';
import type {DownloadProgress} from '../../source/engine/embed/download.js';
import {Dashboard} from '../../source/ui/components/Dashboard.js';
import type {Theme} from '../../source/ui/components/theme.js';
import {strings} from '../../source/ui/i18n.js';
import {initialState} from '../../source/ui/state.js';
import {engine, replay, t0} from './fixtures.js';

const downloading = (bytes: number, done = false): DownloadProgress => ({
	repository: 'onnx-community/Qwen3-Embedding-0.6B-ONNX',
	file: 'onnx/model_fp16.onnx_data',
	fileIndex: 5,
	files: 5,
	fileBytes: bytes,
	fileTotal: 1000,
	bytes,
	totalBytes: 1000,
	bytesPerSecond: done ? undefined : 250,
	done,
});

const theme = (language: 'en' | 'zh'): Theme => ({color: false, unicode: true, strings: strings(language), language});
const frame = (state: ReturnType<typeof replay>, language: 'en' | 'zh' = 'en') =>
	renderToString(<Dashboard state={state} columns={80} rows={24} theme={theme(language)} workspace="/srv/pigpig" />, {columns: 80});

describe('the model download on the dashboard', () => {
	it('shows a download row while the model downloads, and drops it once the last file is in place', () => {
		const start = initialState({now: t0, mode: 'starting'});
		const during = replay([engine({name: 'model:download:progress', payload: downloading(452)}, t0 + 1000)], start);
		assert.equal(during.download?.bytes, 452);
		const text = frame(during);
		assert.match(text, /downloading █+░+ 45\.2% 452 B\/1000 B 250 B\/s model_fp16\.onnx_data \(5\/5\)/);
		assert.ok(text.split('\n').every(line => [...line].length <= 80));
		assert.match(frame(during, 'zh'), /下載中 /);

		const after = replay([engine({name: 'model:download:progress', payload: downloading(1000, true)}, t0 + 2000)], during);
		assert.equal(after.download, undefined);
		assert.doesNotMatch(frame(after), /downloading/);
	});
});
